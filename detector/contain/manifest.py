"""The quarantine's manifest, ``DIR/manifest.json`` (0600): for each file moved, where it was, what it was
(sha256, size, mode, owner, times) and what the scan found in it (masked number, fingerprint, location,
confidence: never the number); the folders whose times the moves changed; and the placeholders left.

Each step of a move is recorded before it is taken: ``moving`` before a rename, ``copied`` after a verified copy
and before the original is removed, ``moved`` after. A step is one line appended to the journal,
``DIR/manifest.journal`` (0600, synced), so a step costs the same in a quarantine of ten files or ten thousand;
the manifest is written whole (a temporary file, fsync, rename: a reader never sees half of it) at the start and
the end of a run, and the journal, then all in it, is removed. Reading a manifest replays a journal a crash left
behind, so an entry always says where its file may be, and :mod:`.restore` looks at both places.

Paths are written as every writer writes names (:func:`detector.names.shown`). A name holding a number is thus
written masked; it is found again in the quarantine's own copy of the tree, whose layout is the original
absolute path under ``DIR/files`` (:func:`stored_parts`), by the one name that masks to it.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..messages import text as words
from ..model import Finding
from ..names import name_fields, shown, unescape
from ..outputs import ReplacedFile, open_append
from .move import Facts
from .paths import fsync_folder

SCHEMA = "mynumber-quarantine/1"
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = "manifest.journal"
FILES = "files"

MOVING, COPIED, MOVED, RESTORED = "moving", "copied", "moved", "restored"
STATES = (MOVING, COPIED, MOVED, RESTORED)


def stored_parts(path: str) -> list[str]:
    """Where a file of absolute ``path`` is kept under ``DIR/files``: its path's components, so the quarantine
    reads as the tree it came from."""
    return path.lstrip("/").split("/")


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as the manifest keeps it: the scan's json without the path (the entry's) and the items."""
    record = finding.to_json()
    for key in ("path", "path_display", "items", "reasons"):
        record.pop(key, None)
    return record


@dataclass
class Entry:
    """One file of the quarantine."""

    path: str  # the original absolute path (a number in a name masked once read back)
    root: str  # the scan's root it was under
    state: str
    method: str  # "rename" (same file system) or "copy" (across file systems)
    sha256: str
    facts: Facts
    run: str
    public: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)  # metadata a copy could not keep

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = name_fields("path", self.path)
        out.update({
            "root": shown(self.root), "state": self.state, "method": self.method, "run": self.run,
            "sha256": self.sha256, "size": self.facts.size, "mode": f"{self.facts.mode:04o}",
            "uid": self.facts.uid, "gid": self.facts.gid, "atime_ns": self.facts.atime_ns,
            "mtime_ns": self.facts.mtime_ns, "public": self.public, "findings": self.findings,
        })
        if self.not_kept:
            out["not_kept"] = self.not_kept
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        facts = Facts(0, 0, int(data["size"]), int(str(data["mode"]), 8), int(data["uid"]), int(data["gid"]),
                      int(data["atime_ns"]), int(data["mtime_ns"]), 1)
        state = str(data["state"])
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        return cls(unescape(str(data["path"])), unescape(str(data["root"])), state, str(data["method"]),
                   str(data["sha256"]), facts, str(data["run"]), bool(data.get("public", False)),
                   list(data.get("findings", [])), list(data.get("not_kept", [])))


@dataclass
class FolderTimes:
    """A folder whose times a move changed (a name removed or added): its times before, and its mtime after the
    run, so that a restore gives the old times back only to a folder nobody changed since."""

    path: str
    atime_ns: int
    mtime_ns: int
    after_mtime_ns: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": shown(self.path), "atime_ns": self.atime_ns, "mtime_ns": self.mtime_ns,
                "after_mtime_ns": self.after_mtime_ns}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FolderTimes:
        after = data.get("after_mtime_ns")
        return cls(unescape(str(data["path"])), int(data["atime_ns"]), int(data["mtime_ns"]),
                   int(after) if after is not None else None)


@dataclass
class PlaceholderRecord:
    """A file a placeholder wrote (see :mod:`.placeholder`): an ``.htaccess`` in a web root or a snippet in the
    quarantine folder, whether it was created, and the marker of the block it added."""

    kind: str  # "htaccess", "apache-conf", "nginx-conf"
    path: str
    created: bool
    marker: str
    urls: int
    before: Facts | None = None  # an existing .htaccess's metadata before the block was added

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": shown(self.path), "created": self.created,
                               "marker": self.marker, "urls": self.urls}
        if self.before is not None:
            before = self.before
            out["before"] = {"size": before.size, "mode": f"{before.mode:04o}", "uid": before.uid,
                             "gid": before.gid, "atime_ns": before.atime_ns, "mtime_ns": before.mtime_ns}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlaceholderRecord:
        before = data.get("before")
        facts = (Facts(0, 0, int(before["size"]), int(str(before["mode"]), 8), int(before["uid"]), int(before["gid"]),
                       int(before["atime_ns"]), int(before["mtime_ns"]), 1) if before else None)
        return cls(str(data["kind"]), unescape(str(data["path"])), bool(data["created"]), str(data["marker"]),
                   int(data["urls"]), facts)


_KINDS = ("entries", "folders", "placeholders")


@dataclass
class Manifest:
    """The manifest of the quarantine folder ``folder`` (absolute): ``manifest.json``, written whole at the start
    and the end of a run, and between them its journal (see the module)."""

    folder: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    folders: list[FolderTimes] = field(default_factory=list)
    placeholders: list[PlaceholderRecord] = field(default_factory=list)
    _journal: int | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return os.path.join(self.folder, MANIFEST_NAME)

    @property
    def journal_path(self) -> str:
        return os.path.join(self.folder, JOURNAL_NAME)

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "folder": shown(self.folder), "runs": self.runs,
                "entries": [entry.to_json() for entry in self.entries],
                "folders": [times.to_json() for times in self.folders],
                "placeholders": [record.to_json() for record in self.placeholders]}

    def put(self, item: Entry | FolderTimes | PlaceholderRecord) -> None:
        """Record ``item`` (added to its list if new) durably in the journal, before the step it records goes
        further: one appended line, whatever the size of the quarantine."""
        kind = "entries" if isinstance(item, Entry) else "folders" if isinstance(item, FolderTimes) \
            else "placeholders"
        items: list[Any] = getattr(self, kind)
        index = next((i for i in range(len(items) - 1, -1, -1) if items[i] is item), None)
        if index is None:
            index = len(items)
            items.append(item)
        if self._journal is None:
            self._journal = open_append(self.journal_path, "the quarantine manifest's journal")
        line = json.dumps({"kind": kind, "index": index, "value": item.to_json()}, ensure_ascii=False)
        os.write(self._journal, line.encode("utf-8") + b"\n")
        os.fsync(self._journal)

    def save(self) -> None:
        """Write the manifest whole (0600, a temporary file renamed into place), durably; then the journal, all in
        it now, goes."""
        data = (json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        ReplacedFile(self.path, "the quarantine manifest").commit(data)
        folder = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fsync_folder(folder)
        finally:
            os.close(folder)
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        with suppress(FileNotFoundError):
            os.unlink(self.journal_path)

    def times_of(self, path: str) -> FolderTimes | None:
        return next((times for times in self.folders if times.path == path), None)

    @classmethod
    def load(cls, path: str) -> Manifest:
        """The manifest at ``path``, with what its journal recorded since it was written whole (a run that did
        not end); a usage error naming the file and the problem when it is not one."""
        data = _read_json(path)
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise UsageError(words("manifest.other_schema", path=path, schema=SCHEMA))
        folder = os.path.dirname(os.path.abspath(path))
        try:
            for kind, index, value in _journal_lines(os.path.join(folder, JOURNAL_NAME)):
                items = data.setdefault(kind, [])
                if index < len(items):
                    items[index] = value
                elif index == len(items):
                    items.append(value)
            return cls(folder, list(data.get("runs", [])), [Entry.from_json(item) for item in data["entries"]],
                       [FolderTimes.from_json(item) for item in data.get("folders", [])],
                       [PlaceholderRecord.from_json(item) for item in data.get("placeholders", [])])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(words("manifest.malformed", path=path, error=f"{type(exc).__name__}: {exc}")) from None


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise UsageError(words("manifest.unreadable", path=path, reason=exc.strerror)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(words("not_json", name=path, error=type(exc).__name__)) from None


def _journal_lines(path: str) -> list[tuple[str, int, dict[str, Any]]]:
    """The journal's records in order; a last line cut short by a crash is left out (its step was not taken)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("kind") in _KINDS and isinstance(record.get("index"), int):
            records.append((str(record["kind"]), int(record["index"]), dict(record["value"])))
    return records
