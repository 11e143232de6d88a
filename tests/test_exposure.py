"""The exposure: one aggregate of the people findings expose, counted by a scan, a merge and watch alike, and
the metrics the assessment reads by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector import exposure
from detector.assess import assess
from detector.exposure import METRICS, Exposure
from detector.incident import build_incident
from detector.model import Confidence, FileResult, Finding, Location
from detector.pipeline import ScanOptions, scan_paths
from detector.report.incident import render_incident
from detector.result import ScanResult
from detector.rules import Rules, load_rules

from .conftest import valid_number


def finding(person: int, public: bool = False, line: int = 1, path: str = "f.txt",
            confidence: Confidence = Confidence.HIGH) -> Finding:
    return Finding(path=path, location=Location(line=line), masked="********0000", fingerprint=f"fp{person}",
                   confidence=confidence, public=public, public_reason="--public /srv" if public else None)


def test_people_are_distinct_fingerprints_and_public_ones_are_counted_apart() -> None:
    people = Exposure([finding(1), finding(1, line=2), finding(2, public=True), finding(3)])
    assert (people.distinct_people, people.public_distinct_people) == (3, 1)
    assert people.metrics() == {"distinct_people": 3, "public_distinct_people": 1,
                                "confirmed_public_distinct_people": 1}  # --public: a declared place
    assert people.fingerprints("public_distinct_people") == {"fp2"}


def test_a_person_stays_exposed_until_the_last_finding_of_them_is_removed() -> None:
    people = Exposure()
    first, second = finding(1, path="a.txt"), finding(1, public=True, path="b.txt")
    people.add(first)
    people.add(second)
    people.remove(second)
    assert people.metrics() == {"distinct_people": 1, "public_distinct_people": 0,
                                "confirmed_public_distinct_people": 0}
    people.remove(first)
    assert people.metrics() == {"distinct_people": 0, "public_distinct_people": 0,
                                "confirmed_public_distinct_people": 0}


def test_removing_a_finding_never_added_is_an_error_and_changes_nothing_counted() -> None:
    people = Exposure([finding(1)])
    with pytest.raises(KeyError):
        people.remove(finding(2))
    with pytest.raises(KeyError):
        people.remove(finding(1, public=True))  # added as internal: the public count never held it
    assert people.metrics() == {"distinct_people": 1, "public_distinct_people": 0,
                                "confirmed_public_distinct_people": 0}


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans(), st.booleans()), max_size=40))
def test_adding_and_removing_in_any_order_counts_what_a_recount_would(steps: list[tuple[int, bool, bool]]) -> None:
    """Each step adds a finding, or removes one added before: the metrics are always a fresh count's."""
    people = Exposure()
    held: list[Finding] = []
    for person, public, removing in steps:
        if removing and held:
            people.remove(held.pop(person % len(held)))
        else:
            held.append(finding(person, public, line=len(held)))
            people.add(held[-1])
        assert people.metrics() == Exposure(held).metrics()
        assert people.distinct_people == len({f.fingerprint for f in held})
        assert people.public_distinct_people == len({f.fingerprint for f in held if f.public})


def test_the_rules_name_only_metrics_of_the_exposure(rules: Rules) -> None:
    measured = [t for t in rules.triggers if t.metric is not None]
    assert measured and all(t.metric in METRICS for t in measured)
    assert set(Exposure().metrics()) == set(METRICS)


def test_a_scan_result_counts_its_people_in_one_exposure() -> None:
    result = ScanResult(key_id="k")
    result.add(FileResult(path="a.txt", findings=[finding(1, path="a.txt"), finding(2, path="a.txt", public=True)]))
    result.add(FileResult(path="b.txt", findings=[finding(1, path="b.txt")]))
    result.add(FileResult(path="a.txt", findings=[finding(1, path="a.txt")]))  # the same finding again: kept once
    result.finish(load_rules().triggers)
    assert result.exposure.metrics() == {"distinct_people": 2, "public_distinct_people": 1,
                                         "confirmed_public_distinct_people": 1}
    assert result.summary()["distinct_people"] == 2 and result.summary()["public_distinct_people"] == 1
    assert result.assessment is not None and result.assessment.reason_ids() == ["publicly_accessible"]


def test_malicious_is_a_declared_criterion_of_the_assessment(rules: Rules) -> None:
    """A scan cannot measure intent: ``malicious`` holds only when the responder declares it (``report
    --malicious``), before the measured triggers as the rules list them, with no value of its own."""
    metrics = {"distinct_people": 1, "public_distinct_people": 1}
    assert assess(metrics, rules.triggers).reason_ids() == ["publicly_accessible"]
    declared = assess(metrics, rules.triggers, declared=["malicious"])
    assert declared.reason_ids() == ["malicious", "publicly_accessible"]
    assert declared.details()[0] == {"id": "malicious", "metric": None, "value": None, "more_than": None,
                                     "article": "PPC rule Article 2, item 2 (規則第2条第2号)",
                                     "description": next(t.description for t in rules.triggers
                                                         if t.trigger_id == "malicious")}
    assert not assess({"distinct_people": 0, "public_distinct_people": 0}, rules.triggers).serious


def test_a_new_assessment_metric_is_an_entry_of_the_exposure_and_a_trigger_in_the_toml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What adding a metric touches: ``METRICS`` in detector/exposure.py (here patched in) and a trigger naming it
    in rules/assessment.toml (here a user layer). The rules accept it, a scan measures it, the assessment and
    the summary's ``serious_details`` report it; nothing else is changed."""
    monkeypatch.setitem(exposure.METRICS, "high_confidence_people", lambda f: f.confidence == Confidence.HIGH)
    layer = tmp_path / "rules"
    layer.mkdir()
    (layer / "assessment.toml").write_text(
        'schema = 1\n[[trigger]]\nid = "many_sure"\nmetric = "high_confidence_people"\nmore_than = 1\n'
        'article = "house rule 1"\ndescription = "more than one person found with a keyword"\n', encoding="utf-8")
    share = tmp_path / "share"
    share.mkdir()
    (share / "list.txt").write_text("".join(f"個人番号 {valid_number(seed)}\n" for seed in range(3)), encoding="utf-8")
    result = scan_paths([str(share)], ScanOptions(key=b"k", jobs=1, rules_dirs=(str(layer),)))
    assert result.exposure.metrics()["high_confidence_people"] == 3
    summary = result.summary()
    assert summary["serious_reasons"] == ["many_sure"]
    assert summary["serious_details"] == [{"id": "many_sure", "metric": "high_confidence_people", "value": 3,
                                           "more_than": 1, "article": "house rule 1",
                                           "description": "more than one person found with a keyword"}]
    assert result.exit_status == 3
    incident = build_incident(result, load_rules([str(layer)]).items)
    assert "more than one person found with a keyword" in render_incident(incident, "md", "en")
