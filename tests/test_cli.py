"""The command end to end: exit statuses, public locations, the 100/101-people threshold, merge, formats,
standard input, --jobs, and the unscanned reasons a responder has to see."""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from detector import native

from .conftest import valid_number

KEY = "test-key"


def run(args: list[str], cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "MYNUMBER_KEY": KEY, **(env or {})}
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=full_env, timeout=timeout)


def scan_json(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run(["scan", "--format", "json", *args], tmp_path)
    assert done.returncode in (0, 1, 3, 5), done.stderr
    return done.returncode, json.loads(done.stdout)


def people_csv(path: Path, count: int, seed: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["氏名,個人番号"] + [f"person{i},{valid_number(seed + i)}" for i in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_a_clean_tree_exits_0(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "a.txt").write_text("no numbers here 12345\n")
    status, doc = scan_json(tmp_path, "share")
    assert status == 0 and doc["summary"]["findings"] == 0


def test_findings_without_a_trigger_exit_1(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "hr.csv", 3)
    status, doc = scan_json(tmp_path, "share")
    assert status == 1
    assert doc["summary"]["distinct_people"] == 3 and doc["summary"]["serious"] is False


def test_the_json_document_has_the_documented_shape(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "hr.csv", 1)
    _, doc = scan_json(tmp_path, "share")
    assert doc["schema"] == "mynumber/2"
    assert {"files_scanned", "bytes_scanned", "files_with_findings", "findings", "distinct_people",
            "public_distinct_people", "serious", "serious_reasons", "unscanned"} <= set(doc["summary"])
    finding = doc["findings"][0]
    assert {"path", "location", "masked", "fingerprint", "confidence", "public"} <= set(finding)
    assert finding["location"]["line"] == 2 and finding["masked"].startswith("********")
    assert isinstance(doc["unscanned"], list)


@pytest.mark.parametrize(("count", "status", "reasons"), [(100, 1, []), (101, 3, ["over_100_people"])])
def test_more_than_100_people_is_serious(tmp_path: Path, count: int, status: int, reasons: list[str]) -> None:
    people_csv(tmp_path / "share" / "list.csv", count)
    code, doc = scan_json(tmp_path, "share")
    assert code == status
    assert doc["summary"]["distinct_people"] == count
    assert doc["summary"]["serious_reasons"] == reasons


def test_the_same_person_in_two_files_is_one_person(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 3)
    people_csv(tmp_path / "share" / "b.csv", 3)
    _, doc = scan_json(tmp_path, "share")
    assert doc["summary"]["findings"] == 6 and doc["summary"]["distinct_people"] == 3


def test_a_web_root_is_public_by_rule_and_one_person_is_enough(tmp_path: Path) -> None:
    """A rule's web root is a presumption to confirm: possibly reportable (5), still ``serious`` as before."""
    people_csv(tmp_path / "srv" / "htdocs" / "export.csv", 1)
    people_csv(tmp_path / "srv" / "internal" / "hr.csv", 2, seed=50)
    code, doc = scan_json(tmp_path, "srv")
    assert code == 5 and doc["summary"]["serious_reasons"] == ["publicly_accessible"]
    assert doc["summary"]["status"] == "possibly_reportable"
    public = [f for f in doc["findings"] if f["public"]]
    assert len(public) == 1 and public[0]["public_reason"].startswith("rule:htdocs")
    assert doc["summary"]["public_distinct_people"] == 1


def test_public_option_marks_a_folder_public_and_a_plain_share_is_not(tmp_path: Path) -> None:
    people_csv(tmp_path / "published" / "a.csv", 1)
    people_csv(tmp_path / "share" / "b.csv", 1, seed=9)
    _, doc = scan_json(tmp_path, "--public", "published", "published", "share")
    by_path = {Path(f["path"]).parts[0]: f for f in doc["findings"]}
    assert by_path["published"]["public"] is True and by_path["published"]["public_reason"] == "--public published"
    assert by_path["share"]["public"] is False


def test_merge_counts_people_once_across_hosts(tmp_path: Path) -> None:
    people_csv(tmp_path / "host1" / "a.csv", 60)
    people_csv(tmp_path / "host2" / "b.csv", 60, seed=30)  # people 30..59 are on both hosts
    for host in ("host1", "host2"):
        assert run(["scan", host, "--format", "json", "-o", f"{host}.json"], tmp_path).returncode == 1
    merged = run(["merge", "host1.json", "host2.json", "--format", "json"], tmp_path)
    assert merged.returncode == 1, merged.stderr
    assert json.loads(merged.stdout)["summary"]["distinct_people"] == 90
    people_csv(tmp_path / "host3" / "c.csv", 20, seed=200)
    run(["scan", "host3", "--format", "json", "-o", "host3.json"], tmp_path)
    three = run(["merge", "host1.json", "host2.json", "host3.json", "--format", "json"], tmp_path)
    assert three.returncode == 3 and json.loads(three.stdout)["summary"]["serious_reasons"] == ["over_100_people"]


def test_merge_refuses_scans_made_with_different_keys(tmp_path: Path) -> None:
    people_csv(tmp_path / "s" / "a.csv", 1)
    run(["scan", "s", "--format", "json", "-o", "a.json"], tmp_path)
    run(["scan", "s", "--format", "json", "-o", "b.json"], tmp_path, env={"MYNUMBER_KEY": "other"})
    done = run(["merge", "a.json", "b.json"], tmp_path)
    assert done.returncode == 2 and "different fingerprint keys" in done.stderr


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [(["scan", "--reveal", "."], 2, "--reveal"), (["scan", "--min-confidence", "huge", "."], 2, "huge"),
     (["scan", "no-such-folder"], 4, "no-such-folder"), (["scan", "--max-file-size", "lots", "."], 2, "lots")],
    ids=["reveal without output", "bad confidence", "missing root", "bad size"],
)
def test_usage_errors_and_a_scan_that_cannot_run(tmp_path: Path, args: list[str], status: int, words: str) -> None:
    done = run(args, tmp_path)
    assert done.returncode == status
    assert words in done.stderr and "Traceback" not in done.stderr


def test_a_malformed_rules_file_is_a_usage_error_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "myrules").mkdir()
    (tmp_path / "myrules" / "context.toml").write_text("schema = 1\n[[keyword]\nid='x'\n")
    done = run(["scan", "--rules", "myrules", "."], tmp_path)
    assert done.returncode == 2
    assert "context.toml:2:" in done.stderr and "Traceback" not in done.stderr


def test_every_format_renders(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 2)
    outputs = {fmt: run(["scan", "share", "--format", fmt], tmp_path).stdout
               for fmt in ("text", "json", "jsonl", "csv", "sarif")}
    assert "distinct people" in outputs["text"] and "********" in outputs["text"]
    events = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    assert [e["event"] for e in events] == ["finding", "finding", "file", "summary"]  # the file as read: facts
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[0]["masked"].startswith("********")
    sarif = json.loads(outputs["sarif"])
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 2


def test_output_files_are_created_0600(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    run(["scan", "share", "--format", "json", "-o", "out.json"], tmp_path)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o600
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["findings"] == 1


def test_min_confidence_low_reports_what_the_default_holds_back(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.log").write_text(f"cache key {valid_number(1)}\n")
    _, default = scan_json(tmp_path, "s")
    assert default["summary"]["findings"] == 0 and default["summary"]["held_back"]["findings"] == 1
    _, low = scan_json(tmp_path, "s", "--min-confidence", "low")
    assert low["summary"]["findings"] == 1 and low["findings"][0]["confidence"] == "low"


def test_check_says_valid_invalid_and_sample(tmp_path: Path) -> None:
    number = valid_number(4)
    assert run(["check", number], tmp_path).returncode == 0
    invalid = run(["check", number[:11] + str((int(number[11]) + 1) % 10)], tmp_path)
    assert invalid.returncode == 1 and "check digit" in invalid.stdout
    assert "sample" in run(["check", "1234-5678-9018"], tmp_path).stdout
    assert run(["check", "-"], tmp_path, stdin=number + "\n").returncode == 0


def test_standard_input_is_scanned_with_line_numbers(tmp_path: Path) -> None:
    text = f"start\nuser=a my_number={valid_number(5)}\n"
    done = run(["scan", "-", "--format", "json"], tmp_path, stdin=text)
    doc = json.loads(done.stdout)
    assert done.returncode == 1
    assert [(f["path"], f["location"]["line"]) for f in doc["findings"]] == [("-", 2)]


def test_jobs_do_not_change_the_result(tmp_path: Path) -> None:
    for i in range(30):
        people_csv(tmp_path / "share" / f"d{i % 4}" / f"f{i}.csv", 5, seed=i * 3)
    (tmp_path / "share" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))

    def stable(doc: dict[str, Any]) -> dict[str, Any]:
        for key in ("started", "finished", "duration_seconds", "scan_id"):  # a scan id is random, one a scan
            doc["scan"].pop(key)
        return doc

    one = stable(scan_json(tmp_path, "share", "--jobs", "1")[1])
    assert one == stable(scan_json(tmp_path, "share", "--jobs", "2")[1])


def test_exclude_and_max_file_size(tmp_path: Path) -> None:
    people_csv(tmp_path / "s" / "keep.csv", 1)
    people_csv(tmp_path / "s" / "old" / "skip.csv", 1, seed=5)
    people_csv(tmp_path / "s" / "big.csv", 200, seed=10)
    _, doc = scan_json(tmp_path, "s", "--exclude", "**/old/**", "--max-file-size", "1K")
    assert [Path(f["path"]).name for f in doc["findings"]] == ["keep.csv"]
    assert doc["summary"]["excluded"] == 1
    assert any(u["reason"].startswith("too large") for u in doc["unscanned"])


def test_special_files_and_symlinks_are_listed_not_opened(tmp_path: Path) -> None:
    share = tmp_path / "s"
    people_csv(share / "a.csv", 1)
    os.mkfifo(share / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(share / "sock"))
    (share / "link.csv").symlink_to(share / "a.csv")
    (share / "loop").symlink_to(share)
    try:
        _, doc = scan_json(tmp_path, "s")
        reasons = {Path(u["path"]).name: u["reason"] for u in doc["unscanned"]}
        assert reasons["pipe"].startswith("not a regular file: FIFO")
        assert reasons["sock"].startswith("not a regular file: socket")
        assert reasons["link.csv"].startswith("symbolic link not followed")
        _, followed = scan_json(tmp_path, "s", "--follow-symlinks")
        assert {Path(f["path"]).name for f in followed["findings"]} == {"a.csv", "link.csv"}
    finally:
        sock.close()


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    people_csv(tmp_path / "s" / "table.png", 1)
    (tmp_path / "s" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    _, doc = scan_json(tmp_path, "s")
    assert [Path(f["path"]).name for f in doc["findings"]] == ["table.png"]
    assert doc["unscanned"][0]["reason"].startswith("picture in a format Pillow cannot read")  # read as a picture


def test_a_file_that_vanishes_during_the_scan_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detector.pipeline import ScanOptions, scan_paths
    from detector.scanner import FileScanner

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"個人番号 {valid_number(6)}\n")
    original = FileScanner._open

    def delete_b_once_a_is_open(self: FileScanner, path: str) -> int:
        fd = original(self, path)
        if path.endswith("a.txt"):
            (tmp_path / "b.txt").unlink()
        return fd

    monkeypatch.setattr(FileScanner, "_open", delete_b_once_a_is_open)
    result = scan_paths([str(tmp_path)], ScanOptions(key=b"k", jobs=1))
    assert [(Path(u.path).name, u.reason) for u in result.unscanned] == [("b.txt", "vanished during the scan")]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to scan as an unprivileged user (root reads anything)")
def test_permission_denied_is_listed_and_the_scan_goes_on() -> None:
    """As root, chmod 000 does not stop reading: a forked child drops to user nobody and scans.

    User nobody may not be able to read the checkout (a clone in a ``mktemp -d`` folder is 0700), so the child
    needs nothing from it: the parent scans the share first, which imports every module the scan uses, and
    copies the packaged rules to a folder anyone can read, which the child loads instead."""
    import shutil
    import tempfile
    import traceback
    from unittest import mock

    from detector import rules
    from detector.pipeline import ScanOptions, scan_paths

    share = Path(tempfile.mkdtemp(prefix="mynumber-perm-"))
    try:
        share.chmod(0o755)
        readable_rules = share / "rules"
        shutil.copytree(rules.packaged_rules_dir(), readable_rules)
        people_csv(share / "data" / "open.csv", 1)
        people_csv(share / "data" / "secret.csv", 1, seed=7)
        for path in [share, *share.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        assert len(scan_paths([str(share / "data")], ScanOptions(key=b"k", jobs=1)).findings) == 2  # as root
        (share / "data" / "secret.csv").chmod(0o000)
        with tempfile.TemporaryFile() as report, tempfile.TemporaryFile() as errors:
            pid = os.fork()
            if pid == 0:  # the child: drop privileges, scan, report through the file; never back into pytest
                status = 1
                try:
                    os.dup2(errors.fileno(), 2)
                    os.setgid(65534)
                    os.setuid(65534)
                    with mock.patch.object(rules, "packaged_rules_dir", lambda: str(readable_rules)):
                        result = scan_paths([str(share / "data")], ScanOptions(key=b"k", jobs=1))
                    report.write(json.dumps([len(result.findings),
                                             [[Path(u.path).name, u.reason] for u in result.unscanned]]).encode())
                    report.flush()
                    status = 0
                except BaseException:
                    errors.write(traceback.format_exc().encode())
                    errors.flush()
                finally:
                    os._exit(status)
            _, wait_status = os.waitpid(pid, 0)
            errors.seek(0)
            report.seek(0)
            child_stderr = errors.read().decode(errors="replace")
            assert os.waitstatus_to_exitcode(wait_status) == 0, f"the child scanning as nobody failed:\n{child_stderr}"
            findings, unscanned = json.loads(report.read())
        assert findings == 1, child_stderr
        assert unscanned == [["secret.csv", "permission denied"]], child_stderr
    finally:
        shutil.rmtree(share, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the test it runs needs root")
def test_the_permission_test_passes_wherever_the_checkout_lives() -> None:
    """The test above, run from a copy of the checkout inside a folder only root can enter (as ``mktemp -d``
    makes them, and as CI may place its clone): user nobody must not need to read the checkout."""
    import shutil
    import tempfile

    checkout = Path(__file__).resolve().parents[1]
    private = Path(tempfile.mkdtemp(prefix="mynumber-checkout-"))  # mode 0700
    try:
        copy = private / "checkout"
        ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
        for part in ("detector", "rules", "tests"):
            shutil.copytree(checkout / part, copy / part, ignore=ignore)
        shutil.copy2(checkout / "pyproject.toml", copy / "pyproject.toml")
        env = {**os.environ, "PYTHONPATH": str(copy)}
        where = subprocess.run([sys.executable, "-c", "import detector; print(detector.__file__)"], cwd=copy,
                               env=env, capture_output=True, text=True, timeout=60)
        assert where.stdout.strip() == str(copy / "detector" / "__init__.py"), where.stderr
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests/test_cli.py::test_permission_denied_is_listed_and_the_scan_goes_on"],
                              cwd=copy, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_scanned_files_are_not_changed(tmp_path: Path) -> None:
    people_csv(tmp_path / "s" / "a.csv", 3)
    path = tmp_path / "s" / "a.csv"
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = (path.stat().st_mtime_ns, path.stat().st_atime_ns, path.read_bytes())
    os.utime(path, (1_000_000_000, 1_000_000_000))
    run(["scan", "s"], tmp_path)
    after = (path.stat().st_mtime_ns, path.stat().st_atime_ns, path.read_bytes())
    assert before == after


@pytest.mark.parametrize(("code", "status", "stderr"), [("3", 3, ""), ("None", 0, ""), ("'no luck'", 1, "no luck")])
def test_the_command_ends_as_sys_exit_would(tmp_path: Path, code: str, status: int, stderr: str) -> None:
    """The entry point ends without tearing the interpreter down, yet as sys.exit would: threads that are not
    daemons finish, exit functions run, output is flushed, the status is the same."""
    marker = tmp_path / "thread-finished"
    program = (
        "import atexit, sys, threading, time\n"
        "from detector.__main__ import _exit_now\n"
        f"threading.Thread(target=lambda: (time.sleep(0.2), open({str(marker)!r}, 'w').close())).start()\n"
        "atexit.register(lambda: print('exit functions ran'))\n"
        "sys.stdout.write('buffered output')\n"
        f"_exit_now({code})\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == status
    assert done.stdout == "buffered outputexit functions ran\n"
    assert done.stderr.strip() == stderr
    assert marker.exists()


@pytest.mark.parametrize(("environment", "kept"), [({}, True), ({"MALLOC_ARENA_MAX": "2"}, False),
                                                   ({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}, False)])
def test_the_command_keeps_freed_blocks_unless_the_user_tuned_malloc(monkeypatch: pytest.MonkeyPatch,
                                                                     environment: dict[str, str], kept: bool) -> None:
    """The command asks glibc to keep the memory of the blocks it reads from one to the next; a user's own
    MALLOC_ variables or GLIBC_TUNABLES rule instead."""
    from detector import __main__ as entry
    from detector import native

    asked: list[tuple[int, int]] = []
    fake = type("Speedups", (), {"keep_freed_memory": staticmethod(lambda *sizes: asked.append(sizes) or True)})
    monkeypatch.setattr(native, "speedups", fake)
    for name in [name for name in os.environ if name.startswith("MALLOC_") or name == "GLIBC_TUNABLES"]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    entry._keep_freed_memory()
    assert asked == ([(entry.MMAP_THRESHOLD, entry.TRIM_THRESHOLD)] if kept else [])


@pytest.mark.skipif(native.speedups is None or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_glibc_takes_the_heap_thresholds() -> None:
    assert native.speedups.keep_freed_memory(4 << 20, 64 << 20) is True


# What a scan of a few text files written to standard output never needs: each is imported by the scans that do.
NOT_LOADED_BY_A_PLAIN_SCAN = {
    "sqlite3": "--state", "detector.incremental.changes": "--state", "detector.ocr": "a picture",
    "detector.extract.pictures": "a picture", "zipfile": "an archive", "tarfile": "an archive", "lzma": "an archive",
    "tempfile": "--output FILE", "multiprocessing": "--jobs 2 and files to share", "html": "an escaped value",
    "urllib.parse": "an escaped value", "pathlib": "nothing", "detector.report.csv_report": "--format csv",
    "detector.report.sarif_report": "--format sarif", "detector.report.text_report": "--format text",
    "detector.watch": "watch", "detector.dask_scan": "--dask", "detector.contain": "quarantine",
    "socket": "watch's metrics, quarantine",
}


def test_a_plain_scan_loads_only_what_it_needs(tmp_path: Path) -> None:
    """Start-up is a large share of a scan of a few files (docs/performance.md): a module that only an option or a
    kind of file needs is imported by the scans that need it, not by every scan."""
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "a.txt").write_text(f"個人番号 {valid_number(1)}\nno numbers here 12345\n", encoding="utf-8")
    program = ("import atexit, json, sys\n"
               "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
               "sys.argv = ['mynumber', 'scan', 'share', '--format', 'json', '--jobs', '1']\n"
               "from detector.__main__ import run\n"
               "run()\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MYNUMBER_KEY": KEY})
    assert json.loads(done.stdout)["summary"]["findings"] == 1, done.stderr
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert "detector.scanner" in loaded and "detector.report.json_report" in loaded  # what it does need
    assert {name: why for name, why in NOT_LOADED_BY_A_PLAIN_SCAN.items() if name in loaded} == {}
