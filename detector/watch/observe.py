"""Observing the watched folders: watchdog's observer feeds changes into a queue, each path is read once it has
settled, and a dead observer is restarted.

watchdog's native observer (inotify on Linux) or its polling observer (for SMB/CIFS and NFS mounts, where the
kernel sees no remote changes) reports changes from its own threads; they are queued (:class:`Changes`) and the
watcher takes them on its thread. A path is due at once after a close-after-write, else ``settle`` seconds after
its last news: a file saved in many writes is read once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import time
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

log = logging.getLogger(__name__)

Change = tuple[str, str, str | None]  # (kind, path, where it moved to)


class Noticer(Protocol):
    """What the observer reports to (the watcher)."""

    def notice(self, kind: str, path: str, dest: str | None = None) -> None: ...


class Changes:
    """Changes queued by the observer's threads, and when each path is due to be read."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self.queue: queue.Queue[Change] = queue.Queue()
        self.pending: dict[str, float] = {}  # path -> when it is due (time.monotonic())

    def notice(self, kind: str, path: str, dest: str | None = None) -> None:
        """Called by the observer's thread: queue a change."""
        self.queue.put((kind, path, dest))

    def arrived(self, timeout: float) -> Iterator[Change]:
        """The changes that arrived together: the first waited for up to ``timeout`` seconds, then those
        already queued behind it."""
        try:
            yield self.queue.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            try:
                yield self.queue.get_nowait()
            except queue.Empty:
                return

    def settle_later(self, path: str) -> None:
        """``path`` changed: due once it has had no news for ``settle`` seconds."""
        self.pending[path] = time.monotonic() + self.settle

    def due_now(self, path: str) -> None:
        """``path`` was written in one go and closed: no need to wait."""
        self.pending[path] = time.monotonic()

    def settle_unless_pending(self, paths: Iterable[str]) -> None:
        """Files found in a folder created or moved in: due ``settle`` seconds from now, unless their own news
        already made them pending (a file whose events are on their way is read once, after it settles)."""
        due = time.monotonic() + self.settle
        for path in paths:
            self.pending.setdefault(path, due)

    def due_by(self, path: str, deadline: float) -> None:
        """``path`` is due at ``deadline`` at the latest (sooner if it is already due sooner)."""
        self.pending[path] = min(self.pending.get(path, deadline), deadline)

    def take_due(self, now: float) -> Iterator[str]:
        """The paths due by ``now``, in order, each no longer pending once it is handed out (reading one may make
        another due again: it is then read again later, not dropped)."""
        for path in sorted(path for path, deadline in self.pending.items() if deadline <= now):
            del self.pending[path]
            yield path


class Supervised:
    """The observer, restarted when one of its threads has died (watchdog's emitters can fail on a race with a
    folder that vanishes while it is listed); after a restart every root is read again, so nothing is missed."""

    def __init__(self, watcher: Noticer, roots: list[str], poll: float | None) -> None:
        self.watcher, self.roots, self.poll = watcher, roots, poll
        self.restarts = 0
        self.observer = observe(watcher, roots, poll)

    def alive(self) -> bool:
        """Whether the observer and each of its emitters still run."""
        threads = [self.observer, *getattr(self.observer, "emitters", ())]
        return all(thread.is_alive() for thread in threads)

    def check(self) -> None:
        if self.alive():
            return
        self.restarts += 1
        log.warning("the file system observer stopped; restarting it and reading the watched folders again")
        with contextlib.suppress(Exception):
            self.observer.stop()
        self.observer = observe(self.watcher, self.roots, self.poll)
        for root in self.roots:
            self.watcher.notice("modified", root)

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=10)


def observe(watcher: Noticer, roots: Iterable[str], poll: float | None) -> Any:
    """Start a watchdog observer feeding ``watcher``; returns it (call stop() and join())."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            kind = event.event_type
            src = os.fsdecode(event.src_path)
            if kind in ("opened", "closed_no_write"):
                return
            if kind == "moved":
                watcher.notice("moved", src, os.fsdecode(event.dest_path))
            elif kind == "closed":
                watcher.notice("closed", src)
            elif not (event.is_directory and kind == "modified"):
                watcher.notice(kind, src)

    observer = PollingObserver(timeout=poll) if poll else Observer()
    handler = Handler()
    for root in roots:
        observer.schedule(handler, root, recursive=True)
    observer.start()
    return observer
