"""The tool never becomes the leak: no number from the scanned files appears in any output, error or file
it writes, in any format, unless --reveal was given with --output (and then only in that 0600 file)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import valid_number

NUMBERS = [valid_number(1000 + i) for i in range(8)]
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def forms(number: str) -> list[str]:
    groups = (number[:4], number[4:8], number[8:])
    return [number, "-".join(groups), " ".join(groups), number.translate(FW), number[:8]]


def build_share(root: Path) -> None:
    (root / "hr").mkdir(parents=True)
    (root / "www" / "htdocs").mkdir(parents=True)
    (root / "logs").mkdir()
    (root / "hr" / "list.csv").write_text("氏名,個人番号\n" + "".join(f"p{i},{n}\n" for i, n in enumerate(NUMBERS[:3])),
                                          encoding="cp932")
    (root / "www" / "htdocs" / "x.txt").write_text(f"マイナンバー {forms(NUMBERS[3])[1]}\n")
    percent = "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in NUMBERS[4])
    escaped = "".join(f"\\uff1{d}" for d in NUMBERS[5])
    (root / "logs" / "app.log").write_text(f"GET /?my_number={percent}\n{{\"individual_number\":\"{escaped}\"}}\n"
                                           f"bare {NUMBERS[6]}\n個人番号 {NUMBERS[7].translate(FW)}\n")
    (root / "logs" / "broken.csv").write_bytes(b'a,"b\n' + NUMBERS[0].encode() + b"\x00\xff")
    (root / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + NUMBERS[1].encode())


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True,
                          env={**os.environ, "MYNUMBER_KEY": "leak-test"}, timeout=120)


def assert_no_number(data: bytes, where: str) -> None:
    text = data.decode("utf-8", "replace")
    for number in NUMBERS:
        for form in forms(number)[:4]:
            assert form not in text, f"{where} holds a raw number"


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leak")
    build_share(root / "share")
    (root / "badrules").mkdir()
    (root / "badrules" / "context.toml").write_text(f"schema = 1\n[[keyword]]\nid = '{NUMBERS[0]}'\n")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv", "sarif"])
def test_no_output_format_holds_a_number(share: Path, fmt: str) -> None:
    for extra in ([], ["--min-confidence", "low"], ["-v"]):
        done = run(["scan", "share", "--format", fmt, *extra], share)
        assert done.returncode == 5  # a web root by rule, to confirm: possibly reportable (issue 15)
        assert_no_number(done.stdout, f"{fmt} stdout")
        assert_no_number(done.stderr, f"{fmt} stderr")
    out = share / f"out.{fmt}"
    run(["scan", "share", "--format", fmt, "--min-confidence", "low", "-o", str(out)], share)
    assert_no_number(out.read_bytes(), f"{fmt} output file")


def test_errors_merge_and_check_hold_no_number(share: Path) -> None:
    bad = run(["scan", "share", "--rules", "badrules"], share)
    assert bad.returncode in (1, 2, 3)
    assert_no_number(bad.stdout + bad.stderr, "rules error")
    run(["scan", "share", "--format", "json", "-o", "a.json"], share)
    merged = run(["merge", "a.json", "a.json"], share)
    assert_no_number(merged.stdout + merged.stderr, "merge")
    for number in (NUMBERS[0], NUMBERS[0][:11] + str((int(NUMBERS[0][11]) + 1) % 10)):
        checked = run(["check", number], share)
        assert number not in (checked.stdout + checked.stderr).decode()


def test_reveal_writes_numbers_only_into_its_0600_file(share: Path) -> None:
    done = run(["scan", "share", "--format", "json", "--reveal", "--min-confidence", "low", "-o", "reveal.json"],
               share)
    assert_no_number(done.stdout + done.stderr, "reveal stdout")
    path = share / "reveal.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    revealed = {f.get("number") for f in json.loads(path.read_text())["findings"]}
    assert set(NUMBERS) <= revealed


def test_the_state_and_cache_files_hold_no_number(share: Path) -> None:
    home = share / "home"
    subprocess.run([sys.executable, "-m", "detector", "scan", "share"], cwd=share, capture_output=True,
                   env={**os.environ, "MYNUMBER_KEY": "", "XDG_STATE_HOME": str(home / "state"),
                        "XDG_CACHE_HOME": str(home / "cache")}, timeout=120, check=False)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files, "the key should have been created in the state directory"
    key = home / "state" / "mynumber" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    for path in files:
        assert_no_number(path.read_bytes(), str(path))


def test_no_number_from_documents_archives_or_mail_leaks(tmp_path: Path) -> None:
    """fixtures/documents (workbooks, PDFs, Word, slides, archives, mail, encrypted and damaged parts): the raw
    numbers, learnt from a --reveal file, appear in no scan output of any format, no log, and no report."""
    root = Path(__file__).resolve().parent.parent
    documents = root / "fixtures" / "documents"
    revealed = tmp_path / "revealed.json"
    run(["scan", str(documents), "--min-confidence", "low", "--reveal", "--format", "json", "-o", str(revealed)],
        root)
    numbers = {f["number"] for f in json.loads(revealed.read_text(encoding="utf-8"))["findings"]}
    assert len(numbers) >= 25
    outputs = []
    for fmt in ("text", "json", "jsonl", "csv", "sarif"):
        done = run(["scan", str(documents), "--min-confidence", "low", "-vv", "--format", fmt], root)
        outputs.append((f"scan --format {fmt}", done.stdout + done.stderr))
    scan = tmp_path / "scan.json"
    run(["scan", str(documents), "--format", "json", "-o", str(scan)], root)
    for fmt in ("html", "md", "json"):
        done = run(["report", str(scan), "--format", fmt, "--discovered", "2026-11-20"], root)
        outputs.append((f"report --format {fmt}", done.stdout + done.stderr))
    for where, data in outputs:
        text = data.decode("utf-8", "replace")
        for number in numbers:
            groups = (number[:4], number[4:8], number[8:])
            for form in (number, "-".join(groups), " ".join(groups), number.translate(FW)):
                assert form not in text, f"{where} holds a raw number"


def test_the_values_that_hold_digits_or_the_key_do_not_show_them() -> None:
    """A candidate (raw digits, and the text around them) and the scan options (the fingerprint key) are shown
    without them, so a debug log line or a traceback's locals cannot leak them."""
    from detector.model import Candidate, Confidence, Location, ScanOptions

    number = valid_number(3)
    candidate = Candidate(number, False, Location(line=2), Confidence.HIGH, ("keyword:kojin-bango",),
                          around=f"個人番号 {number}", headers=("氏名",))
    for shown in (repr(candidate), str(candidate), f"{candidate}", repr([candidate])):
        assert number not in shown and "個人番号" not in shown and "HIGH" in shown
    options = ScanOptions(key=b"secret-key-bytes", jobs=2)
    assert "secret-key-bytes" not in repr(options) and "jobs=2" in repr(options)
