"""The library's entry, ``from detector import scan``: what ``mynumber scan`` does, as a function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from detector import scan
from detector.cli import main
from detector.errors import UsageError
from tests.conftest import valid_number


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A share of two people, one of them in a web root; the key from the environment, as for the command."""
    monkeypatch.setenv("MYNUMBER_KEY", "api-test-key")
    root = tmp_path / "share"
    (root / "htdocs").mkdir(parents=True)
    (root / "staff.csv").write_text(f"氏名,個人番号\n山田,{valid_number(1)}\n", encoding="utf-8")
    (root / "htdocs" / "form.txt").write_text(f"マイナンバー: {valid_number(2)}\n", encoding="utf-8")
    return root


def test_the_library_and_the_command_line_give_the_same_result(share: Path) -> None:
    result = scan(share, public_paths=[str(share / "htdocs")])
    shown = CliRunner().invoke(main, ["scan", str(share), "--public", str(share / "htdocs"), "--format", "json",
                                      "--quiet"])
    document = json.loads(shown.stdout)
    assert result.distinct_people == 2 and result.public_distinct_people == 1
    assert result.exit_status == shown.exit_code
    mine = result.to_json()
    assert mine["summary"] == document["summary"]
    assert sorted(f["fingerprint"] for f in mine["findings"]) == sorted(f["fingerprint"] for f in document["findings"])


def test_the_result_holds_no_number(share: Path) -> None:
    text = json.dumps(scan([str(share)]).to_json(), ensure_ascii=False)
    assert valid_number(1) not in text and valid_number(2) not in text


def test_a_public_path_under_no_root_is_refused_as_on_the_command_line(share: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(UsageError, match="elsewhere"):
        scan(share, public_paths=[str(tmp_path / "elsewhere")])


def test_excludes_and_confidence_are_the_command_line_options(share: Path) -> None:
    result = scan([share], excludes=["htdocs"], min_confidence="high")
    assert [Path(f.path).name for f in result.findings] == ["staff.csv"]
    with pytest.raises(ValueError, match="unknown confidence"):
        scan(share, min_confidence="certain")
