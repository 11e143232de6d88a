"""Where the watcher's events go: the event stream (json lines or readable text lines, on standard output or
appended to a file: :class:`EventStream`), the user's command (``--exec``) and the system log (``--syslog``: syslog
or the journal, at a priority by event, :mod:`.system_log`).

An event never holds a raw number: findings carry masked numbers and fingerprints, and a file's name is shown
as :func:`~detector.names.shown` shows it (a number in a name masked).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..messages import text
from ..names import shown
from ..outputs import open_append
from ..times import rfc3339
from .system_log import SystemLog, event_fields, event_priority

log = logging.getLogger(__name__)

Event = dict[str, Any]

# Events the --exec command is not run for: a finding a baseline accepts (watch --baseline) is listed in the event
# stream and the system log (at LOG_INFO), but paging someone for an accepted finding is the noise a baseline is
# for removing.
NOT_EXECUTED = frozenset({"baselined"})


class Alerts:
    """Sends each event, stamped with its time and host (the machine watching, or ``--host-label``), to the event
    stream, the ``--exec`` command and the system log."""

    def __init__(self, emit: Callable[[Event], None], execute: str | None = None,
                 system_log: SystemLog | None = None, host: str | None = None) -> None:
        self.emit = emit
        self.execute = execute
        self.system_log = system_log
        self.host = shown(host) if host is not None else None
        self.sent: Counter[str] = Counter()  # events by kind, for --metrics

    def send(self, event: Event) -> None:
        event = {**event, "time": rfc3339()}
        if self.host is not None:
            event.setdefault("host", self.host)
        if event["event"] == "cleared":  # a finding's names are shown by Finding.to_json; this one's here
            event["path"] = shown(event["path"])
        self.emit(event)
        self.sent[event["event"]] += 1
        if self.execute and event["event"] not in NOT_EXECUTED:
            run_command(self.execute, event)
        if self.system_log is not None:
            self.system_log.send(event_priority(event), describe(event), event_fields(event))


def describe(event: Event) -> str:
    """One readable line per event (masked numbers only): the text format of the event stream and syslog's."""
    kind = event["event"]
    if kind == "finding":
        where = " ".join(f"{k}={v}" for k, v in event["location"].items())
        public = f" PUBLIC ({event.get('public_reason', '')})" if event.get("public") else ""
        return f"finding {event['path']} {where} {event['masked']} {event['confidence']}{public}"
    if kind == "baselined":
        where = " ".join(f"{k}={v}" for k, v in event["location"].items())
        return f"baselined {event['path']} {where} {event['masked']} ({event['baseline_reason']})"
    if kind == "cleared":
        return f"cleared {event['path']}"
    if kind == "unreadable_candidate":
        where = " ".join(f"{k}={v}" for k, v in event["location"].items())
        return f"unreadable_candidate {event['path']} {where} {event['masked']} ({event['reason']})"
    summary = event["summary"]
    verdict = "SERIOUS " + ",".join(summary["serious_reasons"]) if summary["serious"] else "not serious"
    return (f"assessment {verdict}: {summary['distinct_people']} people "
            f"({summary['public_distinct_people']} public) in {summary['files_with_findings']} files")


def run_command(command: str, event: Event) -> None:
    """Run the user's command with the event's json on its standard input; file names are never put into a
    shell command line."""
    try:
        subprocess.run(shlex.split(command), input=json.dumps(event, ensure_ascii=False).encode(), timeout=60,
                       check=False, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("--exec %s failed: %s", command, exc)


class EventStream:
    """The event stream: json lines, or readable lines (:func:`describe`), on standard output or appended to a
    file created 0600 and never written through a link (:func:`~detector.outputs.open_append`), each flushed as
    it comes."""

    def __init__(self, path: str | None, fmt: str) -> None:
        self.fmt = fmt
        self.fd = open_append(path, text("what.events")) if path is not None and path != "-" else None

    def identities(self) -> frozenset[tuple[int, int]]:
        """(device, inode) of the file written, so the watcher's walk over its folder skips it."""
        if self.fd is None:
            return frozenset()
        st = os.fstat(self.fd)
        return frozenset({(st.st_dev, st.st_ino)})

    def write(self, event: Event) -> None:
        if self.fmt == "text":
            line = f"{event['time']} {describe(event)}\n"
        else:
            line = json.dumps(event, ensure_ascii=False) + "\n"
        if self.fd is None:
            sys.stdout.write(line)
            sys.stdout.flush()
        else:
            os.write(self.fd, line.encode("utf-8"))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
