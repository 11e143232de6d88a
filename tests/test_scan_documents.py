"""`report`, `merge` and `notify` read saved scans and trust nothing in them: a document whose fields do not have
the shape the scan gives them (a `masked` that is not a mask, an item that is not one of the rules', a
fingerprint that is not 64 hex digits, a number where a count or a line goes...) is refused with an error
naming the file and the field (exit 2, no traceback), and a raw number put into one appears in no output and
no message."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from detector.errors import UsageError
from detector.rules import load_rules
from detector.schema import check_scan_document

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
KEY = "scan-documents-key"
RAW = valid_number(500)
GROUPED = f"{RAW[:4]}-{RAW[4:8]}-{RAW[8:]}"
ITEM_IDS = frozenset(rule.item_id for rule in load_rules().items)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": KEY}, timeout=120)


@pytest.fixture(scope="module")
def scan_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real scan of the sample share (findings with items, samples, unscanned files)."""
    folder = tmp_path_factory.mktemp("scan")
    done = run(["scan", str(SHARE), "--format", "json", "-o", "scan.json"], folder)
    assert done.returncode in (1, 3, 5), done.stderr
    document: dict[str, Any] = json.loads((folder / "scan.json").read_text(encoding="utf-8"))
    assert document["findings"] and document["samples"] and document["unscanned"]
    assert any(finding.get("items") for finding in document["findings"])
    return document


def with_items(document: dict[str, Any]) -> int:
    return next(i for i, finding in enumerate(document["findings"]) if finding.get("items"))


Tamper = Callable[[dict[str, Any]], str]  # changes a document, returns the field the error must name


def masked_raw(doc: dict[str, Any]) -> str:
    doc["findings"][0]["masked"] = RAW
    return "findings[0].masked"


def masked_grouped(doc: dict[str, Any]) -> str:
    doc["findings"][1]["masked"] = GROUPED
    return "findings[1].masked"


def items_raw(doc: dict[str, Any]) -> str:
    index = with_items(doc)
    doc["findings"][index]["items"].append(RAW)
    return f"findings[{index}].items[{len(doc['findings'][index]['items']) - 1}]"


def item_unknown(doc: dict[str, Any]) -> str:
    doc["findings"][0]["items"] = [f"note {GROUPED}"]
    return "findings[0].items[0]"


def sample_masked_raw(doc: dict[str, Any]) -> str:
    doc["samples"][0]["masked"] = RAW
    return "samples[0].masked"


def fingerprint_raw(doc: dict[str, Any]) -> str:
    doc["findings"][0]["fingerprint"] = RAW
    return "findings[0].fingerprint"


def line_raw(doc: dict[str, Any]) -> str:
    doc["findings"][0]["location"] = {"line": int(RAW)}
    return "findings[0].location.line"


def reason_raw(doc: dict[str, Any]) -> str:
    doc["findings"][0]["reasons"] = ["bare", f"keyword:{RAW}"]
    return "findings[0].reasons[1]"


def cell_raw(doc: dict[str, Any]) -> str:
    doc["findings"][0]["location"] = {"sheet": "Sheet1", "cell": f"A{RAW}"}
    return "findings[0].location.cell"


def key_id_raw(doc: dict[str, Any]) -> str:
    doc["scan"]["key_id"] = RAW
    return "scan.key_id"


def confidence_unknown(doc: dict[str, Any]) -> str:
    doc["findings"][0]["confidence"] = RAW
    return "findings[0].confidence"


def sample_id_raw(doc: dict[str, Any]) -> str:
    doc["samples"][0]["sample"] = RAW
    return "samples[0].sample"


def path_not_text(doc: dict[str, Any]) -> str:
    doc["findings"][0]["path"] = int(RAW)
    return "findings[0].path"


def findings_not_a_list(doc: dict[str, Any]) -> str:
    doc["findings"] = {"0": RAW}
    return "findings"


def count_not_a_number(doc: dict[str, Any]) -> str:
    doc["summary"]["files_scanned"] = RAW
    return "summary.files_scanned"


def public_not_a_flag(doc: dict[str, Any]) -> str:
    doc["findings"][0]["public"] = RAW
    return "findings[0].public"


def held_back_raw(doc: dict[str, Any]) -> str:
    doc["summary"]["held_back"]["by_confidence"] = {RAW: 1}
    return "summary.held_back.by_confidence"


TAMPERINGS: list[Tamper] = [masked_raw, masked_grouped, items_raw, item_unknown, sample_masked_raw, fingerprint_raw,
                            line_raw, reason_raw, cell_raw, key_id_raw, confidence_unknown, sample_id_raw,
                            path_not_text, findings_not_a_list, count_not_a_number, public_not_a_flag,
                            held_back_raw]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=[t.__name__ for t in TAMPERINGS])
def test_a_document_that_does_not_fit_is_refused_naming_the_field(scan_document: dict[str, Any],
                                                                   tamper: Tamper) -> None:
    document = copy.deepcopy(scan_document)
    field = tamper(document)
    with pytest.raises(UsageError) as refused:
        check_scan_document("edited.json", document, ITEM_IDS)
    message = str(refused.value)
    assert message.startswith(f"edited.json: {field}: "), message
    assert RAW not in message and GROUPED not in message and RAW[:4] not in message


def test_the_documents_the_tool_writes_fit(scan_document: dict[str, Any], tmp_path: Path) -> None:
    check_scan_document("scan.json", scan_document, ITEM_IDS)
    (tmp_path / "scan.json").write_text(json.dumps(scan_document), encoding="utf-8")
    merged = run(["merge", "scan.json", "scan.json", "--format", "json"], tmp_path)
    assert merged.returncode in (1, 3, 5), merged.stderr
    check_scan_document("merged.json", json.loads(merged.stdout), ITEM_IDS)


COMMANDS = {
    "report html": ["report", "edited.json", "-o", "out"],
    "report md": ["report", "edited.json", "--format", "md", "-o", "out"],
    "report json": ["report", "edited.json", "--format", "json", "-o", "out"],
    "report to stdout": ["report", "edited.json", "--format", "md"],
    "merge json": ["merge", "edited.json", "--format", "json", "-o", "out"],
    "merge csv": ["merge", "edited.json", "--format", "csv"],
    "merge text": ["merge", "edited.json"],
    "notify": ["notify", "edited.json", "--roster", "roster.csv", "--number-column", "個人番号", "-o", "out"],
    "notify json": ["notify", "edited.json", "--roster", "roster.csv", "--number-column", "個人番号",
                    "--format", "json"],
}


@pytest.mark.parametrize("tamper", [masked_raw, items_raw], ids=["masked", "items"])
@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_a_raw_number_in_a_document_reaches_no_output(scan_document: dict[str, Any], tmp_path: Path, command: str,
                                                      tamper: Tamper) -> None:
    document = copy.deepcopy(scan_document)
    field = tamper(document)
    (tmp_path / "edited.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "roster.csv").write_text(f"社員番号,個人番号\nE1,{valid_number(501)}\n", encoding="utf-8")
    done = run(COMMANDS[command], tmp_path)
    assert done.returncode == 2, (done.stdout[-500:], done.stderr)
    assert f"edited.json: {field}: " in done.stderr and "Traceback" not in done.stderr
    for shown in (done.stdout, done.stderr):
        assert RAW not in shown and RAW[-8:] not in shown
    assert not (tmp_path / "out").exists()


def test_items_of_the_users_rules_are_known_when_read_with_the_same_rules(tmp_path: Path) -> None:
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "items.toml").write_text('schema = 1\n\n[[item]]\nid = "employee_id"\nlabel_ja = "社員番号"\n'
                                      'label_en = "employee number"\nterms = ["社員番号"]\n', encoding="utf-8")
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "hr.csv").write_text(f"社員番号,個人番号\nE1,{valid_number(502)}\n", encoding="utf-8")
    assert run(["scan", "share", "--rules", "myrules", "--format", "json", "-o", "scan.json"],
               tmp_path).returncode == 1
    assert json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))["findings"][0]["items"] == ["employee_id"]
    same_rules = run(["report", "scan.json", "--rules", "myrules", "--format", "md", "--lang", "en"], tmp_path)
    assert same_rules.returncode == 0 and "employee number" in same_rules.stdout, same_rules.stderr
    without = run(["report", "scan.json", "--format", "md"], tmp_path)
    assert without.returncode == 2 and "scan.json: findings[0].items[0]: not an item of the rules" in without.stderr
    assert "--rules DIR" in without.stderr
