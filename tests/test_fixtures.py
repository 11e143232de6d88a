"""The bundled sample share (fixtures/share) gives exactly the findings written next to it.

fixtures/share.expected.json is produced by scripts/make_fixtures.py together with the files, so the
expectations say what each file holds, not what the scanner happened to find. A file marked ``"ocr"`` (the
scanned form) is read by OCR; where no OCR engine is installed it is expected as not scanned instead, with the
reason saying so.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from detector.model import Confidence
from detector.ocr import ENGINE_MISSING
from detector.pipeline import ScanOptions, scan_paths
from detector.result import ScanResult

from .conftest import ocr_engine_missing

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
CHECKED_IN: dict[str, Any] = json.loads((ROOT / "fixtures" / "share.expected.json").read_text(encoding="utf-8"))


def _expected() -> dict[str, Any]:
    """The expectations, the pictures moved to the unscanned files where no OCR engine can read them."""
    missing = ocr_engine_missing()
    if not missing:
        return CHECKED_IN
    pictures = {rel for rel, entry in CHECKED_IN["files"].items() if entry.get("ocr")}
    return CHECKED_IN | {
        "files": {rel: entry for rel, entry in CHECKED_IN["files"].items() if rel not in pictures},
        "unscanned": CHECKED_IN["unscanned"] | dict.fromkeys(pictures, ENGINE_MISSING),
        "findings": CHECKED_IN["findings"] - sum(len(CHECKED_IN["files"][rel]["findings"]) for rel in pictures)}


EXPECTED = _expected()


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan_paths([str(SHARE)], ScanOptions(key=b"fixture-key", jobs=1))


def _rel(path: str) -> str:
    return str(Path(path).relative_to(SHARE))


def test_every_expected_finding_is_found_with_its_location_and_confidence(result: ScanResult) -> None:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in result.findings:
        found[_rel(finding.path)].append({"location": finding.location.to_json(), "masked": finding.masked,
                                          "confidence": finding.confidence.label, "public": finding.public})
    expected = {rel: [{k: f[k] for k in ("location", "masked", "confidence", "public")} for f in entry["findings"]]
                for rel, entry in EXPECTED["files"].items() if entry["findings"]}
    assert dict(found) == expected


def test_the_same_person_in_several_files_is_one_person(result: ScanResult) -> None:
    people_by_label: dict[str, set[str]] = defaultdict(set)
    by_place = {(_rel(f.path), f.location.member, f.location.line): f.fingerprint for f in result.findings}
    for rel, entry in EXPECTED["files"].items():
        for item in entry["findings"]:
            where = (rel, item["location"].get("member"), item["location"].get("line"))
            people_by_label[item["person"]].add(by_place[where])
    assert all(len(fingerprints) == 1 for fingerprints in people_by_label.values())
    assert result.distinct_people == EXPECTED["distinct_people"] == len(people_by_label)


def test_public_people_and_the_verdict(result: ScanResult) -> None:
    assert result.public_distinct_people == EXPECTED["public_distinct_people"]
    summary = result.summary()
    assert summary["serious"] is True
    assert summary["serious_reasons"] == EXPECTED["serious_reasons"]
    # the web root is public by the htdocs rule's presumption, to confirm: possibly reportable (issue 15)
    assert summary["status"] == "possibly_reportable" and result.exit_status == 5


def test_samples_are_reported_but_not_counted(result: ScanResult) -> None:
    samples = [(_rel(s.path), s.location.to_json(), s.masked) for s in result.samples]
    expected = [(rel, s["location"], s["masked"]) for rel, entry in EXPECTED["files"].items()
                for s in entry["samples"]]
    assert samples == expected
    assert all(f.masked != s[2] for f in result.findings for s in samples)


def test_unreadable_formats_are_listed_with_their_reason(result: ScanResult) -> None:
    unscanned = {_rel(u.path): u.reason for u in result.unscanned}
    assert set(unscanned) == set(EXPECTED["unscanned"])
    for rel, reason_start in EXPECTED["unscanned"].items():
        assert unscanned[rel].startswith(reason_start)


def test_low_confidence_decoys_are_held_back_and_counted(result: ScanResult) -> None:
    assert sum(result.held_back.values()) == EXPECTED["held_back_findings"]
    assert all(f.confidence >= Confidence.MEDIUM for f in result.findings)


def test_snapshot_copies_are_excluded_by_the_rules(result: ScanResult) -> None:
    assert result.excluded == EXPECTED["excluded"]
    assert not any(".snapshot" in f.path for f in result.findings)


def test_the_fixture_generator_is_deterministic(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_fixtures.py"), str(tmp_path)], check=True,
                   capture_output=True)
    checked_in = {p.relative_to(SHARE): p.read_bytes() for p in sorted(SHARE.rglob("*")) if p.is_file()}
    generated = {p.relative_to(tmp_path / "share"): p.read_bytes()
                 for p in sorted((tmp_path / "share").rglob("*")) if p.is_file()}
    assert generated == checked_in
    assert json.loads((tmp_path / "share.expected.json").read_text(encoding="utf-8")) == CHECKED_IN
