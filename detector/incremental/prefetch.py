"""A thread that stats the files of the folders an incremental scan remembers while the command loads.

A scan with a state file of a tree that did not change is one ``stat`` a file, while Python spends tens of ms
loading the scan's modules on one core and the other core waits. So the scan command, once it has its options
and before it imports the scan, reads the listings the state file remembers under the roots (through
:func:`~detector.incremental.store.remembered_listings`) and starts :class:`StatPrefetch`: a thread that, for each
folder whose listing still stands, stats that listing's files in one C call without the GIL. The walk takes
those identities when it reaches the folder and finds it as the thread found it (:meth:`StatPrefetch.take`,
asked by :class:`~detector.incremental.listing.RememberingLister`); it stats any other folder itself. The thread
only reads: the folders the state names and their files' attributes, never a file's content. Without the C
module there is no prefetch, and the walk stats every folder (the plain stat holds the GIL: a thread would not
help).
"""

from __future__ import annotations

import _thread
import os
from collections.abc import Iterable

from ..fs import codec
from ..fs.codec import FolderIdentity, unpacked_listed
from ..native import speedups as _speedups
from .store import remembered_listings


def worth_it(jobs: int) -> bool:
    """Whether a prefetch thread can help a scan of ``jobs`` processes (0: one a core): not on one core."""
    return jobs != 1 and (os.cpu_count() or 1) > 1


class StatPrefetch:
    """A thread that stats, before the walk starts, the files of the folders a state file remembers under the
    roots (see the module's docstring): one C call over all of them (``_speedups.stat_folders``), which holds
    the GIL only to start and to end, so the command's imports on the other core do not hold it back. It takes
    the folders from the last in path order (close to the walk's order) back; when the walk asks for its first
    folder, the thread finishes the folder it is on and stops, and the walk stats the rest itself (with its own
    second thread), from the first folder on: the two meet where the thread stopped."""

    def __init__(self, remembered: list[tuple[str, bytes, bytes]]) -> None:
        self.remembered = remembered  # (path, listed, files) of each folder, in path order
        self.stop_byte = bytearray(1)  # read by the C loop before each folder
        self.stated: dict[str, tuple[FolderIdentity, bytes, bytes]] = {}  # path -> (folder, files, identities)
        self.running = _thread.allocate_lock()  # held by the thread while it runs
        self.running.acquire()

    @classmethod
    def start(cls, state_path: str | None, roots: Iterable[str]) -> StatPrefetch | None:
        """A running prefetch, or None where it cannot help: no state file yet, nothing remembered under the
        roots, or no C stat. The remembered listings are read here, before the thread starts: a thread doing
        Python work while the command imports its modules waits for the GIL most of the time."""
        if state_path is None or _speedups is None or not os.path.isfile(state_path):
            return None
        remembered = remembered_listings(state_path, [os.path.abspath(root) for root in roots if root != "-"])
        if not remembered:
            return None
        prefetch = cls(remembered)
        try:
            _thread.start_new_thread(prefetch._run, ())
        except RuntimeError:  # no thread to be had: the walk stats everything
            return None
        return prefetch

    def take(self, absolute_dir: str, folder: FolderIdentity, files: bytes) -> bytes | None:
        """The identities of the folder's files (``files``, NUL-joined, in that order) if the thread stat'ed them
        with the folder as it is now and none failed; None otherwise, and the walk stats them. The first call
        stops the thread."""
        self.stop()
        stated = self.stated.pop(absolute_dir, None)
        if stated is None or stated[0] != folder or stated[1] != files:
            return None
        return stated[2]

    def stop(self) -> None:
        """End the thread: it finishes the folder it is on. Before worker processes are forked, and when the
        scan ends."""
        self.stop_byte[0] = 1
        with self.running:
            pass

    def _run(self) -> None:
        try:
            assert _speedups is not None
            folders = self.remembered[::-1]
            found = _speedups.stat_folders([(os.fsencode(path), listed, files) for path, listed, files in folders],
                                           codec.SETTLED_NS, self.stop_byte)
            for (path, listed, files), identities in zip(folders, found, strict=True):
                if identities is not None:
                    self.stated[path] = (unpacked_listed(listed)[0], files, identities)
        except Exception:  # a helper thread: whatever went wrong, the walk stats every folder itself
            self.stated.clear()
        finally:
            self.running.release()
