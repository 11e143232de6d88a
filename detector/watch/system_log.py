"""The system log of ``watch --syslog``: each event, and the watch's own log records, at a priority that says how
urgent it is, to syslog(3) under the facility the admin chose, or to the systemd journal with structured fields.

Priorities (RFC 5424 severities, the order syslog daemons and ``journalctl -p`` filter by):

======================================================  ==============
event                                                    priority
======================================================  ==============
assessment: ``reportable`` (a reporting trigger holds)   ``LOG_ALERT``
assessment: ``possibly_reportable``                      ``LOG_CRIT``
assessment: back to ``not_reportable_on_scan``           ``LOG_NOTICE``
finding                                                  ``LOG_WARNING``
baselined (a finding ``--baseline`` accepts)             ``LOG_INFO``
unreadable_candidate (a possible number in a picture)    ``LOG_WARNING``
cleared                                                  ``LOG_NOTICE``
a log record: error / warning / info / debug             ``LOG_ERR`` / ``LOG_WARNING`` / ``LOG_INFO`` / ``LOG_DEBUG``
======================================================  ==============

A possibly reportable exposure is ``LOG_CRIT``, not a warning among the findings: where the number of people
cannot be fixed, the most that may be affected decides
(「特定個人情報の適正な取扱いに関するガイドライン（事業者編）」別添２ 3A), and the preliminary report is due
「速やかに」 from the day the organisation learns of the incident (規則第3条第1項; 別添２: 「概ね３～５日以内」),
so a person must look at it now; it stays one step below the confirmed ``LOG_ALERT``.

The journal (under systemd: ``JOURNAL_STREAM`` is set, or ``--journal``) gets the native protocol, datagrams of
``FIELD=value`` lines on ``/run/systemd/journal/socket`` (systemd's "Native Journal Protocol"), with the event's
fields as ``MYNUMBER_EVENT``, ``MYNUMBER_PATH``, ``MYNUMBER_PEOPLE``... so ``journalctl MYNUMBER_EVENT=assessment``
selects them. The ``systemd-python`` binding is not used: it builds from source against libsystemd's headers,
which a plain install does not have, and the protocol is a few lines.

Nothing here holds a raw number: events carry masked numbers only, names are shown as
:func:`~detector.names.shown` shows them, and log records pass the same redaction as on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import syslog
from collections.abc import Mapping
from typing import Any, Protocol

from ..names import escape
from ..redact import redact

log = logging.getLogger(__name__)

JOURNAL_SOCKET = "/run/systemd/journal/socket"
IDENTIFIER = "mynumber"

# The facilities --syslog-facility accepts, by name without the LOG_ prefix.
FACILITIES: dict[str, int] = {
    "USER": syslog.LOG_USER,
    "DAEMON": syslog.LOG_DAEMON,
    "AUTH": syslog.LOG_AUTH,
    "AUTHPRIV": getattr(syslog, "LOG_AUTHPRIV", 10 << 3),
    **{f"LOCAL{n}": getattr(syslog, f"LOG_LOCAL{n}") for n in range(8)},
}
DEFAULT_FACILITY = "USER"

# An assessment's priority by the verdict's status (detector.assess.Status values).
_ASSESSMENT_PRIORITY = {
    "reportable": syslog.LOG_ALERT,
    "possibly_reportable": syslog.LOG_CRIT,
    "not_reportable_on_scan": syslog.LOG_NOTICE,
}
_EVENT_PRIORITY = {"finding": syslog.LOG_WARNING, "baselined": syslog.LOG_INFO, "cleared": syslog.LOG_NOTICE,
                   "unreadable_candidate": syslog.LOG_WARNING}
_RECORD_PRIORITY = ((logging.ERROR, syslog.LOG_ERR), (logging.WARNING, syslog.LOG_WARNING),
                    (logging.INFO, syslog.LOG_INFO))


def facility_named(name: str) -> int:
    """``user``, ``LOG_LOCAL3``... as a syslog facility; ValueError names the choices."""
    key = name.upper().removeprefix("LOG_")
    if key not in FACILITIES:
        raise ValueError(f"{name!r} is not a syslog facility ({', '.join(n.lower() for n in FACILITIES)})")
    return FACILITIES[key]


def event_priority(event: Mapping[str, Any]) -> int:
    """How urgent an event is (see the table in the module's docstring)."""
    if event["event"] == "assessment":
        return _ASSESSMENT_PRIORITY.get(event["summary"].get("status", ""), syslog.LOG_ALERT
                                        if event["summary"].get("serious") else syslog.LOG_NOTICE)
    return _EVENT_PRIORITY.get(event["event"], syslog.LOG_INFO)


def record_priority(level: int) -> int:
    """A log record's level as a syslog priority."""
    for at_least, priority in _RECORD_PRIORITY:
        if level >= at_least:
            return priority
    return syslog.LOG_DEBUG


def event_fields(event: Mapping[str, Any]) -> dict[str, str]:
    """The journal's structured fields of an event (values as shown in the event: masked, names escaped)."""
    fields = {"MYNUMBER_EVENT": str(event["event"])}
    if "path" in event:
        fields["MYNUMBER_PATH"] = str(event["path"])
    if event["event"] in ("finding", "baselined"):
        fields["MYNUMBER_LOCATION"] = json.dumps(event.get("location", {}), ensure_ascii=False, sort_keys=True)
        fields["MYNUMBER_CONFIDENCE"] = str(event.get("confidence", ""))
        fields["MYNUMBER_PUBLIC"] = "1" if event.get("public") else "0"
        fields["MYNUMBER_FINGERPRINT"] = str(event.get("fingerprint", ""))
    if event["event"] == "unreadable_candidate":
        fields["MYNUMBER_LOCATION"] = json.dumps(event.get("location", {}), ensure_ascii=False, sort_keys=True)
        fields["MYNUMBER_MASKED"] = str(event.get("masked", ""))
    if event["event"] == "assessment":
        summary = event["summary"]
        fields["MYNUMBER_STATUS"] = str(summary.get("status", ""))
        fields["MYNUMBER_PEOPLE"] = str(summary.get("distinct_people", 0))
        fields["MYNUMBER_PUBLIC_PEOPLE"] = str(summary.get("public_distinct_people", 0))
        fields["MYNUMBER_FILES"] = str(summary.get("files_with_findings", 0))
        fields["MYNUMBER_REASONS"] = ",".join(summary.get("serious_reasons", []))
    return fields


class SystemLog(Protocol):
    """Where --syslog sends a line: syslog(3) or the journal."""

    def send(self, priority: int, message: str, fields: Mapping[str, str]) -> None: ...


class Syslog:
    """syslog(3) under one facility; structured fields have no place there and are dropped."""

    def __init__(self, facility: int) -> None:
        self.facility = facility
        syslog.openlog(IDENTIFIER, syslog.LOG_PID, facility)

    def send(self, priority: int, message: str, fields: Mapping[str, str]) -> None:
        syslog.syslog(self.facility | priority, message)


class Journal:
    """The systemd journal's native protocol: one datagram a message, on a unix socket (``path`` is the
    journal's; tests give their own)."""

    def __init__(self, facility: int, path: str | None = None) -> None:
        self.facility = facility
        self.path = path or JOURNAL_SOCKET
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    def send(self, priority: int, message: str, fields: Mapping[str, str]) -> None:
        datagram = journal_datagram({"MESSAGE": message, "PRIORITY": str(priority),
                                     "SYSLOG_FACILITY": str(self.facility >> 3), "SYSLOG_IDENTIFIER": IDENTIFIER,
                                     "SYSLOG_PID": str(os.getpid()), **fields})
        try:
            self.socket.sendto(datagram, self.path)
        except OSError as exc:  # a journal restarting, a message too large: the event stream still has it
            log.debug("the journal did not take a message: %s", exc.strerror)

    def close(self) -> None:
        self.socket.close()


def journal_datagram(fields: Mapping[str, str]) -> bytes:
    """Fields in the journal's native format: ``NAME=value\\n``, or, for a value holding a newline, ``NAME\\n``,
    its length as 64-bit little-endian, the value and ``\\n``."""
    out = bytearray()
    for name, value in fields.items():
        data = value.encode("utf-8", "surrogateescape")
        if b"\n" in data:
            out += name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
        else:
            out += name.encode() + b"=" + data + b"\n"
    return bytes(out)


def under_systemd() -> bool:
    """systemd connected our output to the journal (it sets ``JOURNAL_STREAM`` then) and its socket is there."""
    return bool(os.environ.get("JOURNAL_STREAM")) and os.path.exists(JOURNAL_SOCKET)


def open_system_log(facility: str = DEFAULT_FACILITY, journal: bool | None = None) -> SystemLog:
    """The journal when asked (``journal``) or, unless refused (``journal=False``), when running under systemd;
    syslog(3) otherwise."""
    code = facility_named(facility)
    if journal or (journal is None and under_systemd()):
        return Journal(code)
    return Syslog(code)


class SystemLogHandler(logging.Handler):
    """The watch's own log records (errors, restarts, ``-v`` lines) into the system log, beside the events,
    each masked and escaped as on stderr."""

    def __init__(self, target: SystemLog) -> None:
        super().__init__()
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = escape(redact(record.getMessage()))
            self.target.send(record_priority(record.levelno), message,
                             {"MYNUMBER_EVENT": "log", "CODE_FILE": record.pathname, "CODE_LINE": str(record.lineno),
                              "CODE_FUNC": record.funcName})
        except Exception:
            self.handleError(record)
