"""A possible My Number in a picture that no reading saves is a result of its own, ``unreadable_candidates``: masked,
located in its picture (page, archive member, ``ocr``), with the reason, never a person, listed for a person to look
at in every format, kept by a state and by merge, and at most one person more in the people's upper bound.

The pictures are cards drawn with Debian's Noto CJK font whose number is one digit off (the check digit fails),
read by the installed OCR engine; skipped, with the reason, where none is installed (never under scripts/test.sh).
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from detector.model import FileResult, Location, UnreadableCandidate
from detector.pipeline import ScanOptions, scan_paths
from detector.report import render
from detector.report.incident import render_incident
from detector.result import ScanResult, merge
from detector.rules import load_rules

from .conftest import invalid_number, valid_number
from .test_ocr_pictures import FONT, MISSING, card

KEY = b"ocr-unreadable-test-key"
pytestmark = pytest.mark.skipif(MISSING is not None and not os.environ.get("MYNUMBER_REQUIRE_OCR"),
                                reason=f"{MISSING} (scripts/setup.sh --browser installs what OCR needs)")


def scan(*paths: Path, **options: Any) -> ScanResult:
    return scan_paths([str(path) for path in paths], ScanOptions(key=KEY, jobs=1, **options))


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A card whose number fails the check digit, the same card inside a zip, and a good card (one person)."""
    assert FONT.exists()
    root = tmp_path_factory.mktemp("share")
    card(invalid_number(1701)).save(root / "card_typo.png")
    member = io.BytesIO()
    card(invalid_number(1702)).save(member, "PNG")
    with zipfile.ZipFile(root / "cards.zip", "w") as archive:
        archive.writestr("scans/card.png", member.getvalue())
    card(valid_number(1703)).save(root / "card_good.png")
    return root


@pytest.fixture(scope="module")
def result(share: Path) -> ScanResult:
    return scan(share)


def test_a_number_failing_the_check_digit_is_an_unreadable_candidate_not_a_person(result: ScanResult) -> None:
    assert result.distinct_people == 1
    assert not result.unscanned
    listed = {(Path(u.path).name, u.location, u.masked, u.reason) for u in result.unreadable_candidates}
    assert listed == {
        ("card_typo.png", Location(ocr=True), "********" + invalid_number(1701)[-4:], "the check digit fails"),
        ("cards.zip", Location(member="scans/card.png", ocr=True), "********" + invalid_number(1702)[-4:],
         "the check digit fails"),
    }


def test_each_unreadable_candidate_is_at_most_one_person_more_in_the_bound(result: ScanResult) -> None:
    """別添２ 3A ⑷: the most people that may be affected; a possible number is one number, so one person at most."""
    assert result.assessment is not None
    bound = result.assessment.bound
    assert (bound.found, bound.unreadable_candidates, bound.open, bound.upper) == (1, 2, False, 3)
    assert result.summary()["unreadable_candidates"] == 2


def test_a_declared_trigger_may_hold_on_unreadable_candidates_alone(share: Path) -> None:
    """With no one found, a possible number still could make a declared trigger hold: to decide by looking."""
    only = scan(share / "card_typo.png")
    assert only.distinct_people == 0
    declared = only.finish(load_rules().triggers, declared={"malicious"})
    assert declared.assessment is not None
    assert declared.assessment.status.value == "possibly_reportable"
    assert [check.check_id for check in declared.assessment.checks] == ["unreadable_candidates"]


def test_the_json_lists_them_apart_and_holds_no_raw_number(result: ScanResult) -> None:
    document = json.loads(render(result, "json"))
    assert document["schema"] == "mynumber/2"
    entries = document["unreadable_candidates"]
    assert [entry["location"] for entry in entries] == [{"ocr": True}, {"member": "scans/card.png", "ocr": True}]
    assert all(set(entry) == {"path", "location", "masked", "reason"} for entry in entries)
    text = json.dumps(document, ensure_ascii=False)
    assert invalid_number(1701) not in text and invalid_number(1702) not in text


def sarif_validator() -> Any:
    from .test_sarif_schema import SCHEMA

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def test_jsonl_csv_sarif_and_text_list_them(result: ScanResult) -> None:
    """Each format lists them apart from the findings: jsonl events, csv rows of confidence ``unreadable`` without
    a fingerprint, SARIF note-level results of their own rule (valid SARIF 2.1.0, no fingerprint to track), and a
    section of the text report."""
    events = [json.loads(line) for line in render(result, "jsonl").splitlines()]
    assert [e["masked"] for e in events if e["event"] == "unreadable_candidate"] == \
        [u.masked for u in result.unreadable_candidates]
    rows = list(csv.DictReader(io.StringIO(render(result, "csv").lstrip("\ufeff"))))
    unreadable = [row for row in rows if row["confidence"] == "unreadable"]
    assert [(row["masked"], row["fingerprint"], row["ocr"], row["member"]) for row in unreadable] == \
        [(u.masked, "", "yes", u.location.member or "") for u in result.unreadable_candidates]
    document = json.loads(render(result, "sarif"))
    errors = list(sarif_validator().iter_errors(document))
    assert not errors, [error.message for error in errors[:5]]
    sarif = document["runs"][0]
    notes = [r for r in sarif["results"] if r["ruleId"] == "mynumber/unreadable"]
    assert [(r["level"], r["properties"]["masked"]) for r in notes] == \
        [("note", u.masked) for u in result.unreadable_candidates]
    assert all("partialFingerprints" not in r for r in notes)
    assert not sarif["invocations"][0]["toolExecutionNotifications"]
    text = render(result, "text")
    assert "Possible numbers, unreadable" in text
    assert all(u.masked in text for u in result.unreadable_candidates)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_incident_report_lists_them_and_counts_them_in_the_upper_bound(result: ScanResult, lang: str) -> None:
    from detector.incident import build_incident

    incident = build_incident(result, load_rules().items)
    assert incident.bound.upper == 3
    report = json.loads(render_incident(incident, "json", lang))
    assert [entry["masked"] for entry in report["unreadable_candidates"]] == \
        [u.masked for u in result.unreadable_candidates]
    assert report["verdict"]["unreadable_candidates"] == 2
    for fmt in ("html", "md"):
        page = render_incident(incident, fmt, lang)
        assert all(u.masked in page for u in result.unreadable_candidates), fmt


def test_merge_keeps_them_and_reads_a_document_of_schema_1(result: ScanResult) -> None:
    items = {rule.item_id for rule in load_rules().items}
    document = json.loads(render(result, "json"))
    merged = merge([("scan.json", document)], load_rules().triggers, item_ids=items)
    assert merged.unreadable_candidates == result.unreadable_candidates
    older = {**document, "schema": "mynumber/1", "unreadable_candidates": []}
    older["unscanned"] = [{"path": "card_typo.png", "reason": "possible My Number, unreadable: ********1234 (the "
                                                              "check digit fails)"}]
    read = merge([("old.json", older)], load_rules().triggers, item_ids=items)
    assert (read.unreadable_candidates, len(read.unscanned)) == ([], 1)


def test_a_document_with_a_number_in_clear_for_a_mask_is_refused(result: ScanResult) -> None:
    from detector.errors import UsageError

    document = json.loads(render(result, "json"))
    document["unreadable_candidates"][0]["masked"] = invalid_number(1701)
    with pytest.raises(UsageError, match=r"unreadable_candidates\[0\]\.masked"):
        merge([("forged.json", document)], load_rules().triggers, item_ids={r.item_id for r in load_rules().items})


def test_a_state_keeps_them_and_reads_an_entry_without_them() -> None:
    entry = UnreadableCandidate("a.png", Location(page=2, ocr=True), "********1234", "the check digit fails")
    kept = FileResult("a.png", kind="image", unreadable=[entry]).to_state()
    assert FileResult.from_state("b.png", kept).unreadable == [entry._replace(path="b.png")]
    del kept["unreadable_candidates"]
    assert FileResult.from_state("a.png", kept).unreadable == []


def test_with_a_state_an_unchanged_picture_keeps_its_unreadable_candidates(share: Path, tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    first = scan(share / "card_typo.png", state_path=state)
    second = scan(share / "card_typo.png", state_path=state)
    assert second.unreadable_candidates == first.unreadable_candidates != []


def test_the_log_counts_them_and_never_shows_one(share: Path, caplog: pytest.LogCaptureFixture) -> None:
    """At -v each file's line says how many possible numbers it left unreadable; a log line holds no number, not
    even masked."""
    import logging

    caplog.set_level(logging.INFO, logger="detector.scanlog")
    scan(share / "card_typo.png")
    assert "1 possible numbers unreadable" in caplog.text
    assert invalid_number(1701)[-4:] not in caplog.text


def test_watch_emits_an_unreadable_candidate_event_once_as_the_scans_jsonl_line(share: Path, tmp_path: Path) -> None:
    """A picture dropped into a watched folder with a number that fails the check digit: one
    ``unreadable_candidate`` event (masked, located, ``ocr``, the reason), no ``finding``; a picture rewritten with
    the same card gives none again; its text line (``--events-format text``) shows only the mask."""
    from detector.watch import Watcher, WatchOptions
    from detector.watch.alerts import describe

    events: list[dict[str, Any]] = []
    watcher = Watcher([str(tmp_path)], WatchOptions(ScanOptions(key=KEY), settle=0.0, rotation_grace=0.0),
                      events.append)
    watcher.start()
    picture = tmp_path / "scan.png"
    try:
        for _ in range(2):
            picture.write_bytes((share / "card_typo.png").read_bytes())
            watcher.notice("closed", str(picture))
            watcher.turn()
    finally:
        watcher.close()
    line = next(line for line in map(json.loads, render(scan(share / "card_typo.png"), "jsonl").splitlines())
                if line["event"] == "unreadable_candidate")
    unreadable = [event for event in events if event["event"] == "unreadable_candidate"]
    assert [event["event"] for event in events].count("finding") == 0
    assert len(unreadable) == 1
    event = unreadable[0]
    assert {k: event[k] for k in ("location", "masked", "reason")} == {k: line[k] for k in ("location", "masked",
                                                                                            "reason")}
    assert event["path"] == str(picture) and event["location"] == {"ocr": True}
    assert event["masked"] == "********" + invalid_number(1701)[-4:]
    assert invalid_number(1701) not in json.dumps(events) + describe(event)
    assert describe(event).startswith(f"unreadable_candidate {picture} ocr=True ********")
