"""A lister that stats the files of the folders ahead of the walk on a second thread.

On an incremental scan of an unchanged tree, one ``stat`` a file is most of the work, and the C stat runs without
the GIL, so the two threads stat at the same time (the plain twin holds the GIL between calls and gains little).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .codec import join_names
from .lister import FolderListing, Lister, ListerWrapper, Skip, nothing_to_stat

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

_Chunk = tuple[int, int, "Future[FolderListing]"]


class StatAhead(ListerWrapper):
    """Stats with the inner lister on a second thread while the walk's own thread stats, compares and yields the
    current folder.

    Work goes in chunks of up to CHUNK files. The walk takes each chunk's result in order; a chunk the thread
    has not started yet the walk cancels and stats itself, and while the thread is on a chunk the walk needs,
    the walk stats the newest queued chunks (the thread takes the oldest), so neither waits while work is left.
    While ``may_fork()`` says the reader may still fork its worker processes, the thread is ended before files
    are handed out (:meth:`handing_out`), so the fork copies a process with one thread."""

    LOOK_AHEAD = 8  # folders listed and queued ahead of the one the walk is at
    CHUNK = 512

    def __init__(self, inner: Lister, may_fork: Callable[[], bool]) -> None:
        super().__init__(inner)
        self.may_fork = may_fork
        self.pool: ThreadPoolExecutor | None = None  # started on first use, ended by every pause
        self.queued: list[Future[FolderListing]] = []
        self.work: dict[Future[FolderListing], tuple[FolderListing, int, int, Skip]] = {}
        self.stolen: dict[Future[FolderListing], FolderListing] = {}  # chunks the walk stat'ed while it waited

    def stat_folders(self, folders: Iterator[FolderListing], skip: Skip) -> Iterator[FolderListing]:
        """The folders with their files stat'ed, in the order given, listing and queueing a few ahead."""
        pending: deque[tuple[FolderListing, list[_Chunk]]] = deque()
        try:
            for folder in folders:
                pending.append((folder, self._queue(folder, skip) if folder.identities is None else []))
                if len(pending) > self.LOOK_AHEAD:
                    yield self._take(*pending.popleft(), skip)
            while pending:
                yield self._take(*pending.popleft(), skip)
        finally:
            if pending:  # the walk stopped early
                self.stop()
                for folder, _ in pending:
                    folder.close()

    def _queue(self, folder: FolderListing, skip: Skip) -> list[_Chunk]:
        count = len(folder.names)
        chunks = []
        for first in range(0, count, self.CHUNK):
            last = min(count, first + self.CHUNK)
            if self.pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self.pool = ThreadPoolExecutor(1, thread_name_prefix="mynumber-stat")
            future = self.pool.submit(self.inner.stat, folder, first, last, skip)
            self.queued.append(future)
            self.work[future] = (folder, first, last, skip)
            chunks.append((first, last, future))
        return chunks

    def _take(self, folder: FolderListing, chunks: list[_Chunk], skip: Skip) -> FolderListing:
        if folder.identities is not None:
            return folder
        parts = []
        for first, last, future in chunks:
            stolen = self.stolen.pop(future, None)
            if stolen is not None:
                parts.append(stolen)
            elif future.cancel():
                parts.append(self.inner.stat(folder, first, last, skip))
            else:
                self._help_until_done(future)
                parts.append(future.result())
            self.work.pop(future, None)
        if len(self.queued) > 4 * self.LOOK_AHEAD:
            self.queued = [future for future in self.queued if not future.done()]
        return _concatenated(folder, parts) if parts else nothing_to_stat(folder)

    def _help_until_done(self, running: Future[FolderListing]) -> None:
        """While the thread stats a chunk the walk needs, the walk stats the newest chunks the thread has not
        started (the thread takes the oldest first), so the two meet in the middle instead of one waiting."""
        for future in reversed(self.queued):
            if running.done():
                return
            work = self.work.get(future)  # None once the walk took it
            if work is not None and future is not running and future not in self.stolen and future.cancel():
                self.stolen[future] = self.inner.stat(*work)

    def handing_out(self) -> None:
        """Before files are handed out, while the reader may still fork its workers: end the thread. Chunks not
        started are cancelled (the walk stats them itself when it gets there), the one being stat'ed is waited
        for, and the thread is joined, so the fork copies a process with one thread (Python 3.12 and later warn
        about forking with more). The next chunk queued starts a new thread. Once the workers are forked, or on
        an unchanged tree, which hands out nothing to read, the thread runs on."""
        if self.may_fork():
            self.stop()
        self.inner.handing_out()

    def stop(self) -> None:
        """End the thread now (see :meth:`handing_out`)."""
        for future in self.queued:
            if future not in self.stolen and not future.cancel():
                future.exception()  # waits; an error stays the chunk's result, for the walk to meet
        self.queued = []
        self._shutdown()

    def close(self) -> None:
        self._shutdown()
        self.inner.close()

    def _shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _concatenated(folder: FolderListing, parts: list[FolderListing]) -> FolderListing:
    """The chunks of one folder as one, in order (each copied once). When every file was stat'ed, the names are
    the folder's own list and joined bytes."""
    if len(parts) == 1:
        return parts[0]
    stated = [part.identities or () for part in parts]  # every part is stat'ed
    identities: list[int] | array[int]
    if all(isinstance(part, array) for part in stated):
        identities = array("q")
        for part in stated:
            identities.extend(part)
    else:
        identities = [number for part in stated for number in part]
    if sum(len(part.names) for part in parts) == len(folder.names):  # none left out
        return folder._replace(identities=identities, failed=[])
    names = [name for part in parts for name in part.names]
    return folder._replace(names=names, joined=join_names(names), identities=identities,
                           failed=[entry for part in parts for entry in part.failed])
