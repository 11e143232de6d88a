"""The HTML incident report opened in a real browser (Debian's chromium, driven by Playwright): it renders
with no console errors and no network requests, its three charts are drawn, and a screenshot is kept as a test
artefact in build/test-artifacts/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from detector.incident import build_incident
from detector.pipeline import ScanOptions, scan_paths
from detector.report.incident import render_incident
from detector.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("MYNUMBER_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (scripts/setup.sh --browser installs it)")
        pytest.skip("chromium is not installed (scripts/setup.sh --browser installs it)")
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_html_report_renders_in_chromium(tmp_path: Path, lang: str) -> None:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    result = scan_paths([str(ROOT / "fixtures" / "share")], ScanOptions(key=b"browser-key", jobs=1))
    page_path = tmp_path / f"report-{lang}.html"
    page_path.write_text(render_incident(build_incident(result, load_rules().items, dt.date(2026, 11, 20)),
                                         "html", lang), encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            charts = page.locator("svg.chart")
            assert charts.count() == 3
            for index in range(3):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 20
                assert charts.nth(index).locator("rect").count() >= 1
            assert page.locator("#verdict").inner_text().strip() != ""
            assert page.locator("#files tbody tr").count() == result.files_with_findings
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"incident-report-{lang}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests
