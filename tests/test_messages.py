"""The library's errors in the user's language: one catalogue (:mod:`detector.messages`) holds the words of the
command line's messages and of the library's errors in English and Japanese; under a ja_* locale the command line
shows a library error in Japanese, while ``str()`` of the error stays English for programs and logs."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from detector import cli_help, messages
from detector.errors import RulesError, UsageError
from detector.locations import check_public_paths
from detector.messages import MESSAGES, text

from .test_cli import run

PACKAGE = Path(__file__).resolve().parent.parent / "detector"
ERRORS = {"MyNumberToolError", "UsageError", "ScanError", "KeyError_", "RulesError", "WorkerRefused"}
# Modules whose errors are all worded in the catalogue. The others raise no error of their own, or still raise
# English strings, shown in English in both languages until their words are added. (cli.py's click.BadParameter
# texts are click's to frame, in English: "Error: Invalid value for ...".)
WORDED = {"baseline.py", "locations.py", "people.py", "outputs.py", "walk.py", "result.py", "schema.py",
          "scan_setup.py", "errors.py", "messages.py", "notify.py", "watch/metrics.py", "config.py", "rules.py",
          "selection.py", "api.py", "cli.py", "dask_scan.py"}
# Packages whose every module is worded, the modules added to them later included.
WORDED |= {f"{package}/{path.name}" for package in ("access", "contain") for path in (PACKAGE / package).glob("*.py")}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_values() -> None:
    assert set(MESSAGES) == set(messages.LANGUAGES)
    assert set(MESSAGES["en"]) == set(MESSAGES["ja"])
    for key, english in MESSAGES["en"].items():
        assert _fields(english) == _fields(MESSAGES["ja"][key]), key


def test_the_command_line_reads_its_messages_from_the_same_catalogue() -> None:
    assert cli_help.MESSAGES is MESSAGES
    assert cli_help.message("interrupted", "ja") == MESSAGES["ja"]["interrupted"]


def test_a_library_error_is_english_as_a_string_and_japanese_when_asked(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        check_public_paths([str(tmp_path / "www")], [str(tmp_path)])
    assert str(raised.value) == f"--public {tmp_path / 'www'}: no such file or folder (it decides whether numbers " \
                                "are in a public place, so it must name one)"
    assert raised.value.localized("ja").startswith(f"--public {tmp_path / 'www'}: そのようなファイルもフォルダも")
    assert raised.value.localized("en") == str(raised.value)


def test_a_rules_error_puts_its_problem_into_words_in_the_same_language() -> None:
    error = RulesError("rules/x.toml", text("public.missing", path="/srv"), line=3)
    assert str(error).startswith("rules/x.toml:3: --public /srv: no such file")
    assert error.localized("ja").startswith("rules/x.toml:3: --public /srv: そのようなファイル")
    assert RulesError("rules/x.toml", "an English problem").localized("ja") == "rules/x.toml: an English problem"


def test_under_a_japanese_locale_the_command_line_shows_a_library_error_in_japanese(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    japanese = run(["scan", "--public", "nowhere", "share"], tmp_path, env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""})
    english = run(["scan", "--public", "nowhere", "share"], tmp_path, env={"LANG": "C.UTF-8", "LC_ALL": ""})
    assert japanese.returncode == english.returncode == 2
    assert japanese.stderr == "mynumber: エラー: --public nowhere: そのようなファイルもフォルダもありません(番号が" \
                              "公開の場所にあるかを決めるので、実在する場所を指定してください)\n"
    assert english.stderr.startswith("mynumber: error: --public nowhere: no such file or folder")


def test_the_library_raises_its_errors_with_the_catalogue_s_words() -> None:
    """No error of the worded modules is raised with a string of its own (an f-string or a literal)."""
    plain = set()
    for name in sorted(WORDED):
        path = PACKAGE / name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS and node.args:
                words = node.args[1] if node.func.id == "RulesError" and len(node.args) > 1 else node.args[0]
                if isinstance(words, ast.Constant | ast.JoinedStr | ast.BinOp):
                    plain.add(name)
    assert plain == set()
