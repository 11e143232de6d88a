"""watch --syslog: the facility is the admin's (default LOG_USER), each event has the priority its urgency gives
(a reportable assessment LOG_ALERT, a possibly reportable one LOG_CRIT, a finding LOG_WARNING), the watch's own
errors are LOG_ERR; under systemd the journal gets the native protocol with MYNUMBER_* fields."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import syslog
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.pipeline import ScanOptions
from detector.watch import Watcher, WatchOptions
from detector.watch import system_log as system_log_module
from detector.watch.system_log import (
    Journal,
    Syslog,
    SystemLogHandler,
    event_priority,
    journal_datagram,
    open_system_log,
)

from .conftest import valid_number

NUMBERS = [valid_number(9500 + i) for i in range(3)]


class Recorded:
    """A system log that keeps what it was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, dict[str, str]]] = []

    def send(self, priority: int, message: str, fields: Any) -> None:
        self.sent.append((priority, message, dict(fields)))

    def events(self, kind: str) -> list[tuple[int, str, dict[str, str]]]:
        return [sent for sent in self.sent if sent[2].get("MYNUMBER_EVENT") == kind]


def watch_once(root: Path, target: Any, public: tuple[str, ...] = ()) -> Watcher:
    """A watcher over ``root`` that has scanned it (no observer: the test tells it what changed)."""
    options = WatchOptions(ScanOptions(key=b"syslog-key", public_paths=public), settle=0.0, rotation_grace=0.0,
                           system_log=target)
    watcher = Watcher([str(root)], options, lambda event: None)
    watcher.start()
    return watcher


def written(watcher: Watcher, path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    watcher.notice("closed", str(path))
    watcher.turn()


# -- priorities -----------------------------------------------------------------------------------------------


def test_a_finding_is_a_warning_and_a_reportable_assessment_an_alert(tmp_path: Path) -> None:
    target = Recorded()
    watcher = watch_once(tmp_path, target, public=(str(tmp_path / "published"),))
    written(watcher, tmp_path / "memo.txt", f"個人番号 {NUMBERS[0]}\n")
    assert [priority for priority, _, _ in target.events("finding")] == [syslog.LOG_WARNING]
    written(watcher, tmp_path / "published" / "list.txt", f"個人番号 {NUMBERS[1]}\n")
    priority, message, fields = target.events("assessment")[-1]
    assert priority == syslog.LOG_ALERT and "SERIOUS publicly_accessible" in message
    assert fields["MYNUMBER_STATUS"] == "reportable" and fields["MYNUMBER_PEOPLE"] == "2"
    assert fields["MYNUMBER_PUBLIC_PEOPLE"] == "1"
    (tmp_path / "published" / "list.txt").unlink()
    watcher.notice("deleted", str(tmp_path / "published" / "list.txt"))
    watcher.turn()
    watcher.turn()  # the rotation grace (none here) ends on the next turn
    assert [p for p, _, _ in target.events("cleared")] == [syslog.LOG_NOTICE]
    assert target.events("assessment")[-1][0] == syslog.LOG_NOTICE  # back to not reportable
    watcher.close()


def test_a_place_public_only_by_a_location_rule_is_critical(tmp_path: Path) -> None:
    target = Recorded()
    watcher = watch_once(tmp_path, target)
    written(watcher, tmp_path / "www" / "htdocs" / "form.txt", f"個人番号 {NUMBERS[2]}\n")
    priority, _, fields = target.events("assessment")[-1]
    assert fields["MYNUMBER_STATUS"] == "possibly_reportable" and priority == syslog.LOG_CRIT
    watcher.close()


def test_events_priorities_by_status() -> None:
    def assessment(status: str) -> dict[str, Any]:
        return {"event": "assessment", "summary": {"status": status}}

    assert event_priority(assessment("reportable")) == syslog.LOG_ALERT
    assert event_priority(assessment("possibly_reportable")) == syslog.LOG_CRIT
    assert event_priority(assessment("not_reportable_on_scan")) == syslog.LOG_NOTICE
    assert event_priority({"event": "finding"}) == syslog.LOG_WARNING
    assert event_priority({"event": "cleared"}) == syslog.LOG_NOTICE


def test_the_watchs_own_records_go_at_their_level_masked() -> None:
    import logging

    target = Recorded()
    handler = SystemLogHandler(target)
    for level in (logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG):
        handler.handle(logging.LogRecord("detector.watch", level, __file__, 1, "%s: bad %s", ("f.txt", NUMBERS[0]),
                                         None))
    assert [priority for priority, _, _ in target.sent] == [syslog.LOG_ERR, syslog.LOG_WARNING, syslog.LOG_INFO,
                                                           syslog.LOG_DEBUG]
    assert all(NUMBERS[0] not in message and NUMBERS[0][-4:] in message for _, message, _ in target.sent)


# -- the facility ---------------------------------------------------------------------------------------------


@pytest.fixture
def syslog_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(syslog, "openlog", lambda *args: calls.append(("openlog", *args)))
    monkeypatch.setattr(syslog, "syslog", lambda *args: calls.append(("syslog", *args)))
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    return calls


def test_the_facility_is_user_by_default_and_the_admins_choice(syslog_calls: list[tuple[Any, ...]]) -> None:
    default = open_system_log()
    assert isinstance(default, Syslog)
    default.send(syslog.LOG_ALERT, "assessment", {})
    open_system_log("LOG_LOCAL3").send(syslog.LOG_WARNING, "finding", {})
    open_system_log("authpriv").send(syslog.LOG_NOTICE, "cleared", {})
    assert syslog_calls == [
        ("openlog", "mynumber", syslog.LOG_PID, syslog.LOG_USER), ("syslog", syslog.LOG_USER | syslog.LOG_ALERT,
                                                                   "assessment"),
        ("openlog", "mynumber", syslog.LOG_PID, syslog.LOG_LOCAL3), ("syslog", syslog.LOG_LOCAL3 | syslog.LOG_WARNING,
                                                                     "finding"),
        ("openlog", "mynumber", syslog.LOG_PID, syslog.LOG_AUTHPRIV), ("syslog", syslog.LOG_AUTHPRIV
                                                                       | syslog.LOG_NOTICE, "cleared"),
    ]


def test_an_unknown_facility_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "detector", "watch", str(tmp_path), "--syslog",
                           "--syslog-facility", "kern2"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "'kern2' is not a syslog facility" in done.stderr and "local0" in done.stderr


# -- the journal ----------------------------------------------------------------------------------------------


@pytest.fixture
def journal_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A unix datagram socket standing in for journald's."""
    path = str(tmp_path / "journal.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(5)
    yield path, listener
    listener.close()


def parse_datagram(data: bytes) -> dict[str, str]:
    """The native journal protocol, read back as journald reads it."""
    fields = {}
    while data:
        line, _, rest = data.partition(b"\n")
        if b"=" in line:
            name, _, value = line.partition(b"=")
            fields[name.decode()] = value.decode()
            data = rest
        else:
            (size,) = struct.unpack("<Q", rest[:8])
            fields[line.decode()] = rest[8:8 + size].decode()
            assert rest[8 + size:9 + size] == b"\n"
            data = rest[9 + size:]
    return fields


def received(listener: socket.socket) -> list[dict[str, str]]:
    out = []
    listener.setblocking(False)
    while True:
        try:
            out.append(parse_datagram(listener.recv(65536)))
        except BlockingIOError:
            return out


def test_under_systemd_events_go_to_the_journal_with_fields(
        tmp_path: Path, journal_socket: tuple[str, socket.socket], monkeypatch: pytest.MonkeyPatch) -> None:
    path, listener = journal_socket
    monkeypatch.setattr(system_log_module, "JOURNAL_SOCKET", path)
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    journal = open_system_log("local1")
    assert isinstance(journal, Journal)
    share = tmp_path / "share"
    share.mkdir()
    watcher = watch_once(share, journal, public=(str(share),))
    written(watcher, share / "名簿.txt", f"個人番号 {NUMBERS[0]}\n")
    messages = received(listener)
    finding = next(m for m in messages if m["MYNUMBER_EVENT"] == "finding")
    assert finding["MYNUMBER_PATH"] == f"{share}/名簿.txt" and finding["PRIORITY"] == str(syslog.LOG_WARNING)
    assert finding["MYNUMBER_LOCATION"] == '{"line": 1}' and finding["MYNUMBER_PUBLIC"] == "1"
    assert finding["SYSLOG_IDENTIFIER"] == "mynumber" and finding["SYSLOG_FACILITY"] == "17"  # local1
    assessment = next(m for m in messages if m["MYNUMBER_EVENT"] == "assessment" and m["MYNUMBER_PEOPLE"] == "1")
    assert assessment["PRIORITY"] == str(syslog.LOG_ALERT) and assessment["MYNUMBER_STATUS"] == "reportable"
    assert all(NUMBERS[0] not in "".join(m.values()) for m in messages)
    watcher.close()


def test_without_systemd_or_when_refused_it_is_syslog(syslog_calls: list[tuple[Any, ...]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(open_system_log(), Syslog)  # no JOURNAL_STREAM
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    monkeypatch.setattr(system_log_module, "JOURNAL_SOCKET", "/nonexistent/journal.sock")
    assert isinstance(open_system_log(), Syslog)  # no journal socket
    assert isinstance(open_system_log(journal=True), Journal)
    monkeypatch.setattr(system_log_module, "JOURNAL_SOCKET", os.devnull)
    assert isinstance(open_system_log(journal=False), Syslog)


def test_a_value_with_a_newline_is_sent_with_its_length() -> None:
    data = journal_datagram({"MESSAGE": "two\nlines", "PRIORITY": "4"})
    assert data == b"MESSAGE\n" + struct.pack("<Q", 9) + b"two\nlines\nPRIORITY=4\n"
    assert parse_datagram(data) == {"MESSAGE": "two\nlines", "PRIORITY": "4"}
