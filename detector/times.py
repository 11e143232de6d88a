"""Times as every output writes them, and read back: RFC 3339 with the local offset and whole seconds
(``2026-12-03T22:46:29+09:00``), the form of ISO 8601 that log shippers, SIEMs and ``jq``'s ``fromdateiso8601``
take (RFC 3339 section 5.6: the offset is ``+09:00``, with the colon). The scan document, the jsonl stream,
``watch``'s events, baselines and the quarantine's manifest and log all write this one form.

Earlier versions wrote the offset without the colon (``+0900``, ``strftime``'s ``%z``):
:func:`parse_time` reads both, so older scans still feed ``quarantine`` and ``merge``.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["parse_time", "rfc3339"]


def rfc3339(moment: float | dt.datetime | None = None) -> str:
    """``moment`` (a POSIX timestamp, an aware or local datetime; default: now) in RFC 3339, local offset."""
    if moment is None:
        when = dt.datetime.now()
    elif isinstance(moment, dt.datetime):
        when = moment
    else:
        when = dt.datetime.fromtimestamp(moment)
    return when.astimezone().isoformat(timespec="seconds")


def parse_time(text: str) -> dt.datetime:
    """A time this tool wrote, RFC 3339 (``+09:00``, ``Z``) or the older ``+0900`` form, as an aware datetime; a
    ValueError for anything else (a time without an offset cannot be placed, so it is refused too)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no offset in the time {text!r}")
    return moment
