"""Incident report renderers: HTML (self-contained), Markdown and json, in Japanese or English."""

from __future__ import annotations

import json

from ..incident import Incident
from . import incident_html, incident_md
from .incident_words import conditions, draft


def render_incident(incident: Incident, fmt: str, lang: str = "ja") -> str:
    """``incident`` in one of :data:`~detector.report.formats.INCIDENT_FORMATS`."""
    if fmt == "html":
        return incident_html.render(incident, lang)
    if fmt == "md":
        return incident_md.render(incident, lang)
    if fmt == "json":
        ppc_draft = [entry.to_json() for entry in draft(incident, lang)]
        out = incident.to_json(ppc_draft)
        out["verdict"].update(conditions(incident).to_json())  # ids of incident_words' assume./not./below. words
        return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown report format {fmt!r}")
