"""Excluded files and folders are listed with the rule that excluded each: always in json (``excluded``), in text
with ``--list-excluded``; a folder is one entry for everything below it; merge keeps the list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import valid_number
from .test_cli import people_csv, run


def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    people_csv(root / "a.csv", 1)
    people_csv(root / "old.bak", 1, seed=10)
    people_csv(root / ".snapshot" / "hourly.0" / "a.csv", 1)
    for index in range(3):
        (root / ".snapshot" / f"hourly.{index + 1}").mkdir(parents=True)
        (root / ".snapshot" / f"hourly.{index + 1}" / "x.txt").write_text(f"個人番号: {valid_number(index)}\n")
    return root


def test_json_lists_each_excluded_entry_with_its_rule(tmp_path: Path) -> None:
    root = share(tmp_path)
    done = run(["scan", "--format", "json", "--exclude", "*.bak", "share"], tmp_path)
    doc = json.loads(done.stdout)
    assert doc["excluded"] == [{"path": str(root / ".snapshot"), "rule": "netapp-snapshot"},
                               {"path": str(root / "old.bak"), "rule": "--exclude *.bak"}]
    assert doc["summary"]["excluded"] == 2
    assert [f["path"] for f in doc["findings"]] == ["share/a.csv"]


def test_text_lists_them_with_list_excluded_and_says_how_otherwise(tmp_path: Path) -> None:
    root = share(tmp_path)
    listed = run(["scan", "--list-excluded", "--exclude", "*.bak", "share"], tmp_path).stdout
    section = listed.split("Excluded (", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [line.split() for line in section] == [[str(root / ".snapshot"), "netapp-snapshot"],
                                                  [str(root / "old.bak"), "--exclude", "*.bak"]]
    plain = run(["scan", "--exclude", "*.bak", "share"], tmp_path).stdout
    assert "Excluded (" not in plain and "listed with --list-excluded" in plain


def test_jsonl_has_an_event_per_excluded_entry(tmp_path: Path) -> None:
    share(tmp_path)
    lines = [json.loads(line) for line in run(["scan", "--format", "jsonl", "share"], tmp_path).stdout.splitlines()]
    assert [(line["path"].rsplit("/", 1)[1], line["rule"]) for line in lines if line["event"] == "excluded"] == [
        (".snapshot", "netapp-snapshot")]


def test_merge_keeps_the_excluded_entries(tmp_path: Path) -> None:
    root = share(tmp_path)
    run(["scan", "--format", "json", "-o", "s.json", "share"], tmp_path)
    merged = json.loads(run(["merge", "--format", "json", "s.json"], tmp_path).stdout)
    assert merged["excluded"] == [{"path": str(root / ".snapshot"), "rule": "netapp-snapshot"}]


def test_a_name_holding_a_number_is_masked_in_the_list(tmp_path: Path) -> None:
    number = valid_number(77)
    people_csv(tmp_path / "share" / f"{number}.bak", 1)
    done = run(["scan", "--format", "json", "--exclude", "*.bak", "share"], tmp_path)
    assert number not in done.stdout
    assert json.loads(done.stdout)["excluded"][0]["path"].endswith(f"********{number[-4:]}.bak")


def test_the_listing_is_rendered_through_the_format_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--list-excluded`` picks its renderer from :mod:`detector.report.formats` as every output does: text lists
    the entries, formats that always list them or never do are rendered as without the option."""
    from detector import scan
    from detector.report import render

    monkeypatch.setenv("MYNUMBER_KEY", "excluded-key")
    result = scan(share(tmp_path), excludes=["*.bak"])
    assert "Excluded (" in render(result, "text", list_excluded=True)
    assert "Excluded (" not in render(result, "text")
    for fmt in ("json", "csv", "sarif"):
        assert render(result, fmt, list_excluded=True) == render(result, fmt)
