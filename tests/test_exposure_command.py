"""`mynumber exposure` end to end on real server logs (fixtures/access, made by scripts/make_access_fixtures.py
from nginx and Apache), IIS W3C and JSON samples, rotations, hostile lines; and `mynumber report --exposure`.

The web root fixtures/access/webroot holds three public files with findings: list.csv (2 people),
応募者一覧.txt (2 people, one of them also in list.csv) and a file named with a number, which the scan knows
masked. Clients are documentation addresses (outside), 10.x, 127.0.0.1 and fd00::/8 (inside)."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from detector.access import ExposureEvidence, collect_exposure
from detector.access.clients import parse_networks
from detector.access.render import render
from detector.access.urls import UrlMapping
from detector.result import ScanResult, merge
from detector.rules import load_rules

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "access"
WEBROOT = FIXTURES / "webroot"
KEY = "test-key"
RAW_NUMBER = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": KEY}, timeout=120)


@pytest.fixture(scope="module")
def scan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan of the web root, declared public, with a file outside it that is not public."""
    where = tmp_path_factory.mktemp("exposure")
    internal = where / "internal"
    internal.mkdir()
    (internal / "名簿.csv").write_text(f"氏名,個人番号\n社員,{valid_number(77)}\n", encoding="utf-8")
    done = run(["scan", "--public", str(WEBROOT), str(WEBROOT), str(internal), "--format", "json",
                "-o", str(where / "scan.json")], where)
    assert done.returncode == 3, done.stderr
    return where / "scan.json"


def scanned(scan_file: Path) -> ScanResult:
    rules = load_rules()
    return merge([(str(scan_file), json.loads(scan_file.read_text(encoding="utf-8")))], rules.triggers,
                 item_ids=[item.item_id for item in rules.items])


def evidence_of(scan_file: Path, *logs: Path | str, internal: tuple[str, ...] = (),
                show_clients: bool = False) -> ExposureEvidence:
    result = scanned(scan_file)

    return collect_exposure(result.findings, [str(log) for log in logs],
                            [UrlMapping.parse(f"{WEBROOT}=https://example.jp/")], parse_networks(internal),
                            load_rules().crawlers, key_id=result.key_id, show_clients=show_clients)


def by_name(evidence: ExposureEvidence) -> dict[str, Any]:
    return {Path(f.path).name: f for f in evidence.files}


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_real_server_logs_give_each_public_file_its_fetches_clients_times_and_crawlers(scan_file: Path,
                                                                                         server: str) -> None:
    evidence = evidence_of(scan_file, FIXTURES / server / "access.log")
    files = by_name(evidence)
    applicants, listing, named = files["応募者一覧.txt"], files["list.csv"], files["scan_********9274.txt"]
    # 200 (Googlebot), 200 in lower-case percent-encoding (curl), 206 (a range), 304 (conditional, with a query)
    assert applicants.statuses == {200: 2, 206: 1, 304: 1}
    assert (applicants.external_requests, applicants.external_clients) == (4, 3)
    assert [c.name for c in applicants.crawlers] == ["Googlebot"]
    # bingbot, 10.1.2.3, 127.0.0.1, fd00::5 and /img/../files/list.csv; the 404 is no fetch; Apache answered
    # /files/%00/../list.csv with the file, nginx refused it (400)
    assert listing.external_requests == (3 if server == "apache" else 2)
    assert listing.requests == listing.external_requests + 3
    assert [c.name for c in listing.crawlers] == ["bingbot"]
    assert (named.external_requests, [c.name for c in named.crawlers]) == (1, ["YandexBot"])  # from 2001:db8::77
    assert evidence.people_in_fetched_files == 4  # 2 + 2 + 1, one person in two files
    assert evidence.first_external_fetch is not None and applicants.first_external_fetch is not None
    assert evidence.first_external_fetch <= applicants.first_external_fetch <= applicants.last_external_fetch
    assert evidence.logs[0].format == "combined" and evidence.logs[0].malformed == 0


def test_iis_w3c_logs_match_names_without_regard_to_case_across_fields_directives(scan_file: Path) -> None:
    evidence = evidence_of(scan_file, FIXTURES / "iis" / "u_ex261201.log")
    listing, applicants = by_name(evidence)["list.csv"], by_name(evidence)["応募者一覧.txt"]
    assert listing.statuses == {200: 2, 206: 1, 304: 1}  # /Files/LIST.CSV among them; the 404 is none
    assert listing.external_requests == 3  # 10.9.9.9 is inside
    assert listing.bytes_sent == 417  # sc-bytes, logged after the second #Fields only
    assert [c.name for c in applicants.crawlers] == ["bingbot"]
    assert evidence.logs[0].format == "w3c"


def test_json_logs_of_nginx_and_caddy_are_read_and_a_stray_object_counted_as_malformed(scan_file: Path) -> None:
    evidence = evidence_of(scan_file, FIXTURES / "json" / "access.json")
    files = by_name(evidence)
    assert files["list.csv"].statuses == {200: 2} and files["list.csv"].external_requests == 1  # 500: no fetch
    assert [c.name for c in files["list.csv"].crawlers] == ["Baiduspider"]
    assert files["応募者一覧.txt"].external_requests == 1
    assert evidence.logs[0].malformed == 1


def test_internal_networks_given_are_not_outside(scan_file: Path) -> None:
    everyone = evidence_of(scan_file, FIXTURES / "nginx" / "access.log")
    inside = evidence_of(scan_file, FIXTURES / "nginx" / "access.log", internal=("192.0.2.0/24", "2001:db8::/32"))
    assert by_name(everyone)["応募者一覧.txt"].external_requests == 4
    assert by_name(inside)["応募者一覧.txt"].external_requests == 1  # only Googlebot's 203.0.113.66 is left
    assert not by_name(inside)["scan_********9274.txt"].fetched_externally


def test_rotated_and_gzipped_logs_add_up_like_one_log(scan_file: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "nginx" / "access.log").read_bytes().splitlines(keepends=True)
    (tmp_path / "access.log.2.gz").write_bytes(gzip.compress(b"".join(lines[:5])))
    (tmp_path / "access.log.1").write_bytes(b"".join(lines[5:10]))
    (tmp_path / "access.log").write_bytes(b"".join(lines[10:]))
    whole = evidence_of(scan_file, FIXTURES / "nginx" / "access.log")
    rotated = evidence_of(scan_file, *sorted(tmp_path.glob("access.log*")))
    assert [f.to_json() for f in rotated.files] == [f.to_json() for f in whole.files]
    assert sum(log.lines for log in rotated.logs) == len(lines)


def test_hostile_lines_are_counted_and_skipped_never_fatal(scan_file: Path, tmp_path: Path) -> None:
    log = tmp_path / "hostile.log"
    huge = b'198.51.100.40 - - [01/Dec/2026:10:00:00 +0900] "GET /files/list.csv?' + b"A" * (3 << 20) + b'"\n'
    log.write_bytes((FIXTURES / "hostile.log").read_bytes() + huge + b"\xff" * 5000 + b"list.csv\n")
    evidence = evidence_of(scan_file, log)
    listing = by_name(evidence)["list.csv"]
    # the good line, /../../../files/list.csv (resolved at the root), a query with a number, a date that does
    # not read (counted, without a time); the %00 request was refused (400)
    assert listing.external_requests == 4
    assert evidence.logs[0].malformed == 5  # garbage, a cut line, an escaped TLS hello, the huge line, \xff...


def test_the_exposure_json_and_text_hold_no_raw_number(scan_file: Path) -> None:
    evidence = evidence_of(scan_file, FIXTURES / "hostile.log", FIXTURES / "nginx" / "access.log", show_clients=True)
    for fmt in ("json", "text"):
        text = render(evidence, fmt)
        assert "9274" in text  # the masked name is there
        assert not RAW_NUMBER.search(text), fmt


def test_non_public_files_are_ignored_and_counted_and_public_files_outside_the_map_listed(scan_file: Path) -> None:
    result = scanned(scan_file)
    evidence = collect_exposure(result.findings, [str(FIXTURES / "nginx" / "access.log")],
                                [UrlMapping.parse(f"{WEBROOT}/files/sub=https://example.jp/sub")],
                                crawlers=load_rules().crawlers)
    assert evidence.files == () and len(evidence.unmapped) == 3
    assert evidence.not_public_ignored == 1
    assert evidence.to_json()["summary"]["files_not_public_ignored"] == 1


def test_client_addresses_are_shown_only_when_asked(scan_file: Path) -> None:
    hidden = evidence_of(scan_file, FIXTURES / "nginx" / "access.log")
    shown = evidence_of(scan_file, FIXTURES / "nginx" / "access.log", show_clients=True)
    assert "203.0.113.66" not in render(hidden, "json") + render(hidden, "text")
    assert by_name(shown)["応募者一覧.txt"].clients == ("192.0.2.10", "192.0.2.11", "203.0.113.66")
    assert "203.0.113.66" in render(shown, "text")


def test_the_plain_line_filter_gives_the_evidence_the_fast_one_gives(scan_file: Path) -> None:
    logs = [str(FIXTURES / name) for name in ("nginx/access.log", "apache/access.log", "iis/u_ex261201.log",
                                              "json/access.json", "hostile.log")]
    result, mapping = scanned(scan_file), [UrlMapping.parse(f"{WEBROOT}=https://example.jp/")]
    fast, plain = (collect_exposure(result.findings, logs, mapping, crawlers=load_rules().crawlers, fast=choice)
                   for choice in (True, False))
    assert fast.to_json() == plain.to_json()


def test_the_json_reads_back_as_the_same_evidence(scan_file: Path) -> None:
    evidence = evidence_of(scan_file, FIXTURES / "apache" / "access.log", show_clients=True)
    again = ExposureEvidence.from_json(json.loads(render(evidence, "json")), "exposure.json")
    assert again.to_json() == evidence.to_json()


# -- the command ------------------------------------------------------------------------------------------------------

def test_the_command_writes_json_for_the_report_which_adds_a_section_and_fills_the_draft(scan_file: Path,
                                                                                           tmp_path: Path) -> None:
    out = tmp_path / "exposure.json"
    done = run(["exposure", str(scan_file), "--access-log", str(FIXTURES / "nginx" / "access.log*"),
                "--url-map", f"{WEBROOT}=https://example.jp/", "--format", "json", "-o", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert (summary["files_fetched_externally"], summary["people_in_fetched_files"]) == (3, 4)
    assert [c["name"] for c in summary["crawlers"]] == ["bingbot", "Googlebot", "YandexBot"]
    for fmt, lang in (("md", "ja"), ("html", "en"), ("json", "ja")):
        report = run(["report", str(scan_file), "--exposure", str(out), "--format", fmt, "--lang", lang], tmp_path)
        assert report.returncode == 0, report.stderr
        assert not RAW_NUMBER.search(report.stdout)
        if fmt == "json":
            document = json.loads(report.stdout)
            assert document["access_evidence"]["summary"]["files_fetched_externally"] == 3
            secondary = document["ppc_draft"][4]
            assert "mynumber exposure" in secondary["source"] and "3件が外部から取得" in secondary["text"]
            assert "遅くとも" in document["ppc_draft"][0]["text"]  # 発生日: the first fetch from outside
        else:
            heading = "アクセスログの確認結果" if lang == "ja" else "Access logs (mynumber exposure)"
            assert heading in report.stdout
            assert ("fetched from outside by" in report.stdout) == (lang == "en")


def test_a_log_in_no_known_format_or_missing_is_an_error_naming_it(scan_file: Path, tmp_path: Path) -> None:
    syslog = tmp_path / "messages"
    syslog.write_text("Dec  3 14:00:00 host sshd[1]: Accepted publickey for root\n" * 5, encoding="utf-8")
    for log, words in ((syslog, "messages: not an access log in a known format"),
                       (tmp_path / "gone.log", "gone.log: cannot read the access log")):
        done = run(["exposure", str(scan_file), "--access-log", str(log), "--url-map", f"{WEBROOT}=/"], tmp_path)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_the_report_refuses_a_document_that_is_not_exposure_evidence(scan_file: Path, tmp_path: Path) -> None:
    for name, document in (("scan-again.json", json.loads(scan_file.read_text(encoding="utf-8"))),
                           ("broken.json", {"schema": "mynumber-exposure/1", "files": [{"path": 1}]})):
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
        done = run(["report", str(scan_file), "--exposure", str(tmp_path / name)], tmp_path)
        assert done.returncode == 2 and f"{name}: not the json of mynumber exposure" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_report_refuses_the_evidence_of_a_scan_made_with_another_key(scan_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "exposure.json"
    document = evidence_of(scan_file, FIXTURES / "nginx" / "access.log").to_json()
    document["scan"]["key_id"] = "0" * 16
    other.write_text(json.dumps(document), encoding="utf-8")
    done = run(["report", str(scan_file), "--exposure", str(other)], tmp_path)
    assert done.returncode == 2 and "another key" in done.stderr


def test_standard_input_is_read_as_a_log(scan_file: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "detector", "exposure", str(scan_file), "--access-log", "-",
                           "--url-map", f"{WEBROOT}=https://example.jp/"], cwd=tmp_path, capture_output=True,
                          input=(FIXTURES / "apache" / "access.log").read_bytes(), timeout=120,
                          env={**os.environ, "MYNUMBER_KEY": KEY})
    assert done.returncode == 0, done.stderr
    assert b"Fetched from outside: 3 files, 4 people in them" in done.stdout


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("apache2") is None,
                    reason="nginx and apache2 not installed")
def test_the_fixture_script_runs_the_real_servers(tmp_path: Path) -> None:
    """scripts/make_access_fixtures.py on this machine makes logs with the lines the checked-in ones have (times
    and Apache's header bytes aside)."""
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURES / "webroot", copy / "fixtures" / "access" / "webroot")
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "make_access_fixtures.py", copy / "scripts")
    done = subprocess.run([sys.executable, str(copy / "scripts" / "make_access_fixtures.py")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for server in ("nginx", "apache"):
        made = (copy / "fixtures" / "access" / server / "access.log").read_text(encoding="utf-8").splitlines()
        kept = (FIXTURES / server / "access.log").read_text(encoding="utf-8").splitlines()
        assert [_request_of(line) for line in made] == [_request_of(line) for line in kept]


def _request_of(line: str) -> tuple[str, ...]:
    found = re.match(r'(\S+) \S+ \S+ \[[^\]]+\] "([^"]*)" (\d{3})', line)
    assert found is not None, line
    return found.groups()
