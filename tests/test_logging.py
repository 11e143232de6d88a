"""-v and -vv: the log says what the walk and the readers do (folders entered, each file and what it was identified
as, what was skipped and why; each file's time at -vv), on stderr, and never holds a number."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import valid_number

NUMBERS = [valid_number(9300 + i) for i in range(6)]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TWELVE_DIGITS = re.compile(r"[0-9０-９]{12}|[0-9０-９]{4}[- ][0-9０-９]{4}[- ][0-9０-９]{4}")  # any run, any form
DETECTOR = Path(__file__).parent.parent / "detector"


def build(share: Path) -> None:
    (share / "hr" / "old").mkdir(parents=True)
    (share / "snap" / ".snapshot").mkdir(parents=True)
    (share / "hr" / "list.csv").write_text(f"氏名,個人番号\n山田,{NUMBERS[0]}\n", encoding="utf-8")
    (share / "hr" / "old" / "memo.txt").write_text(f"個人番号 {NUMBERS[1].translate(FULL_WIDTH)}\n", encoding="cp932")
    (share / "hr" / "old" / "log.txt").write_text(f"my_number={NUMBERS[2][:4]}-{NUMBERS[2][4:8]}-{NUMBERS[2][8:]}\n")
    (share / f"給与_{NUMBERS[3]}.txt").write_text("nothing\n", encoding="utf-8")
    (share / "snap" / ".snapshot" / "copy.txt").write_text(f"個人番号 {NUMBERS[4]}\n", encoding="utf-8")
    with zipfile.ZipFile(share / "hr" / "a.zip", "w") as archive:
        archive.writestr(f"{NUMBERS[5]}.txt", "hello\n")
        archive.writestr("b.txt", f"個人番号 {NUMBERS[5]}\n")
    (share / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (share / "clean.txt").write_text("nothing to see\n", encoding="utf-8")
    os.symlink("clean.txt", share / "link.txt")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": "logging-test"}, timeout=180)


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logging")
    build(root / "share")
    return root


@pytest.fixture(scope="module")
def very_verbose(share: Path) -> subprocess.CompletedProcess[str]:
    return run(["scan", "share", "-vv", "-j", "1", "--format", "json"], share)


def test_nothing_is_logged_without_v(share: Path) -> None:
    done = run(["scan", "share", "--format", "json"], share)
    assert done.returncode == 5 and done.stderr == ""  # 5: possibly reportable, as an image could not be read


def test_v_tells_the_folders_the_files_and_what_was_skipped(share: Path) -> None:
    done = run(["scan", "share", "-v", "-j", "1", "--format", "json"], share)
    lines = done.stderr.splitlines()
    assert "mynumber: INFO: folder share/hr/old" in lines
    assert "mynumber: INFO: read share/hr/list.csv: delimited, 40 bytes, 1 findings, 0 held back, 0 samples" in lines
    assert "mynumber: INFO: read share/hr/a.zip: zip, 248 bytes, 2 findings, 0 held back, 0 samples" in lines
    assert "mynumber: INFO: read share/clean.txt: text, 15 bytes, nothing found" in lines
    assert any(re.fullmatch(r"mynumber: INFO: excluded /.*/share/snap/\.snapshot \(rule .*\)", line) for line in lines)
    assert "mynumber: INFO: not scanned share/link.txt: symbolic link not followed (use --follow-symlinks)" in lines
    assert any(line.startswith("mynumber: INFO: not scanned share/scan.png: ") for line in lines)  # a bad picture
    assert not any(line.endswith(" ms") for line in lines)  # times only at -vv


def test_vv_adds_each_files_time(very_verbose: subprocess.CompletedProcess[str]) -> None:
    reads = [line for line in very_verbose.stderr.splitlines() if line.startswith("mynumber: INFO: read ")]
    assert len(reads) >= 6 and all(re.search(r" in [0-9.]+ ms$", line) for line in reads)


def test_the_log_never_holds_a_number(very_verbose: subprocess.CompletedProcess[str]) -> None:
    assert very_verbose.returncode == 5
    assert json.loads(very_verbose.stdout)["summary"]["distinct_people"] == 5  # the files did hold numbers
    assert "share/給与_********" in very_verbose.stderr  # a name holding one is masked
    assert TWELVE_DIGITS.search(very_verbose.stderr) is None
    for number in NUMBERS:
        assert number not in very_verbose.stderr and number.translate(FULL_WIDTH) not in very_verbose.stderr


def test_a_verbose_scan_gives_the_same_result(share: Path, very_verbose: subprocess.CompletedProcess[str]) -> None:
    """-v scans a batch one file at a time, to time each: the batch's plain twin, with the same result."""
    quiet = run(["scan", "share", "-j", "1", "--format", "json"], share)
    documents = [json.loads(done.stdout) for done in (quiet, very_verbose)]
    for document in documents:
        del document["scan"]
    assert documents[0] == documents[1]


def test_only_the_command_line_configures_log_handlers() -> None:
    """Library modules take ``logging.getLogger(__name__)`` and leave where records go to the command line."""
    configuring = re.compile(r"basicConfig\(|\.addHandler\((?!logging\.NullHandler)|\.handlers\[")
    offenders = [str(path.relative_to(DETECTOR)) for path in DETECTOR.rglob("*.py")
                 if path.name != "cli.py" and configuring.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
