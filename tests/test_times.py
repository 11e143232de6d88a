"""Every time the tool writes is RFC 3339 (``2026-12-03T22:46:29+09:00``, the offset with its colon: RFC 3339
section 5.6), and a time written by earlier versions (``+0900``) is still read."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from detector.baseline import baseline_document
from detector.contain.plan import scan_facts
from detector.model import ScanOptions
from detector.pipeline import scan_paths
from detector.times import parse_time, rfc3339
from detector.watch.alerts import Alerts

from .conftest import valid_number

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\Z")


def test_a_timestamp_is_written_with_the_colon_in_its_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    import time

    time.tzset()
    try:
        assert rfc3339(1796305589.7) == "2026-12-03T22:46:29+09:00"
        assert rfc3339(dt.datetime(2026, 12, 3, 13, 46, 29, tzinfo=dt.UTC)) == "2026-12-03T22:46:29+09:00"
        assert RFC3339.match(rfc3339())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("written", ["2026-12-03T22:46:29+09:00", "2026-12-03T22:46:29+0900",
                                     "2026-12-03T13:46:29Z", "2026-12-03T13:46:29+00:00"])
def test_both_forms_are_read_back_as_the_same_moment(written: str) -> None:
    assert parse_time(written) == dt.datetime(2026, 12, 3, 13, 46, 29, tzinfo=dt.UTC)


@pytest.mark.parametrize("written", ["2026-12-03T22:46:29", "yesterday", ""])
def test_a_time_that_cannot_be_placed_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        parse_time(written)


def test_the_scan_document_the_watch_events_and_the_baseline_write_rfc_3339(tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text(f"個人番号 {valid_number(7)}\n", encoding="utf-8")
    result = scan_paths([str(tmp_path)], ScanOptions(key=b"times", jobs=1))
    document = result.to_json()
    assert RFC3339.match(document["scan"]["started"]) and RFC3339.match(document["scan"]["finished"])
    baseline = baseline_document(result, "accepted for the test")
    assert RFC3339.match(baseline["created"])
    events: list[dict[str, object]] = []
    Alerts(events.append).send({"event": "finding"})
    assert RFC3339.match(str(events[0]["time"]))
    stream = io.StringIO()
    json.dump(document, stream)
    assert "+0000\"" not in stream.getvalue() and "+0900\"" not in stream.getvalue()


@pytest.mark.parametrize("started", ["2026-12-03T22:46:29+09:00", "2026-12-03T22:46:29+0900"])
def test_quarantine_reads_the_start_of_a_scan_of_either_form(started: str) -> None:
    """``quarantine`` refuses files changed after the scan started, so it must read when it started: in the RFC 3339
    of this version and in the ``+0900`` of the scans written before."""
    facts = scan_facts("scan.json", {"scan": {"started": started, "key_id": "0" * 16, "roots": []}})
    assert facts.started_ns == int(dt.datetime(2026, 12, 3, 13, 46, 29, tzinfo=dt.UTC).timestamp()) * 10**9
