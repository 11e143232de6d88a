"""The output formats, by name: what each command offers and, for scans, where each format is rendered.

Names only, nothing imported: the command line lists the choices from here without loading a renderer, and the
renderers are looked up from here, so adding a scan format touches this table and the renderer's own module.
"""

from __future__ import annotations

# A scan's formats: name -> (module in detector.report, function(result, revealed) -> str, or an iterator of the
# text's pieces for a format written piece by piece).
SCAN_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text_report", "render"),
    "json": ("json_report", "pieces"),
    "jsonl": ("json_report", "render_lines"),
    "csv": ("csv_report", "pieces"),
    "sarif": ("sarif_report", "pieces"),
}
SCAN_FORMATS = tuple(SCAN_RENDERERS)
# `scan --list-excluded`: the renderer of each format that lists the excluded files only when asked. json and
# jsonl list them always, csv and sarif hold findings only: the option leaves those formats as they are.
LISTING_EXCLUDED_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text_report", "render_listing_excluded"),
}
INCIDENT_FORMATS = ("html", "md", "json")  # `mynumber report` (detector.report.incident)
NOTIFY_FORMATS = ("csv", "json", "xlsx")  # `mynumber notify` (detector.notify)
WATCH_FORMATS = ("jsonl", "text")  # `mynumber watch`'s events
EXPOSURE_FORMATS = ("text", "json")  # `mynumber exposure` (detector.access.render)
