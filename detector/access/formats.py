"""Access log formats: which one a log is written in, and one line of it as a :class:`Request`.

Four formats are known: nginx's and Apache's ``combined`` and ``common`` (the NCSA formats, one regular
expression with the referer and user agent optional), IIS's W3C extended format (its ``#Fields:`` directive
names the columns, and may name others further down the log, after a restart), and JSON access logs, one object a
line, with the keys nginx's ``escape=json`` examples, Caddy, Traefik and most log shippers use. A format is told
from the first lines of each log (:func:`recognise`): the one that parses the most of them, if it parses a
quarter at least; a log none parses is an error naming it.

Only the lines the filter lets through are parsed, so parsing favours clarity over speed: a line that does not
parse is None (the caller counts it as malformed), never an exception.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from ..errors import UsageError
from ..messages import text as words
from .reading import MAX_LINE_BYTES, log_label

SAMPLE_LINES = 200


class Request(NamedTuple):
    """What one log line says of one request. ``target`` is the request target as the client sent it (log
    escapes undone, percent-encoding kept); ``time`` is aware (UTC where the log says so), None when the log
    gives none that reads."""

    client: str
    time: dt.datetime | None
    target: bytes
    status: int
    size: int | None
    agent: str


class LogFormat(Protocol):
    name: str
    caseless_paths: bool  # whether the server serves names without regard to case (IIS)
    directive_needles: tuple[bytes, ...]  # bytes of lines the parser must see besides requests (IIS #Fields)

    def parse(self, line: bytes) -> Request | None:
        """The request of ``line``, or None when it is not one of this format (or a directive it took in)."""
        ...


# -- NCSA common and combined (nginx, Apache) ---------------------------------------------------------------------

_QUOTED = rb'"((?:[^"\\]|\\.)*)"'
_NCSA = re.compile(rb"^(\S+) \S+ (?:\S+|\"[^\"]*\") \[([^\]]{1,64})\] " + _QUOTED + rb" (\d{3}) (\d+|-)"
                   rb"(?: " + _QUOTED + rb" " + _QUOTED + rb")?(?:\s.*)?$", re.DOTALL)
_ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{2}|.)", re.DOTALL)


def _unescape_log(text: bytes) -> bytes:
    """A field as nginx and Apache escape it (``\\xHH``, ``\\"``, ``\\\\``) back to its bytes."""
    if b"\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1)[1:], 16)]) if len(m.group(1)) == 3 else m.group(1), text)


def _clf_time(text: bytes) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.decode("ascii"), "%d/%b/%Y:%H:%M:%S %z")
    except (UnicodeDecodeError, ValueError):
        return None


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _request_target(request_line: bytes) -> bytes:
    """The target of ``METHOD TARGET PROTOCOL`` (b"" for a request line that has none: a garbled request)."""
    parts = request_line.split(b" ")
    return parts[1] if len(parts) >= 2 else b""


class NcsaFormat:
    """nginx's and Apache's ``combined`` (with referer and user agent) and ``common`` formats."""

    caseless_paths = False
    directive_needles: tuple[bytes, ...] = ()

    def __init__(self, name: str = "combined") -> None:
        self.name = name

    def parse(self, line: bytes) -> Request | None:
        found = _NCSA.match(line.rstrip(b"\r\n"))
        if found is None:
            return None
        client, when, request, status, size, _referer, agent = found.groups()
        return Request(_text(client), _clf_time(when), _request_target(_unescape_log(request)), int(status),
                       None if size == b"-" else int(size), _text(_unescape_log(agent or b"")))

    def is_combined(self, line: bytes) -> bool:
        found = _NCSA.match(line.rstrip(b"\r\n"))
        return found is not None and found.group(7) is not None


# -- IIS W3C extended -------------------------------------------------------------------------------------------------

class W3cFormat:
    """IIS's W3C extended format: space-separated fields named by the last ``#Fields:`` directive, times in UTC,
    spaces in the URI stem and the user agent written as ``+``."""

    name = "w3c"
    caseless_paths = True  # IIS serves names without regard to case
    directive_needles: tuple[bytes, ...] = (b"#Fields:",)

    def __init__(self) -> None:
        self.fields: dict[str, int] = {}

    def parse(self, line: bytes) -> Request | None:
        line = line.rstrip(b"\r\n")
        if line.startswith(b"#"):
            if line.startswith(b"#Fields:"):
                self.fields = {name: index for index, name in enumerate(_text(line[8:]).split())}
            return None
        values = line.split(b" ")
        if not self.fields or len(values) != len(self.fields):
            return None
        return self._request(values)

    def _request(self, values: list[bytes]) -> Request | None:
        def field(name: str) -> bytes | None:
            index = self.fields.get(name)
            value = values[index] if index is not None else None
            return None if value in (None, b"-") else value

        stem, status = field("cs-uri-stem"), field("sc-status")
        if stem is None or status is None or not status.isdigit():
            return None
        size = field("sc-bytes")
        return Request(_text(field("c-ip") or b"-"), _w3c_time(field("date"), field("time")),
                       stem.replace(b"+", b" "), int(status), int(size) if size and size.isdigit() else None,
                       _text(field("cs(User-Agent)") or b"").replace("+", " "))

    def is_directive(self, line: bytes) -> bool:
        return line.startswith(b"#")


def _w3c_time(date: bytes | None, time: bytes | None) -> dt.datetime | None:
    if date is None or time is None:
        return None
    try:
        return dt.datetime.strptime(f"{_text(date)} {_text(time)}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


# -- JSON access logs -------------------------------------------------------------------------------------------------

# The keys each field goes by, in the order they are looked for ("a.b": key b of the object under a).
_JSON_KEYS: Mapping[str, tuple[str, ...]] = {
    "client": ("remote_addr", "client_ip", "clientip", "remote_ip", "ip", "c-ip", "ClientHost", "request.remote_ip",
               "request.client_ip", "client"),
    "time": ("time_iso8601", "@timestamp", "timestamp", "time", "time_local", "ts", "StartUTC", "datetime"),
    "target": ("request_uri", "uri", "url", "path", "RequestPath", "request.uri", "cs-uri-stem", "request"),
    "status": ("status", "status_code", "response_status", "DownstreamStatus", "sc-status", "response.status"),
    "size": ("body_bytes_sent", "bytes_sent", "size", "bytes", "response_size", "DownstreamContentSize", "sc-bytes"),
    "agent": ("http_user_agent", "user_agent", "useragent", "agent", "request_User-Agent",
              "request.headers.User-Agent", "cs(User-Agent)"),
}


def _lookup(record: Mapping[str, Any], key: str) -> Any:
    if key in record:
        return record[key]
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(record: Mapping[str, Any], field: str) -> Any:
    for key in _JSON_KEYS[field]:
        value = _lookup(record, key)
        if isinstance(value, list) and value:  # Caddy's headers are lists
            value = value[0]
        if value not in (None, "", "-"):
            return value
    return None


def _json_time(value: Any) -> dt.datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _clf_time(value.encode("ascii", "replace"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class JsonFormat:
    """JSON access logs, one object a line (nginx ``log_format ... escape=json``, Caddy, Traefik, shippers)."""

    name = "json"
    caseless_paths = False
    directive_needles: tuple[bytes, ...] = ()

    def parse(self, line: bytes) -> Request | None:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        target, status = _first(record, "target"), _whole_number(_first(record, "status"))
        if not isinstance(target, str) or status is None:
            return None
        if " " in target and _lookup(record, "request") == target:  # "GET /path HTTP/1.1"
            target = _request_target(target.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")
        client, agent = _first(record, "client"), _first(record, "agent")
        return Request(str(client) if client is not None else "-", _json_time(_first(record, "time")),
                       target.encode("utf-8", "surrogateescape"), status, _whole_number(_first(record, "size")),
                       agent if isinstance(agent, str) else "")


# -- recognising a log's format ----------------------------------------------------------------------------------------

def recognise(head: Iterable[bytes], path: str) -> LogFormat | None:
    """The format of a log from its first lines (up to :data:`SAMPLE_LINES` that are not blank): the one that
    parses the most of them, if it parses a quarter at least. None for a log without a line; a log no format
    reads is a usage error naming it."""
    sample = [line for line in head if line.strip() and len(line) <= MAX_LINE_BYTES][:SAMPLE_LINES]
    if not sample:
        return None
    w3c = W3cFormat()
    counts: list[tuple[int, LogFormat]] = []
    for candidate in (NcsaFormat(), w3c, JsonFormat()):
        parsed = sum(1 for line in sample if candidate.parse(line) is not None)
        counts.append((parsed, candidate))
    parsed, best = max(counts, key=lambda pair: pair[0])
    directives = sum(1 for line in sample if w3c.is_directive(line))
    if parsed == 0 or parsed * 4 < len(sample) - directives:
        raise UsageError(words("access_log.unknown_format", name=log_label(path)))
    if isinstance(best, W3cFormat):
        return W3cFormat()  # a fresh one: the log's own #Fields directives set its columns as it is read
    if isinstance(best, NcsaFormat):
        combined = sum(1 for line in sample if best.is_combined(line))
        return NcsaFormat("combined" if combined * 2 >= parsed else "common")
    return best
