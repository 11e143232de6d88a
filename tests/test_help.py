"""The help an admin reads: every command with examples, the command list whole, the help and the command line's
own messages in the locale's language (ja/en), shell completion, and a man page made from the same definitions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from detector import cli_help
from detector.cli import main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [path for path, _ in cli_help.commands(main)]
ENGLISH = {"LC_ALL": "C.UTF-8"}
JAPANESE = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "ja_JP.UTF-8"}


def run(args: list[str], locale: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "", "LC_MESSAGES": "", "LANG": "", **locale, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "detector", *args], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_shows_examples_after_its_options(command: str) -> None:
    shown = run([*command.split(), "--help"], ENGLISH).stdout
    assert "\nOptions:\n" in shown and "\n  Examples:\n" in shown
    examples = shown.split("\n  Examples:\n", 1)[1].splitlines()
    assert shown.index("\nOptions:\n") < shown.index("\n  Examples:\n")
    assert examples and all(line.startswith("    ") and "mynumber" in line for line in examples if line)
    assert any(f"mynumber {command}" in line or (command == "merge" and "mynumber merge" in line)
               for line in examples)


def test_the_command_list_shows_each_summary_whole() -> None:
    shown = run(["--help"], ENGLISH).stdout
    listed = shown.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    entries = re.split(r"\n  (?=\S)", "\n" + listed)[1:]
    summaries = {entry.split()[0]: " ".join(entry.split()[1:]) for entry in entries}
    assert set(summaries) == set(main.commands)
    for name, summary in summaries.items():
        assert not summary.endswith("..."), f"{name}: {summary}"
        assert summary == cli_help.SHORT_HELP["en"].get(name, summary)


def test_the_top_level_help_says_how_to_get_shell_completion() -> None:
    assert '_MYNUMBER_COMPLETE=bash_source mynumber' in run(["--help"], ENGLISH).stdout


def test_shell_completion_is_clicks_own() -> None:
    command = Path(sys.executable).parent / "mynumber"
    if not command.exists():
        pytest.skip("the mynumber command is not installed beside this python")
    script = subprocess.run([str(command)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "_MYNUMBER_COMPLETE": "bash_source"}).stdout
    assert "_mynumber_completion()" in script and "complete -o nosort -F _mynumber_completion mynumber" in script
    completed = subprocess.run([str(command)], capture_output=True, text=True, timeout=60, env={
        **os.environ, "_MYNUMBER_COMPLETE": "bash_complete", "COMP_WORDS": "mynumber wa", "COMP_CWORD": "1"}).stdout
    assert "plain,watch" in completed.splitlines()


# -- the language -----------------------------------------------------------------------------------------------


def test_the_language_follows_the_locale_in_posix_order() -> None:
    assert cli_help.language({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert cli_help.language({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}) == "en"
    assert cli_help.language({"LANG": "C", "LC_MESSAGES": "ja_JP.eucJP"}) == "ja"
    assert cli_help.language({"LANG": "en_US.UTF-8"}) == "en"
    assert cli_help.language({}) == "en"
    assert set(cli_help.LANGUAGES) == set(cli_help.SHORT_HELP) == set(cli_help.MESSAGES)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_under_a_japanese_locale_the_help_is_japanese(command: str) -> None:
    shown = run([*command.split(), "--help"], JAPANESE).stdout
    description = shown.split("\n\n", 2)[1]
    assert re.search(r"[ぁ-んァ-ヶ]", description), description  # kana: Japanese, not only the word 個人番号
    assert "このヘルプを表示して終了します。" in shown
    assert ("\n  例:\n" in shown) if command else ("シェル補完" in shown)


def test_every_option_has_its_japanese_help_and_every_entry_names_an_option() -> None:
    keys = {""}
    missing = []
    for path, command in [("", main), *cli_help.commands(main)]:
        keys.add(path)
        for param in command.params:
            if isinstance(param, click.Option):
                key = cli_help.option_key(path, param)
                keys.add(key)
                if key not in cli_help.HELP_JA and "* " + key.split(" ")[-1] not in cli_help.HELP_JA:
                    missing.append(key)
    assert missing == []
    assert [key for key in cli_help.HELP_JA if key not in keys and not key.startswith("* ")] == []
    assert all(path in cli_help.SHORT_HELP[lang] for lang in cli_help.LANGUAGES for path in COMMANDS)
    assert all(path in cli_help.EXAMPLES for path in COMMANDS)


def test_the_command_lines_own_errors_follow_the_locale(tmp_path: Path) -> None:
    english = run(["scan", "--reveal", str(tmp_path)], ENGLISH)
    japanese = run(["scan", "--reveal", str(tmp_path)], JAPANESE)
    assert english.returncode == japanese.returncode == 2
    assert english.stderr == "mynumber: error: --reveal writes raw numbers only into a file: give --output FILE\n"
    assert japanese.stderr.startswith("mynumber: エラー: --reveal は番号そのものをファイルにだけ書きます")
    (tmp_path / "file.txt").write_text("x\n")
    assert run(["watch", str(tmp_path / "file.txt")], JAPANESE).stderr.startswith(
        f"mynumber: エラー: {tmp_path}/file.txt: フォルダではありません")


# -- the man page -----------------------------------------------------------------------------------------------


def test_the_man_page_is_made_from_the_current_definitions() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_manpage.py"), "--check"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    page = (ROOT / "docs" / "mynumber.1").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f'.SS "mynumber {command} ' in page
    assert "\\-\\-syslog\\-facility" in page and "_MYNUMBER_COMPLETE=bash_source" in page
