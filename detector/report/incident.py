"""Incident report renderers: HTML (self-contained), Markdown and json, in Japanese or English."""

from __future__ import annotations

import json

from ..incident import Incident
from . import incident_html, incident_md
from .incident_words import draft


def render_incident(incident: Incident, fmt: str, lang: str = "ja") -> str:
    """``incident`` in one of :data:`~detector.report.formats.INCIDENT_FORMATS`."""
    if fmt == "html":
        return incident_html.render(incident, lang)
    if fmt == "md":
        return incident_md.render(incident, lang)
    if fmt == "json":
        return json.dumps(incident.to_json(draft(incident, lang)), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown report format {fmt!r}")
