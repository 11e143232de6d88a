"""SARIF against a baseline (``scan --baseline FILE --format sarif``): each result says how it stands, the
accepted findings ``unchanged`` with the baseline's reason as an accepted suppression, the others ``new``, and the
output is still valid SARIF 2.1.0 (the vendored schema); without a baseline no result claims a state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector import scan
from detector.baseline import baseline_document
from detector.report import render

from .conftest import valid_number

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
KEY = "sarif-baseline-key"
REASON = "form template 0000-0000-0000 checked"  # a reason is shown as names are: numbers in it masked


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MYNUMBER_KEY", KEY)
    root = tmp_path / "share"
    root.mkdir()
    (root / "template.txt").write_text(f"個人番号 {valid_number(31)}\n", encoding="utf-8")
    return root


def accept_all(share: Path, tmp_path: Path) -> str:
    """A baseline accepting everything the share holds now."""
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline_document(scan(share), REASON)), encoding="utf-8")
    return str(path)


def results(share: Path, baseline: str | None) -> list[dict[str, Any]]:
    sarif = json.loads(render(scan(share, baseline=baseline), "sarif"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(sarif))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    found: list[dict[str, Any]] = sarif["runs"][0]["results"]
    return found


def test_accepted_results_are_unchanged_and_suppressed_with_the_reason_new_ones_new(share: Path,
                                                                                    tmp_path: Path) -> None:
    baseline = accept_all(share, tmp_path)
    (share / "new.txt").write_text(f"個人番号 {valid_number(32)}\n", encoding="utf-8")

    by_path = {r["properties"]["path"].rpartition("/")[2]: r for r in results(share, baseline)}
    assert by_path["template.txt"]["baselineState"] == "unchanged"
    assert by_path["template.txt"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "form template ****-****-0000 checked"}]
    assert by_path["new.txt"]["baselineState"] == "new"
    assert "suppressions" not in by_path["new.txt"]


def test_with_a_baseline_that_accepts_nothing_here_every_result_is_new(share: Path, tmp_path: Path) -> None:
    baseline = accept_all(share, tmp_path)
    (share / "template.txt").write_text(f"個人番号 {valid_number(33)}\n", encoding="utf-8")  # another person

    assert [r["baselineState"] for r in results(share, baseline)] == ["new"]


def test_without_a_baseline_no_result_claims_a_state(share: Path) -> None:
    (found,) = results(share, None)
    assert "baselineState" not in found and "suppressions" not in found
