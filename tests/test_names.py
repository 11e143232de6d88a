"""Names in outputs: file, folder, member and sheet names are text from the scanned share, as hostile as its
contents. Every writer shows them in one escaped form (``detector.names``): lossless for names that are not
UTF-8 (Shift_JIS names copied from Windows), with terminal controls and bidi overrides escaped so a name
cannot rewrite a terminal or forge a line, and with any My Number in them masked. A number in a name is
itself an exposure: it is found, with a location saying which name it is in."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector import names

from .conftest import valid_number

NUMBERS = [valid_number(7100 + i) for i in range(10)]
FW = str.maketrans("0123456789", "０１２３４５６７８９")
SJIS_NAME = b"\x8c\xc2\x90l.txt"  # 個人.txt in Shift_JIS: not UTF-8
ESC_NAME = "a\x1b[2J\x1b]8;;http:evil.example\x07click\x1b]8;;\x07.txt"
FORGED_NAME = "line\nFORGED-LINE.txt"
BIDI_NAME = "invoice\u202etxt.exe\u2066x\u2069\u200b.txt"
HTML_NAME = "<script>alert(1)<\\script>.txt"


def masked(number: str) -> str:
    return "*" * 8 + number[-4:]


def timestamp_number() -> str:
    """A YYYYMMDDhhmm stamp that happens to pass the check digit (one in ten do): a backup's name, not a person."""
    from detector.mynumber import is_valid

    for minute in range(60):
        stamp = f"2024120112{minute:02d}"
        if is_valid(stamp):
            return stamp
    raise AssertionError("no valid stamp")


STAMP = timestamp_number()


# -- the escaped form --------------------------------------------------------------------------------------


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_the_escaped_form_of_any_name_is_utf8_and_gives_its_bytes_back(raw: bytes) -> None:
    name = os.fsdecode(raw)
    shown = names.escape(name)
    shown.encode("utf-8")  # never a surrogate
    assert names.unescape(shown) == name
    assert os.fsencode(names.unescape(shown)) == raw
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") for ch in shown)


@given(st.text(max_size=40))
def test_any_text_round_trips_through_the_escaped_form(text: str) -> None:
    assert names.unescape(names.escape(text)) == text


def test_the_escaped_form_is_documented_and_unambiguous() -> None:
    assert names.escape(os.fsdecode(SJIS_NAME)) == "\\x8c\\xc2\\x90l.txt"
    assert names.escape("a\\x8c") == "a\\\\x8c"  # a backslash is doubled: a real \x8c in a name stays apart
    assert names.unescape("a\\\\x8c") == "a\\x8c"
    assert names.escape("a\x1b[31mb") == "a\\x1b[31mb"
    assert names.escape("a\r\nb\tc") == "a\\x0d\\x0ab\\x09c"
    assert names.escape("x\u202ey\u2066z\u2069\u200b\u2028") == "x\\u202ey\\u2066z\\u2069\\u200b\\u2028"
    assert names.escape("\u0085\u009b") == "\\xc2\\x85\\xc2\\x9b"  # C1 controls as their UTF-8 bytes
    assert names.escape("\U000e0001tag") == "\\U000e0001tag"
    assert names.escape("給与 明細.csv") == "給与 明細.csv"  # ordinary names are left alone


def test_every_control_and_format_character_of_unicode_is_escaped() -> None:
    dangerous = {"Cc", "Cf", "Zl", "Zp", "Cs"}
    if unicodedata.unidata_version == "14.0.0":  # the table in detector.names was made from this version
        for code in range(0x110000):
            ch = chr(code)
            assert (names.escape(ch) != ch) == (unicodedata.category(ch) in dangerous or ch == "\\"), hex(code)
    for ch in "\x00\x07\x1b\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff":
        assert names.escape(ch) != ch


def test_numbers_in_names_are_masked_and_nothing_else_is() -> None:
    n = NUMBERS[0]
    assert names.shown(f"給与_{n}.csv") == f"給与_{masked(n)}.csv"
    assert names.shown(f"{n}_山田.pdf") == f"{masked(n)}_山田.pdf"
    assert names.shown(n.translate(FW)) == "*" * 8 + n[-4:].translate(FW)
    grouped = f"{n[:4]}-{n[4:8]}-{n[8:]}"
    assert names.shown(f"x {grouped}.txt") == f"x ****-****-{n[8:]}.txt"
    assert names.shown(f"{n}.txt", reveal=True) == f"{n}.txt"
    wrong = n[:11] + str((int(n[11]) + 1) % 10)
    assert names.shown(f"{wrong}.txt") == f"{wrong}.txt"  # not a My Number
    assert names.shown(f"{n}7.txt") == f"{n}7.txt"  # 13 digits: a longer number
    assert names.shown(f"a\x1b{n}") == f"a\\x1b{masked(n)}"


_NAME_TEXT = st.text(alphabet="0123456789０１２３４５６７８９-_ .ー\u3000a山", max_size=12)


@st.composite
def _names_with_numbers(draw: st.DrawFn) -> str:
    from detector.mynumber import calc_check_digit

    body = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=11, max_size=11)))
    number = body + calc_check_digit(body)
    number = "".join(ch.translate(FW) if draw(st.booleans()) else ch for ch in number)
    separator = draw(st.sampled_from(["", "-", " ", ".", "ー", "\u3000", "－"]))
    form = separator.join((number[:4], number[4:8], number[8:]))
    return draw(_NAME_TEXT) + form + draw(_NAME_TEXT)


@given(_names_with_numbers())
def test_whatever_the_finder_sees_in_a_name_passes_the_cheap_test_and_is_masked(name: str) -> None:
    """The cheap test (run on every name) never lets a number through, and masking hides every number the
    detection finds: what is found in a name is never written."""
    from detector.candidates import DigitFinder
    from detector.rules import load_rules

    found = list(DigitFinder(load_rules().separators).find(name))
    if found:
        assert names.may_hold_number(name)
    hidden = names.mask_numbers(name)
    assert len(hidden) == len(name)
    for match in found:
        assert hidden[match.start:match.end].count("*") == 8


def test_the_readable_form_decodes_shift_jis_names_component_by_component() -> None:
    path = os.fsdecode("報告/".encode() + SJIS_NAME)
    assert names.display(path) == "報告/個人.txt"
    assert names.display("報告/個人.txt") is None  # UTF-8 already: the escaped form is readable
    assert names.display(os.fsdecode(b"\xff\xfe.txt")) is None  # neither UTF-8 nor CP932: only the escaped form
    assert names.display(os.fsdecode(b"\x8c\xc2" + NUMBERS[1].encode())) == f"個{masked(NUMBERS[1])}"
    assert names.readable(path) == "報告/個人.txt"
    assert names.readable("a\x1bb") == "a\\x1bb"


# -- the share ----------------------------------------------------------------------------------------------


def _xlsx(sheet: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheet
    book.active["A1"] = "hello"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(root: Path) -> None:
    share = root / "share"
    (share / "sjis").mkdir(parents=True)
    (share / "hostile").mkdir()
    (share / f"{NUMBERS[5]}_田中").mkdir()
    sjis = os.fsencode(share / "sjis")
    with open(sjis + b"/" + SJIS_NAME, "wb") as handle:
        handle.write(f"個人番号 {NUMBERS[0]}\n".encode())
    with open(sjis + b"/\x8c\xc2\x90l_" + NUMBERS[1].encode() + b".txt", "wb") as handle:
        handle.write(b"nothing here\n")
    for i, name in enumerate((ESC_NAME, FORGED_NAME, BIDI_NAME, HTML_NAME)):
        (share / "hostile" / name).write_text(f"個人番号 {NUMBERS[8] if i == 0 else NUMBERS[9]}\n", encoding="utf-8")
    (share / f"給与_{NUMBERS[3]}.csv").write_text("氏名,部署\n山田,総務\n", encoding="utf-8")
    (share / f"{NUMBERS[4]}_山田.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    for name in ("a.txt", "b.txt", "c.txt"):
        (share / f"{NUMBERS[5]}_田中" / name).write_text("nothing\n")
    with zipfile.ZipFile(share / "archive.zip", "w") as archive:
        archive.writestr(f"2024/{NUMBERS[6]}_佐藤.txt", "hello\n")
    (share / "book.xlsx").write_bytes(_xlsx(NUMBERS[7]))
    (share / f"backup_{STAMP}.log").write_text("nothing\n")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True,
                          env={**os.environ, "MYNUMBER_KEY": "names-test"}, timeout=180)


def assert_no_raw_number(data: bytes, where: str) -> None:
    for number in NUMBERS:
        assert number.encode() not in data, f"{where} holds a raw number"
        assert number.translate(FW).encode() not in data, f"{where} holds a raw number"


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names")
    build(root)
    return root


@pytest.fixture(scope="module")
def scan_json(share: Path) -> dict[str, Any]:
    done = run(["scan", "share", "--format", "json", "-o", "scan.json"], share)
    assert done.returncode == 5, done.stderr.decode(errors="replace")  # an unread PDF (issue 15)
    document: dict[str, Any] = json.loads((share / "scan.json").read_bytes().decode("utf-8"))
    return document


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv", "sarif"])
@pytest.mark.parametrize("to_file", [True, False])
def test_every_format_writes_every_name_as_valid_utf8(share: Path, fmt: str, to_file: bool) -> None:
    out = share / f"out-{fmt}"
    done = run(["scan", "share", "--format", fmt, *(["-o", str(out)] if to_file else [])], share)
    assert done.returncode == 5, done.stderr.decode(errors="replace")  # an unread PDF (issue 15)
    data = out.read_bytes() if to_file else done.stdout
    text = data.decode("utf-8")  # strict: no surrogate, no stray byte
    if fmt == "text":
        assert "share/sjis/個人.txt" in text  # for people: Shift_JIS decoded
    else:  # the escaped form (json doubles its backslashes)
        assert "\\x8c\\xc2\\x90l.txt" in text.replace("\\\\", "\\")
    for hostile in ("\x1b", "\u202e", "\u2066", "\u200b", "\x07"):
        assert hostile not in text, f"{fmt}: a terminal control reached the output"
    assert "\nFORGED-LINE" not in text and "\rFORGED-LINE" not in text
    assert_no_raw_number(data + done.stderr, fmt)


def test_reveal_and_state_write_such_names_too(share: Path) -> None:
    for fmt in ("json", "csv", "text", "sarif", "jsonl"):
        out = share / f"reveal.{fmt}"
        done = run(["scan", "share", "--format", fmt, "--reveal", "-o", str(out), "--state", "state.db"], share)
        assert done.returncode == 5, done.stderr.decode(errors="replace")  # an unread PDF (issue 15)
        text = out.read_bytes().decode("utf-8")
        assert NUMBERS[0] in text and NUMBERS[3] in text  # the raw numbers, in this 0600 file only
        assert f"給与_{NUMBERS[3]}.csv" in text  # names unmasked only here


def test_json_gives_the_escaped_path_and_a_readable_one(scan_json: dict[str, Any]) -> None:
    by_display = {f.get("path_display"): f for f in scan_json["findings"] if f.get("path_display")}
    assert "share/sjis/個人.txt" in by_display
    finding = by_display["share/sjis/個人.txt"]
    assert finding["path"] == "share/sjis/\\x8c\\xc2\\x90l.txt"
    assert finding["masked"] == masked(NUMBERS[0]) and finding["confidence"] == "high"
    paths = [f["path"] for f in scan_json["findings"]]
    assert "share/hostile/line\\x0aFORGED-LINE.txt" in paths
    assert "share/hostile/" + names.escape(ESC_NAME) in paths
    assert all("path_display" not in f for f in scan_json["findings"] if "\\x" not in f["path"])


def test_a_number_in_a_name_is_a_finding_located_in_that_name(scan_json: dict[str, Any]) -> None:
    named = {(f["path"], json.dumps(f["location"], ensure_ascii=False, sort_keys=True)): f
             for f in scan_json["findings"] if "name" in f["location"]}
    file_name = named[(f"share/給与_{masked(NUMBERS[3])}.csv", '{"name": "file"}')]
    assert file_name["masked"] == masked(NUMBERS[3]) and file_name["confidence"] == "medium"
    scan = named[(f"share/{masked(NUMBERS[4])}_山田.pdf", '{"name": "file"}')]
    assert scan["confidence"] == "medium"
    sjis = named[(f"share/sjis/\\x8c\\xc2\\x90l_{masked(NUMBERS[1])}.txt", '{"name": "file"}')]
    assert sjis["path_display"] == f"share/sjis/個人_{masked(NUMBERS[1])}.txt"
    folder = [f for f in scan_json["findings"] if f["location"] == {"name": "folder"}]
    assert [f["path"] for f in folder] == [f"share/{masked(NUMBERS[5])}_田中"]  # once, not once per file in it
    member = named[("share/archive.zip", json.dumps({"member": f"2024/{masked(NUMBERS[6])}_佐藤.txt",
                                                      "name": "member"}, ensure_ascii=False, sort_keys=True))]
    assert member["confidence"] == "medium"
    sheet = named[("share/book.xlsx", json.dumps({"name": "sheet", "sheet": masked(NUMBERS[7])},
                                                 sort_keys=True))]
    assert sheet["confidence"] == "high"  # the whole name is the number
    fingerprints = {f["fingerprint"] for f in named.values()} | {f["fingerprint"] for f in folder}
    assert len(fingerprints) == 6
    assert scan_json["summary"]["distinct_people"] == 9  # 6 in names, 3 in contents (NUMBERS[0], [8], [9])
    assert not any(STAMP[-4:] in f["masked"] for f in scan_json["findings"])  # a time stamp is held back
    assert scan_json["summary"]["held_back"]["findings"] >= 1


def test_a_keyword_in_the_name_makes_it_high(tmp_path: Path) -> None:
    (tmp_path / f"マイナンバー{NUMBERS[2]}.txt").write_text("nothing\n")
    (tmp_path / f"電話{NUMBERS[3]}.txt").write_text("nothing\n")
    (tmp_path / f"IMG{NUMBERS[4]}x.jpg").write_text("nothing\n")
    (tmp_path / f"{NUMBERS[5]}.pdf.gz").write_text("nothing\n")  # the whole stem: a document filed under it
    (tmp_path / f"{NUMBERS[6][:4]}-{NUMBERS[6][4:8]}-{NUMBERS[6][8:]} 写し.txt").write_text("nothing\n")
    done = run(["scan", ".", "--format", "json", "--min-confidence", "low"], tmp_path)
    found = {f["masked"]: f["confidence"] for f in json.loads(done.stdout)["findings"]}
    assert found == {masked(NUMBERS[2]): "high", masked(NUMBERS[3]): "low", masked(NUMBERS[4]): "low",
                     masked(NUMBERS[5]): "high", masked(NUMBERS[6]): "medium"}


def test_text_output_cannot_be_rewritten_by_a_name(share: Path) -> None:
    done = run(["scan", "share"], share)
    text = done.stdout.decode("utf-8")
    assert "share/hostile/line\\x0aFORGED-LINE.txt" in text
    assert "8;;http:evil.example\\x07click\\x1b]8;;\\x07.txt" in text  # (long paths lose their start)
    assert "invoice\\u202etxt.exe\\u2066x\\u2069\\u200b.txt" in text
    assert "share/sjis/個人.txt" in text  # Shift_JIS shown decoded for people
    for line in text.splitlines():
        assert not line.startswith("FORGED")


def test_reports_and_merge_write_such_names(share: Path, scan_json: dict[str, Any]) -> None:
    for fmt in ("html", "md", "json"):
        out = share / f"report.{fmt}"
        done = run(["report", "scan.json", "--format", fmt, "--discovered", "2026-11-20", "-o", str(out)], share)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        data = out.read_bytes()
        text = data.decode("utf-8")
        assert_no_raw_number(data + done.stderr, f"report {fmt}")
        for hostile in ("\x1b", "\u202e", "\x07"):
            assert hostile not in text
        if fmt == "html":
            assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;\\\\script&gt;.txt" in text
            assert "share/sjis/個人.txt" in text
        if fmt == "md":
            assert "share/sjis/個人.txt" in text
            assert "\nFORGED-LINE" not in text
        if fmt == "json":
            paths = [f["path"] for f in json.loads(text)["files"]]
            assert "share/sjis/\\x8c\\xc2\\x90l.txt" in paths
    for fmt in ("json", "text", "csv"):
        done = run(["merge", "scan.json", "scan.json", "--format", fmt], share)
        assert done.returncode == 5, done.stderr.decode(errors="replace")  # an unread PDF (issue 15)
        text = done.stdout.decode("utf-8")
        assert_no_raw_number(done.stdout, f"merge {fmt}")
        assert ("\\\\\\\\x8c" if fmt == "json" else "\\\\x8c") not in text  # escaped once, never twice
    again = run(["merge", "scan.json", "--format", "json"], share)
    doc = json.loads(again.stdout)
    assert [f["path"] for f in doc["findings"]] == [f["path"] for f in scan_json["findings"]]
    assert [f.get("path_display") for f in doc["findings"]] == [f.get("path_display") for f in scan_json["findings"]]


def test_the_state_holds_no_number_from_a_name_and_finds_the_files_again(tmp_path: Path) -> None:
    build(tmp_path)
    first = run(["scan", "share", "--format", "json", "--state", "names.db"], tmp_path)
    assert first.returncode == 5, first.stderr.decode(errors="replace")  # an unread PDF (issue 15)
    second = run(["scan", "share", "--format", "json", "--state", "names.db"], tmp_path)
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert two["findings"] == one["findings"] and two["summary"]["distinct_people"] == 9
    assert two["summary"]["files_scanned"] == one["summary"]["files_scanned"]
    for path in tmp_path.glob("names.db*"):
        assert_no_raw_number(path.read_bytes(), path.name)
    with sqlite3.connect(tmp_path / "names.db") as db:
        stored = [row[0] for row in db.execute("SELECT path FROM files")]
    assert any(masked(NUMBERS[3]) in path for path in stored)
    # A changed file in a folder named with a number is read again; the others are not.
    (tmp_path / "share" / f"{NUMBERS[5]}_田中" / "b.txt").write_text(f"個人番号 {NUMBERS[2]}\n")
    third = json.loads(run(["scan", "share", "--format", "json", "--state", "names.db"], tmp_path).stdout)
    assert third["summary"]["distinct_people"] == 10
    (tmp_path / "share" / f"給与_{NUMBERS[3]}.csv").unlink()
    fourth = json.loads(run(["scan", "share", "--format", "json", "--state", "names.db"], tmp_path).stdout)
    assert not any(f["path"].endswith(f"給与_{masked(NUMBERS[3])}.csv") for f in fourth["findings"])
    for path in tmp_path.glob("names.db*"):
        assert_no_raw_number(path.read_bytes(), path.name)


def test_errors_and_log_lines_escape_the_names_they_quote(tmp_path: Path) -> None:
    missing = run(["scan", f"gone\x1b[2J{NUMBERS[0]}\u202e"], tmp_path)
    assert missing.returncode == 4
    message = missing.stderr.decode("utf-8")
    assert "gone\\x1b[2J" in message and "\\u202e" in message and "\x1b" not in message
    assert NUMBERS[0] not in message
    (tmp_path / "bad\x1b]8;;x\x07.csv").write_bytes(b'a,"b\n\x00\xff')
    logged = run(["scan", ".", "-vv"], tmp_path)
    assert "\x1b" not in logged.stderr.decode("utf-8", "replace")


def test_watch_reports_a_number_in_a_new_files_name_and_escapes_the_names_it_clears(tmp_path: Path) -> None:
    from .test_watch import Running

    root = tmp_path / "share"
    root.mkdir()
    running = Running(root, None)
    try:
        (root / f"給与_{NUMBERS[3]}.csv").write_text("氏名,部署\n山田,総務\n", encoding="utf-8")
        hostile = os.fsencode(root) + b"/\x8c\xc2\x1b[2J.txt"
        with open(hostile, "wb") as handle:
            handle.write(f"個人番号 {NUMBERS[0]}\n".encode())
        running.wait(lambda: len(running.of("finding")) >= 2)
        os.unlink(hostile)
        running.wait(lambda: bool(running.of("cleared")))
    finally:
        running.close()
    text = json.dumps(running.events, ensure_ascii=False)
    text.encode("utf-8")  # no surrogate: every event can be written
    assert "\x1b" not in text
    assert_no_raw_number(text.encode(), "watch events")
    named = [e for e in running.of("finding") if e["location"] == {"name": "file"}]
    assert [e["path"][-len(f"給与_{masked(NUMBERS[3])}.csv"):] for e in named] == [f"給与_{masked(NUMBERS[3])}.csv"]
    assert running.of("cleared")[0]["path"].endswith("/\\x8c\\xc2\\x1b[2J.txt")


def test_watch_with_a_state_repeats_no_event_for_a_file_named_with_a_number(tmp_path: Path) -> None:
    from .test_watch import Running

    root, state = tmp_path / "share", tmp_path / "watch.db"
    root.mkdir()
    (root / f"{NUMBERS[4]}_山田.txt").write_text(f"個人番号 {NUMBERS[0]}\n", encoding="utf-8")
    first = Running(root, None, state=state)
    try:
        first.wait(lambda: len(first.of("finding")) == 2)
    finally:
        first.close()
    assert_no_raw_number(b"".join(path.read_bytes() for path in tmp_path.glob("watch.db*")), "the watch state")
    again = Running(root, None, state=state)
    try:
        again.quiet(1.0)
    finally:
        again.close()
    assert again.of("finding") == [] and again.of("cleared") == []


def test_notify_names_the_files_as_every_output_does(share: Path, scan_json: dict[str, Any]) -> None:
    (share / "roster.csv").write_text(f"氏名,個人番号\n山田,{NUMBERS[3]}\n佐藤,{NUMBERS[0]}\n", encoding="utf-8")
    for fmt in ("json", "csv"):
        done = run(["notify", "scan.json", "--roster", "roster.csv", "--number-column", "個人番号", "--format", fmt],
                   share)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert_no_raw_number(done.stdout + done.stderr, f"notify {fmt}")
        text = done.stdout.decode("utf-8")
        assert "share/sjis/\\x8c\\xc2\\x90l.txt" in text.replace("\\\\", "\\")
        assert f"share/給与_{masked(NUMBERS[3])}.csv" in text


def test_a_state_made_before_names_were_looked_at_is_not_reused(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A state written by a version that did not look at names holds no finding for a file named with a number,
    and its folder's snapshot says the file is clean: its results must not be reused, or such a file would go
    unreported until it changes."""
    from detector import scanner
    from detector.incremental import changes
    from detector.incremental.store import State, config_id
    from detector.model import Confidence, ScanOptions
    from detector.pipeline import scan_paths

    def old_state(options: ScanOptions, rules: Any, key_id: str) -> State:
        assert options.state_path is not None
        config = config_id(rules.sources, min_confidence=options.min_confidence.label,
                           public=sorted(options.public_paths), max_file_size=options.max_file_size,
                           follow_symlinks=options.follow_symlinks)  # the options as earlier versions digested them
        return State(options.state_path, key_id, config)  # and names stored as they are

    share = tmp_path / "share"
    share.mkdir()
    (share / f"給与_{NUMBERS[3]}.csv").write_text("氏名,部署\n山田,総務\n", encoding="utf-8")
    (share / "other.txt").write_text("nothing\n", encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(changes, "open_state", old_state)
        patched.setattr(scanner.FileScanner, "with_name", lambda self, result: result)
        before = scan_paths([str(share)], ScanOptions(key=b"names-test", jobs=1, min_confidence=Confidence.MEDIUM,
                                                      state_path=str(tmp_path / "old.db")))
    assert before.findings == []
    done = run(["scan", "share", "--format", "json", "--state", "old.db"], tmp_path)
    found = json.loads(done.stdout)["findings"]
    assert [(f["location"], f["masked"]) for f in found] == [({"name": "file"}, masked(NUMBERS[3]))]
    for path in tmp_path.glob("old.db*"):  # the names it held as they were are gone from the file, not only unused
        assert_no_raw_number(path.read_bytes(), path.name)
