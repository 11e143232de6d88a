"""Archives and compressed files: every member scanned with its inner path, within the limits against
hostile archives; encrypted, oversized and corrupt parts listed as unscanned while the rest is still read."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from detector.model import Confidence, FileResult, ScanOptions
from detector.rules import Limits, Rules
from detector.scanner import FileScanner

from .conftest import valid_number

A, B, C = valid_number(11), valid_number(12), valid_number(13)


def scanner(rules: Rules, **limits: int) -> FileScanner:
    return FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW),
                       rules._replace(limits=Limits()._replace(**limits)))


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def scan(tmp_path: Path, name: str, data: bytes, file_scanner: FileScanner) -> FileResult:
    path = tmp_path / name
    path.write_bytes(data)
    return file_scanner.scan_file(str(path))


def where(result: FileResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.location.member, f.location.line, f.masked[-4:]) for f in result.findings]


def text(number: str, line: int = 1) -> bytes:
    return ("\n" * (line - 1) + f"個人番号: {number}\n").encode()


def test_a_zip_member_is_found_with_its_inner_path_and_line(tmp_path: Path, rules: Rules) -> None:
    result = scan(tmp_path, "export.zip", zip_bytes({"hr/list.txt": text(A, 3), "readme.txt": b"nothing"}),
                  scanner(rules))
    assert where(result) == [("hr/list.txt", 3, A[-4:])]
    assert result.kind == "zip" and not result.unscanned


def test_a_zip_inside_a_zip_joins_the_inner_paths_with_an_exclamation_mark(tmp_path: Path, rules: Rules) -> None:
    inner = zip_bytes({"data.csv": f"氏名,個人番号\n山田,{B}\n".encode()})
    result = scan(tmp_path, "outer.zip", zip_bytes({"2024/inner.zip": inner, "a.txt": text(A)}), scanner(rules))
    assert where(result) == [("2024/inner.zip!data.csv", 2, B[-4:]), ("a.txt", 1, A[-4:])]
    assert result.findings[0].location.column == "個人番号"


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_archives_plain_and_compressed(tmp_path: Path, rules: Rules, mode: str) -> None:
    data = tar_bytes({"logs/app.log": text(A, 2), "logs/other.log": text(B)}, mode)
    result = scan(tmp_path, "backup.tar" + mode[2:].replace("w", ""), data, scanner(rules))
    assert where(result) == [("logs/app.log", 2, A[-4:]), ("logs/other.log", 1, B[-4:])]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_a_compressed_log_is_read_as_the_log_itself_with_line_numbers(tmp_path: Path, rules: Rules,
                                                                      compress: object) -> None:
    data = compress(b"boot\n" * 1000 + text(C))  # type: ignore[operator]
    result = scan(tmp_path, "app.log.1.gz", data, scanner(rules))
    assert where(result) == [(None, 1001, C[-4:])]


def test_member_names_from_japanese_windows_are_decoded_as_cp932(tmp_path: Path, rules: Rules) -> None:
    # Windows' "send to compressed folder" writes CP932 names without the UTF-8 flag; zipfile cannot, so the
    # name is encoded the Windows way for this test.
    class WindowsName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:
            return self.filename.encode("cp932"), self.flag_bits

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(WindowsName("給与/名簿.txt"), text(A))
    result = scan(tmp_path, "names.zip", buffer.getvalue(), scanner(rules))
    assert where(result) == [("給与/名簿.txt", 1, A[-4:])]


def test_an_encrypted_member_is_listed_and_the_others_are_scanned(tmp_path: Path, rules: Rules) -> None:
    (tmp_path / "secret.txt").write_bytes(text(A))
    (tmp_path / "open.txt").write_bytes(text(B))
    try:
        subprocess.run(["zip", "-q", "-P", "pw", "enc.zip", "secret.txt"], cwd=tmp_path, check=True)
        subprocess.run(["zip", "-q", "enc.zip", "open.txt"], cwd=tmp_path, check=True)
    except FileNotFoundError:
        pytest.skip("the zip command is not installed")
    result = scanner(rules).scan_file(str(tmp_path / "enc.zip"))
    assert where(result) == [("open.txt", 1, B[-4:])]
    assert [(u.member, u.reason.split(" ")[0]) for u in result.unscanned] == [("secret.txt", "encrypted")]


def test_a_zip_bomb_member_is_stopped_by_the_ratio_limit(tmp_path: Path, rules: Rules) -> None:
    bomb = zip_bytes({"a.txt": text(A), "bomb.txt": b"0" * 4_000_000, "z.txt": text(B)})
    result = scan(tmp_path, "bomb.zip", bomb, scanner(rules, max_ratio=50, ratio_checked_above=1_000_000))
    assert where(result) == [("a.txt", 1, A[-4:]), ("z.txt", 1, B[-4:])]
    assert [u.member for u in result.unscanned] == ["bomb.txt"]
    assert "compression ratio over 50:1" in result.unscanned[0].reason


def test_nesting_deeper_than_the_limit_is_listed(tmp_path: Path, rules: Rules) -> None:
    data = text(A)
    for level in range(4):
        data = zip_bytes({f"level{level}.{'zip' if level else 'txt'}": data})
    result = scan(tmp_path, "deep.zip", data, scanner(rules, max_depth=3))
    assert not result.findings
    assert [u.member for u in result.unscanned] == ["level3.zip!level2.zip!level1.zip!level0.txt"]
    assert "nested deeper than 3 levels" in result.unscanned[0].reason
    assert where(scan(tmp_path, "deep.zip", data, scanner(rules, max_depth=4))) == [
        ("level3.zip!level2.zip!level1.zip!level0.txt", 1, A[-4:])]


def test_too_many_members_stops_with_one_entry(tmp_path: Path, rules: Rules) -> None:
    data = zip_bytes({f"m{i:03d}.txt": text(valid_number(100 + i)) for i in range(50)})
    result = scan(tmp_path, "many.zip", data, scanner(rules, max_members=10))
    assert len(result.findings) == 10
    assert len(result.unscanned) == 1 and "max_members" in result.unscanned[0].reason


def test_total_unpacked_bytes_are_limited_per_file(tmp_path: Path, rules: Rules) -> None:
    data = tar_bytes({"a.txt": text(A), "big.txt": b"x" * 200_000, "c.txt": text(B)}, "w:gz")
    result = scan(tmp_path, "big.tgz", data, scanner(rules, max_total_bytes=100_000))
    assert where(result) == [("a.txt", 1, A[-4:])]
    assert len(result.unscanned) == 1 and "max_total_bytes" in result.unscanned[0].reason


def test_a_truncated_archive_keeps_what_was_read_and_says_the_rest_is_missing(tmp_path: Path,
                                                                               rules: Rules) -> None:
    filler = random.Random(0).randbytes(100_000)  # does not compress: the last member starts far into the file
    data = tar_bytes({"a.txt": text(A), "filler.bin": filler, "c.txt": text(B)}, "w:gz")
    result = scan(tmp_path, "cut.tar.gz", data[: len(data) * 2 // 3], scanner(rules))
    assert where(result) == [("a.txt", 1, A[-4:])]
    assert result.unscanned and all("corrupt or truncated" in u.reason or "partly scanned" in u.reason
                                    for u in result.unscanned)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_corrupt_zip_is_unscanned_with_a_reason(tmp_path: Path, rules: Rules, damage: str) -> None:
    data = zip_bytes({"a.txt": text(A) * 100})
    data = data[: len(data) // 2] if damage == "truncated" else b"PK\x03\x04" + bytes(500)
    result = scan(tmp_path, "bad.zip", data, scanner(rules))
    assert not result.findings
    assert len(result.unscanned) == 1 and "zip" in result.unscanned[0].reason


def test_an_unsupported_member_type_is_listed_by_type(tmp_path: Path, rules: Rules) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    result = scan(tmp_path, "photos.zip", zip_bytes({"card.png": png, "a.txt": text(A)}), scanner(rules))
    assert where(result) == [("a.txt", 1, A[-4:])]
    assert [u.member for u in result.unscanned] == ["card.png"]
    assert result.unscanned[0].reason.startswith("picture in a format Pillow cannot read")  # OCR'd if it could


# -- 7z, RAR and LZH (libarchive) ----------------------------------------------------------------------------

LEGACY = Path(__file__).resolve().parent.parent / "fixtures" / "legacy"


def seven_zip_bytes(members: dict[str, bytes]) -> bytes:
    """A 7z archive written by libarchive (the tests run where no 7z program is installed)."""
    import libarchive

    chunks: list[bytes] = []

    def write(data: bytes) -> int:
        chunks.append(bytes(data))
        return len(data)

    with libarchive.custom_writer(write, "7zip") as archive:
        for name, data in members.items():
            archive.add_file_from_memory(name, len(data), data)
    return b"".join(chunks)


def test_a_7z_member_is_found_with_its_inner_path_and_line(tmp_path: Path, rules: Rules) -> None:
    data = seven_zip_bytes({"給与/名簿.txt": text(A, 3), "readme.txt": b"nothing"})
    result = scan(tmp_path, "backup.7z", data, scanner(rules))
    assert result.kind == "7z" and not result.unscanned
    assert where(result) == [("給与/名簿.txt", 3, A[-4:])]


@pytest.mark.parametrize("rel", ["archive/給与データ.7z", "archive/給与_rar4.rar", "archive/給与_rar5.rar",
                                 "archive/源泉徴収_2026.lzh"])
def test_7z_rar_and_lzh_archives_inside_a_zip_are_read_in_memory(tmp_path: Path, rules: Rules, rel: str) -> None:
    inner = (LEGACY / rel).read_bytes()
    result = scan(tmp_path, "outer.zip", zip_bytes({"2026/" + Path(rel).name: inner}), scanner(rules))
    direct = scanner(rules).scan_file(str(LEGACY / rel))
    assert direct.findings and not result.unscanned
    assert where(result) == [(f"2026/{Path(rel).name}!{member}", line, last4)
                             for member, line, last4 in where(direct)]


def test_a_7z_bomb_member_is_stopped_by_the_ratio_limit_against_the_archive_size(tmp_path: Path,
                                                                               rules: Rules) -> None:
    # A 7z packs members together and keeps no packed size per member: a member that unpacks to more than
    # max_ratio times the whole archive is a bomb whatever its share of the archive.
    data = seven_zip_bytes({"a.txt": text(A), "bomb.txt": b"0" * 4_000_000, "z.txt": text(B)})
    result = scan(tmp_path, "bomb.7z", data, scanner(rules, max_ratio=50, ratio_checked_above=1_000_000))
    assert where(result) == [("a.txt", 1, A[-4:]), ("z.txt", 1, B[-4:])]
    assert [u.member for u in result.unscanned] == ["bomb.txt"]
    assert "compression ratio over 50:1" in result.unscanned[0].reason


def test_7z_members_and_bytes_are_limited_per_file(tmp_path: Path, rules: Rules) -> None:
    many = seven_zip_bytes({f"m{i:03d}.txt": text(valid_number(100 + i)) for i in range(50)})
    result = scan(tmp_path, "many.7z", many, scanner(rules, max_members=10))
    assert len(result.findings) == 10
    assert len(result.unscanned) == 1 and "max_members" in result.unscanned[0].reason
    big = seven_zip_bytes({"a.txt": text(A), "big.txt": b"x" * 200_000, "c.txt": text(B)})
    result = scan(tmp_path, "big.7z", big, scanner(rules, max_total_bytes=100_000))
    assert where(result) == [("a.txt", 1, A[-4:])]
    assert len(result.unscanned) == 1 and "max_total_bytes" in result.unscanned[0].reason


def test_nesting_of_7z_archives_is_limited(tmp_path: Path, rules: Rules) -> None:
    data = text(A)
    for level in range(4):
        data = seven_zip_bytes({f"level{level}.{'7z' if level else 'txt'}": data})
    result = scan(tmp_path, "deep.7z", data, scanner(rules, max_depth=3))
    assert not result.findings
    assert [u.member for u in result.unscanned] == ["level3.7z!level2.7z!level1.7z!level0.txt"]
    assert "nested deeper than 3 levels" in result.unscanned[0].reason


@pytest.mark.parametrize(("rel", "members"), [
    ("locked/給与_パスワード付き.7z", ["引継ぎメモ.txt"]),
    ("locked/rar5_パスワード付き.rar", ["stest1.txt", "stest2.txt"]),  # stored: ciphertext, never read as text
    ("locked/給与_ファイル名も暗号化.7z", [None]),
    ("locked/rar5_ファイル名も暗号化.rar", [None]),
])
def test_encrypted_7z_and_rar_members_are_listed_as_encrypted(rules: Rules, rel: str,
                                                              members: list[str | None]) -> None:
    result = scanner(rules).scan_file(str(LEGACY / rel))
    assert not result.findings
    assert [u.member for u in result.unscanned] == members
    assert all(u.reason.startswith("encrypted") for u in result.unscanned)


@pytest.mark.parametrize("rel", ["archive/給与データ.7z", "archive/給与_rar4.rar", "archive/給与_rar5.rar",
                                 "archive/源泉徴収_2026.lzh"])
def test_truncated_7z_rar_and_lzh_archives_are_listed_with_the_reason(tmp_path: Path, rules: Rules,
                                                                      rel: str) -> None:
    data = (LEGACY / rel).read_bytes()
    for cut in (len(data) // 3, len(data) - 40, 30):
        result = scan(tmp_path, "cut" + Path(rel).suffix, data[:cut], scanner(rules))
        assert result.unscanned, cut
        for entry in result.unscanned:
            assert "internal error" not in entry.reason
            assert any(word in entry.reason for word in ("corrupt", "truncated", "partly scanned")), entry.reason


@pytest.mark.parametrize("rel", ["archive/給与_rar4.rar", "archive/給与_rar5.rar"])
def test_a_damaged_rar_member_is_listed_and_the_next_one_is_read(tmp_path: Path, rules: Rules, rel: str) -> None:
    data = bytearray((LEGACY / rel).read_bytes())
    packed = data.index(b"stest1.txt") + len(b"stest1.txt") + 30  # inside stest1.txt's compressed data
    data[packed:packed + 8] = bytes(b ^ 0x5A for b in data[packed:packed + 8])
    result = scan(tmp_path, "damaged.rar", bytes(data), scanner(rules))
    assert [u.member for u in result.unscanned] == ["stest1.txt"]
    assert "corrupt" in result.unscanned[0].reason
    assert [(member, line) for member, line, _ in where(result)] == [("stest2.txt", 2)]


def test_japanese_names_are_read_in_the_c_locale_of_cron_jobs(tmp_path: Path) -> None:
    """libarchive converts names to the locale's character set; under LC_ALL=C it could not convert any
    Japanese name (an LZH was then unreadable, a 7z's members unnamed)."""
    import json
    import os
    import sys

    code = ("import json, sys\nfrom detector.model import Confidence, ScanOptions\n"
            "from detector.scanner import FileScanner\n"
            "s = FileScanner(ScanOptions(key=b'k', min_confidence=Confidence.LOW))\n"
            "print(json.dumps([[f.location.member for f in s.scan_file(p).findings] for p in sys.argv[1:]]))\n")
    paths = [str(LEGACY / "archive/源泉徴収_2026.lzh"), str(LEGACY / "archive/給与データ.7z")]
    done = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True,
                          env={**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0"})
    assert json.loads(done.stdout) == [["扶養親族.txt", "app.log"],
                                       ["2026/社員名簿.csv", "2026/社員名簿.csv", "引継ぎメモ.txt"]]


def test_a_read_error_under_libarchive_is_reported_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    """libarchive reads through a Python callback: an error raised there cannot cross the C frames (ctypes
    would print it and carry on); it is kept and raised again as the file's own error."""
    from detector.extract import Source
    from detector.extract.libarchives import RarExtractor

    class FailingDisk(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 100:
                raise OSError(5, "Input/output error")
            return super().read(min(size or 64, 64) if size and size > 0 else 64)

    data = (LEGACY / "archive/給与_rar5.rar").read_bytes()
    stream = FailingDisk(data)
    with pytest.raises(OSError, match="Input/output error"):
        list(RarExtractor().extract(Source("disk.rar", stream, data[:64], len(data))))
    assert capfd.readouterr().err == ""


def test_lzh_is_identified_by_its_header_not_by_a_text_that_looks_like_one() -> None:
    from detector.identify import identify

    assert identify((LEGACY / "archive/源泉徴収_2026.lzh").read_bytes()[:4096]).name == "lzh"
    assert identify(b"ab-lh5- is a method name; this text file explains it\n" * 3).name == "text"


def test_outlook_attachments_count_against_the_limits_of_the_file(rules: Rules) -> None:
    path = str(LEGACY / "mail/転送_添付あり.msg")
    whole = scanner(rules).scan_file(path)
    assert [f.location.member for f in whole.findings] == ["名簿2026.xlsx", "Inner mail/引継ぎメモ01.txt"]
    limited = scanner(rules, max_members=1).scan_file(path)
    assert [f.location.member for f in limited.findings] == ["名簿2026.xlsx"]
    assert len(limited.unscanned) == 1 and "max_members" in limited.unscanned[0].reason


def test_an_lzh_member_whose_checksum_fails_is_listed_and_the_next_one_is_read(tmp_path: Path,
                                                                                rules: Rules) -> None:
    """libarchive reports a wrong LHa CRC as a warning at the member's end, not as an error (found by the
    fuzz test: the warning's code was once taken for a length)."""
    data = bytearray((LEGACY / "archive/源泉徴収_2026.lzh").read_bytes())
    at = data.index("扶養親族の一覧".encode("cp932"))  # inside the stored (-lh0-) member's data
    data[at:at + 2] = b"xx"
    result = scan(tmp_path, "damaged.lzh", bytes(data), scanner(rules))
    assert [u.member for u in result.unscanned] == ["扶養親族.txt"]
    assert "CRC" in result.unscanned[0].reason
    assert [(member, line) for member, line, _ in where(result)] == [("app.log", 200)]
