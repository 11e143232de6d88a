"""``mynumber quarantine --restore MANIFEST``: the files of a quarantine put back where they were.

Each entry's file is found in the quarantine's tree (``DIR/files`` + its original path; a masked name is the one
name that masks to it), its sha256 checked against the manifest, and moved back: renamed on one file system,
else copied, synced and verified before the quarantine's copy is removed. Nothing is overwritten: a file that
reappeared at the original path is refused and both are left as they are. Mode, owner, times (ns) and extended
attributes are given back. An entry an interrupted run left ``moving`` or ``copied`` is looked for in both
places: an original still there with the recorded sha256 was never removed, and only the quarantine's copy goes.

The placeholders' blocks are removed first, and last, each folder whose times the quarantine changed gets its
old times back if nobody changed it since (its mtime is the one the run left).
"""

from __future__ import annotations

import os
import secrets
import time
from contextlib import suppress

from ..errors import EXIT_CLEAN, EXIT_FINDINGS
from ..fs.facts import sha256_of
from ..names import readable, unescape
from .actionlog import ActionLog
from .manifest import COPIED, FILES, MOVED, MOVING, RESTORED, Entry, FolderTimes, Manifest, stored_parts
from .move import copy, keep_metadata, rename, same_device, sha256_of_name
from .paths import FILE_FLAGS, Place, Refused, exists, open_file, open_quietly, place_of
from .placeholder import remove
from .quarantine import Outcome


def restore(manifest_path: str) -> Outcome:
    """Put back every file of the manifest that is not back yet (see the module)."""
    manifest = Manifest.load(manifest_path)
    log = ActionLog(manifest.folder, "restore-" + time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3))
    log.record("restore start", entries=len(manifest.entries))
    untouched = _folders_untouched(manifest)  # before the placeholders' removal changes a web root's times
    lines = _remove_placeholders(manifest, log)
    restored, refused_in = 0, set()
    for entry in manifest.entries:
        if entry.state == RESTORED:
            continue
        try:
            outcome = _restore_one(entry, manifest.folder)
        except (Refused, OSError) as exc:
            reason = exc.reason if isinstance(exc, Refused) else f"could not be put back: {exc.strerror or exc}"
            refused_in.add(os.path.dirname(entry.path))
            log.record("restore refused", entry.path, reason=reason)
            lines.append(f"refused: {readable(entry.path)}: {reason}")
            continue
        entry.state = RESTORED
        manifest.put(entry)
        restored += 1
        log.record("restore", entry.path, result=outcome, sha256=entry.sha256)
        lines.append(f"restored: {readable(entry.path)} ({outcome})")
    for real, times in untouched:
        if times.path not in refused_in:  # a folder still missing a file keeps the time that says so
            with suppress(OSError):
                os.utime(real, ns=(times.atime_ns, times.mtime_ns), follow_symlinks=False)
                log.record("folder times", real, mtime_ns=times.mtime_ns)
    manifest.save()
    refused = sum(entry.state != RESTORED for entry in manifest.entries)
    log.record("restore end", restored=restored, refused=refused)
    lines.append(f"{restored} files restored, {refused} refused")
    return Outcome(lines, EXIT_FINDINGS if refused else EXIT_CLEAN)


def _remove_placeholders(manifest: Manifest, log: ActionLog) -> list[str]:
    lines = []
    for record in manifest.placeholders:
        try:
            done = remove(record)
        except OSError as exc:
            done = f"could not be removed: {exc.strerror or exc}"
        log.record("placeholder removed", record.path, result=done)
        lines.append(f"placeholder {readable(record.path)}: {done}")
    return lines


def _restore_one(entry: Entry, folder: str) -> str:
    files = os.path.join(folder, FILES)
    kept_path = os.path.join(files, *stored_parts(entry.path))
    try:
        with place_of(files, kept_path) as kept:
            original = "/" + kept.path[len(files) + 1:]
    except Refused as refusal:
        if entry.state == MOVED or not refusal.reason.startswith("no longer there"):
            raise Refused(f"not in the quarantine ({refusal.reason})") from None
        # an interrupted run: the original may never have left
        with place_of(entry.root, entry.path) as place:
            if _sha256_at(place) != entry.sha256:
                raise Refused("neither in the quarantine nor, as it was, at its path") from None
        return "it had never left its place"
    with place_of(files, kept_path) as kept:
        return _put_back(entry, kept, original)


def _put_back(entry: Entry, kept: Place, original: str) -> str:
    if sha256_of_name(kept) != entry.sha256:
        raise Refused("its sha256 in the quarantine differs from the manifest's: left there")
    with place_of(entry.root, original, resolve=False) as target:
        if exists(target):
            if entry.state in (MOVING, COPIED) and _sha256_at(target) == entry.sha256:
                os.unlink(kept.name, dir_fd=kept.folder)
                return "it had never left its place; the quarantine's copy removed"
            raise Refused("a file reappeared at its path: not overwritten")
        if same_device(kept, target):
            rename(kept, target)
            fd = open_file(target)
            try:
                keep_metadata(fd, entry.facts, {})
            finally:
                os.close(fd)
            return "renamed back"
        fd = open_quietly(kept.name, FILE_FLAGS, kept.folder)
        try:
            copy(fd, entry.facts, entry.sha256, target)
        finally:
            os.close(fd)
        os.unlink(kept.name, dir_fd=kept.folder)
        return "copied back, sha256 verified"


def _sha256_at(place: Place) -> str | None:
    try:
        fd = open_file(place)
    except Refused:
        return None
    try:
        return sha256_of(fd)
    finally:
        os.close(fd)


def _folders_untouched(manifest: Manifest) -> list[tuple[str, FolderTimes]]:
    """The folders whose mtime is still the one the quarantine left, with their times before it."""
    found = []
    for times in manifest.folders:
        if times.after_mtime_ns is None:
            continue
        real = _real_path(times.path)
        if real is None:
            continue
        try:
            st = os.stat(real, follow_symlinks=False)
        except OSError:
            continue
        if st.st_mtime_ns == times.after_mtime_ns:
            found.append((real, times))
    return found


def _real_path(path: str) -> str | None:
    """A path as the manifest wrote it (a masked name resolved), or None when it is not there any more."""
    if "*" not in path:
        return path
    try:
        with place_of("/", unescape(path)) as place:
            return place.path
    except Refused:
        return None
