"""One place builds what a scan runs with (:func:`detector.scan_setup.scan_setup`): ``mynumber scan``, ``mynumber
watch``, the library's ``detector.scan`` and quarantine's re-reading of a file all go through it, and none of them
builds a :class:`~detector.model.ScanOptions` of its own."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import detector.api
import detector.scan_setup
from detector import scan
from detector.cli import main
from detector.errors import UsageError
from detector.model import Confidence
from detector.scan_setup import ScanSetup, scan_setup

PACKAGE = Path(__file__).resolve().parent.parent / "detector"


def test_the_callers_construct_no_scan_options_of_their_own() -> None:
    builders = set()
    for path in [PACKAGE / "cli.py", PACKAGE / "api.py", PACKAGE / "scan_setup.py", *(PACKAGE / "watch").glob("*.py"),
                 *(PACKAGE / "contain").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ScanOptions":
                builders.add(path.relative_to(PACKAGE).as_posix())
    assert builders == {"scan_setup.py"}


class Refused(UsageError):
    """What the recording builder raises once it has seen a caller's options: the command stops there."""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of the builder, by whichever caller, with its options; each call then fails as a usage error."""
    seen: list[dict[str, Any]] = []

    def recording(**options: Any) -> ScanSetup:
        seen.append(options)
        raise Refused("recorded")

    monkeypatch.setattr(detector.scan_setup, "scan_setup", recording)
    monkeypatch.setattr(detector.api, "scan_setup", recording)  # the name the library entry took at import
    return seen


def test_scan_watch_and_the_library_each_build_their_options_with_it(calls: list[dict[str, Any]],
                                                                      tmp_path: Path) -> None:
    runner = CliRunner()
    scanned = runner.invoke(main, ["scan", "--min-confidence", "high", "--exclude", "*.bak", str(tmp_path)])
    watched = runner.invoke(main, ["watch", "--min-confidence", "low", "--baseline", "b.json", str(tmp_path)])
    with pytest.raises(Refused):
        scan(tmp_path, min_confidence="medium", excludes=["*.tmp"])

    assert (scanned.exit_code, watched.exit_code) == (2, 2), scanned.output + watched.output
    assert [call["min_confidence"] for call in calls] == ["high", "low", "medium"]
    assert calls[0]["excludes"] == ("*.bak",) and calls[1]["baseline"] == "b.json"
    assert list(calls[2]["excludes"]) == ["*.tmp"]


def test_it_loads_the_key_parses_the_confidence_and_makes_tuples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYNUMBER_KEY", "setup-key")
    setup = scan_setup(min_confidence="low", excludes=["*.bak"], rules_dirs=iter(["rules.d"]), jobs=2)
    assert setup.options.key == b"setup-key"
    assert setup.options.min_confidence is Confidence.LOW
    assert (setup.options.excludes, setup.options.rules_dirs, setup.options.jobs) == (("*.bak",), ("rules.d",), 2)
    assert setup.baseline is None
    with pytest.raises(ValueError, match="confidence"):
        scan_setup(min_confidence="certain")


def test_a_key_already_loaded_is_used_as_given() -> None:
    # quarantine has loaded the key to check the scan's key id before it re-reads anything
    options = scan_setup(key=b"the key quarantine loaded", min_confidence="high").options

    assert (options.key, options.min_confidence) == (b"the key quarantine loaded", Confidence.HIGH)
