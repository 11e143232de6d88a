"""json: the documented schema "mynumber/2" (older "mynumber/1" documents are read too);
jsonl: one event per line, as `mynumber watch` emits, each with its time (RFC 3339), host and scan id.

``scan --format jsonl`` is streamed (:class:`LineStream`): each file's findings are written once the parent has
merged its batch, so a reader tailing the output sees them while the scan goes on, and a scan killed midway has
written what it found. The stream's order follows the scanning (it changes with ``--jobs``); the set of lines is
the same as :func:`render_lines` gives, which writes a finished result (``merge --format jsonl``) in the json's
order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from ..model import Finding
from ..names import shown
from ..people import RevealedNumbers
from ..result import UNKNOWN_HOST, Entries, Found, ScanResult
from ..times import rfc3339
from . import in_chunks


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    return "".join(pieces(result, revealed))


def pieces(result: ScanResult, revealed: RevealedNumbers | None = None) -> Iterator[str]:
    """:func:`render`'s text in pieces, each finding's entry made as it is written: a command writes them to its
    output one after the other, never holding the whole text (a report of 200,000 findings is over 100 MB)."""
    return document_pieces(result.to_json(revealed, lazy=True))


def document_text(document: dict[str, Any]) -> str:
    """A json document as people read it and programs parse it fast: its fields indented, and each entry of a
    top-level list (findings, samples, files...) on one line of its own. A long list is what takes the time, and
    one entry a line lets Python's C encoder write it (``indent`` makes :func:`json.dumps` fall back to its
    pure-Python encoder), with no change to what :func:`json.loads` reads back."""
    return "".join(document_pieces(document))


ENTRIES_A_PIECE = 1_000  # entries of a top-level list written as one piece


def document_pieces(document: dict[str, Any]) -> Iterator[str]:
    """:func:`document_text` in pieces (that text is their join): a long list's entries a thousand a piece."""
    entry_text = json.JSONEncoder(ensure_ascii=False).encode
    for index, (key, value) in enumerate(document.items()):
        yield f"{'{' if index == 0 else ','}\n  {json.dumps(key, ensure_ascii=False)}: "
        if isinstance(value, list | Entries) and value:
            yield "[\n    "
            for count, chunk in enumerate(in_chunks(value, ENTRIES_A_PIECE)):
                yield (",\n    " if count else "") + ",\n    ".join(map(entry_text, chunk))
            yield "\n  ]"
        else:  # a json string holds no raw line end: every line end here is the indented layout's
            yield json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    yield "\n}\n" if document else "{\n\n}\n"


def render_lines(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    doc = result.to_json(revealed)
    stamp = _Stamp(result, revealed is not None)
    lines = [stamp.line("finding", finding) for finding in doc["findings"]]
    lines += [stamp.line("sample", sample) for sample in doc["samples"]]
    lines += [stamp.line("baselined", finding) for finding in doc["baselined"]]
    lines += [stamp.line("unscanned", entry) for entry in doc["unscanned"]]
    lines += [stamp.line("unreadable_candidate", entry) for entry in doc["unreadable_candidates"]]
    lines += [stamp.line("file", entry) for entry in doc["files"]]
    lines += [stamp.line("excluded", entry) for entry in doc["excluded"]]
    lines.append(_summary_line(stamp, doc))
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


class _Stamp:
    """What every line of a finished result carries beside its entry: the event, the time, the scan id and the
    host (the entry's own where it names one, else the scanning host's)."""

    def __init__(self, result: ScanResult, reveal: bool) -> None:
        self.scan_id = result.scan_id
        self.host = result.host
        self.reveal = reveal
        self.time = rfc3339()

    def line(self, event: str, entry: dict[str, Any]) -> dict[str, Any]:
        line = {"event": event, "time": self.time, "scan_id": self.scan_id,
                "host": shown(self.host, self.reveal) if self.host is not None else UNKNOWN_HOST}
        line.update(entry)  # a finding's or an entry's own host stands
        return line


def _summary_line(stamp: _Stamp, doc: dict[str, Any]) -> dict[str, Any]:
    return stamp.line("summary", {"schema": doc["schema"], "scan": doc["scan"], "summary": doc["summary"]})


class LineStream:
    """``scan --format jsonl`` written as the scan goes (:class:`~detector.result.FoundSink`): each file's
    findings, samples, unscanned entries and unreadable candidates as the result takes them in, then a ``file`` line
    (the file as read: size, mtime_ns, sha256) for a file that gave findings or unreadable candidates, written with
    one ``write`` a batch (:meth:`flush`); the excluded entries and the summary line at the end (:meth:`rest`).

    With ``revealed`` (``--reveal``, whose output is a 0600 file: the command line refuses standard output), a
    finding's line holds its raw ``number`` and names as they are, as the json of ``--reveal`` does; the numbers
    are in ``revealed`` before the result takes the batch in. ``baseline`` gives the reason a finding is accepted
    (:class:`detector.baseline.Baseline`): such a finding is written as ``baselined``, as :func:`render_lines`
    writes it."""

    def __init__(self, write: Callable[[bytes], None], revealed: RevealedNumbers | None = None,
                 baseline: Callable[[Finding], str | None] | None = None) -> None:
        self.write = write
        self.revealed = revealed
        self.baseline = baseline
        self.pending: list[str] = []

    def found(self, found: Found) -> None:
        reveal = self.revealed is not None
        time = rfc3339()
        lines = [self._finding(finding, found, time) for finding in found.findings]
        lines += [self._line("sample", sample.to_json(reveal), found, time) for sample in found.samples]
        lines += [self._line("unscanned", entry.to_json(reveal), found, time) for entry in found.unscanned]
        lines += [self._line("unreadable_candidate", entry.to_json(reveal), found, time)
                  for entry in found.unreadable]
        if found.file is not None:  # the file as read (size, mtime, sha256), after what it gave
            path, facts = found.file
            lines.append(self._line("file", facts.entry(path, found.host, reveal), found, time))
        self.pending.extend(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)

    def flush(self) -> None:
        """What was found since the last flush, written at once (once a batch: a line at a time cost a write
        each)."""
        if self.pending:
            data = "".join(self.pending).encode("utf-8")
            self.pending.clear()
            self.write(data)

    def rest(self, result: ScanResult) -> str:
        """The lines that close the stream, once the scan is finished: what was still pending, the excluded
        entries and the summary line."""
        pending = "".join(self.pending)
        self.pending.clear()
        doc = result.to_json(self.revealed)
        stamp = _Stamp(result, self.revealed is not None)
        lines = [stamp.line("excluded", entry) for entry in doc["excluded"]]
        lines.append(_summary_line(stamp, doc))
        return pending + "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)

    def _finding(self, finding: Finding, found: Found, time: str) -> dict[str, Any]:
        item = finding.to_json(self.revealed is not None)
        number = self.revealed.number(finding) if self.revealed is not None else None
        if number is not None:
            item["number"] = number
        reason = self.baseline(finding) if self.baseline is not None else None
        if reason is None:
            return self._line("finding", item, found, time)
        item["baseline_reason"] = shown(reason)  # a person's text: numbers in it masked, as the json does
        return self._line("baselined", item, found, time)

    def _line(self, event: str, entry: dict[str, Any], found: Found, time: str) -> dict[str, Any]:
        host = shown(found.host, self.revealed is not None) if found.host is not None else UNKNOWN_HOST
        line = {"event": event, "time": time, "scan_id": found.scan_id, "host": host}
        line.update(entry)
        return line
