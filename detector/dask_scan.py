"""Distributed scans on a Dask cluster: ``mynumber scan --dask tcp://HOST:8786 ROOT...``.

This process, the client, walks the roots, owns the state file (:mod:`detector.incremental` decides which files
need reading), batches the files as a local scan does and merges the results; the Dask workers scan each batch
with the same per-file scanner a local scan runs (:class:`detector.pipeline.BatchRunner`, the port this module
implements). The result document is therefore the one a local scan gives. Dask does the rest as it documents it:
placing the tasks, running again the tasks of a worker that died (a batch is a function of its paths alone), and
the transport (TLS when the address is ``tls://``, with Dask's security settings).

The key never travels. Each worker reads its own when the scan's :class:`ScannerPlugin` is set up on it
(``MYNUMBER_KEY``, else the key file of the worker's user: :func:`detector.people.load_key`, never created there);
the client sends only the key's id, and a worker whose key has another id refuses every batch with
:class:`WorkerRefused`, which names the worker and the two ids. A task's arguments, which the dashboard shows,
are the plugin's name, the paths (shown only as their count: names may hold numbers) and a flag.

``--reveal`` is refused: the raw numbers would sit in the workers' memory, which Dask may spill to their disks.

Imported only when ``--dask`` is given; Dask is the optional extra ``mynumber-scan[dask]``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from . import __version__
from .errors import MyNumberToolError, ScanError, UsageError
from .messages import Text, text
from .model import DECLARED_PUBLIC, FileResult, ScanOptions
from .people import Fingerprinter, load_key
from .pipeline import Scanned, Work, scan_batch
from .rules import Rules

try:
    import distributed
except ModuleNotFoundError as missing:  # the extra is optional: say how to get it rather than a traceback
    raise ScanError(text("dask.missing")) from missing

if TYPE_CHECKING:
    from .scanner import FileScanner

__all__ = ["DaskRunner", "PathMap", "ScannerPlugin", "WorkerRefused"]

log = logging.getLogger(__name__)

IN_FLIGHT_PER_THREAD = 4  # batches submitted ahead per worker thread: none idles between two, the client holds few
WINDOW_SECONDS = 5.0  # how long the count of worker threads is taken as it was


class WorkerRefused(MyNumberToolError):
    """A worker cannot scan for this client (its key is another, or it has none): the message names the worker
    and the keys' ids, never a key."""


# -- where the workers see the files ---------------------------------------------------------------------


class PathMap:
    """``--path-map LOCAL=REMOTE``: where the workers see the client's folders. A path goes to the workers
    absolute (a worker's working folder is not the client's) with its longest LOCAL prefix replaced by REMOTE;
    the results come back under the client's path, as a local scan reports them."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        normal = [(os.path.abspath(local), os.path.normpath(remote)) for local, remote in pairs]
        self.pairs = sorted(normal, key=lambda pair: len(pair[0]), reverse=True)  # the longest prefix first

    @classmethod
    def parse(cls, specs: Iterable[str]) -> PathMap:
        """The ``--path-map`` options; a malformed one is a usage error naming it."""
        pairs = []
        for spec in specs:
            local, _, remote = spec.partition("=")
            if not local or not remote.startswith("/"):
                raise UsageError(text("dask.path_map", spec=spec))
            pairs.append((local, remote))
        return cls(pairs)

    def remote(self, path: str) -> str:
        """Where the workers see ``path``, a path on this machine."""
        absolute = os.path.abspath(path)
        for local, remote in self.pairs:
            if absolute == local:
                return remote
            inside = local.rstrip("/") + "/"
            if absolute.startswith(inside):
                return remote.rstrip("/") + "/" + absolute[len(inside):]
        return absolute


def _declared_public_back(public_paths: Iterable[str], paths: PathMap) -> dict[str, str]:
    """A finding's public reason as the workers write it (``--public`` and the folder as they see it) -> as the
    client's ``--public`` gave it, the reason a local scan writes."""
    return {f"{DECLARED_PUBLIC}{paths.remote(path)}": f"{DECLARED_PUBLIC}{path}" for path in public_paths}


# -- on the workers ------------------------------------------------------------------------------------------


class ScannerPlugin(distributed.WorkerPlugin):
    """The scan, set up on each worker (and on any that joins later): the scan's options and rules, the worker's
    own key, checked against the client's key id. A worker thread builds its scanner on its first batch (a
    scanner is one thread's: it keeps the ``--reveal`` stream and the OCR engine of its batch)."""

    def __init__(self, name: str, options: ScanOptions, rules: Rules, key_id: str) -> None:
        self.name = name
        self.options = options  # without the key: each worker reads its own
        self.rules = rules
        self.key_id = key_id
        self.version = __version__  # the client's: the worker's must be the same, for the same results
        self.refusal: Text | None = text("dask.not_set_up")
        self.worker = "?"
        self.scanners: threading.local | None = None  # made on the worker (it does not travel)

    def setup(self, worker: distributed.Worker) -> None:
        self.worker = worker.address
        self.scanners = threading.local()
        if self.version != __version__:
            self.refusal = text("dask.other_version", version=__version__, client_version=self.version)
            return
        try:
            key = load_key(create=False)  # a worker never makes up a key of its own: its people would not merge
        except MyNumberToolError as exc:
            self.refusal = text("dask.no_key", error=exc.text)
            return
        own_id = Fingerprinter(key).key_id
        if own_id != self.key_id:
            self.refusal = text("dask.other_key", key_id=own_id, scan_key_id=self.key_id)
            return
        self.options = self.options._replace(key=key)
        self.refusal = None

    def scanner(self) -> FileScanner:
        """This thread's scanner; a worker without the scan's key refuses, naming itself."""
        if self.refusal is not None:
            raise WorkerRefused(text("dask.refuses", worker=self.worker, why=self.refusal))
        assert self.scanners is not None  # set up with the refusal
        scanner: FileScanner | None = getattr(self.scanners, "scanner", None)
        if scanner is None:
            from .scanner import FileScanner

            scanner = self.scanners.scanner = FileScanner(self.options, self.rules)
        return scanner


class Paths:
    """A batch's paths as a task's argument: the dashboard and the workers' logs show arguments by their repr, and
    a name may hold a number, so the repr is the count alone."""

    __slots__ = ("paths",)

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths

    def __repr__(self) -> str:
        return f"<{len(self.paths)} paths>"


def scan_on_worker(plugin_name: str, paths: Paths, listed: bool) -> Scanned:
    """The task: one batch scanned on a worker, by the scan's plugin there."""
    plugin = distributed.get_worker().plugins[plugin_name]
    assert isinstance(plugin, ScannerPlugin)
    return scan_batch(plugin.scanner(), paths.paths, listed)


def _refusal_on(plugin_name: str, dask_worker: distributed.Worker) -> Text | None:
    """Run on every worker before the first batch: why it would refuse, or None."""
    plugin = dask_worker.plugins.get(plugin_name)
    why = plugin.refusal if isinstance(plugin, ScannerPlugin) else text("dask.not_set_up")
    return None if why is None else text("dask.refuses", worker=dask_worker.address, why=why)


def _all_of(refusals: list[Text]) -> Text:
    """Several workers' refusals as one message, each in the language the message is shown in."""
    first, *rest = refusals
    return first if not rest else text("dask.also", first=first, rest=_all_of(rest))


# -- on the client -------------------------------------------------------------------------------------------


class DaskRunner:
    """Batches scanned on a Dask cluster: a :class:`~detector.pipeline.BatchRunner`. Connects when made (an
    unreachable scheduler stops the scan before the walk, naming the address); :meth:`close` (or ``with``) ends
    the connection. A few batches per worker thread are in flight at once, so none idles between two and the
    client holds few results. ``security`` is Dask's TLS settings for a ``tls://`` address; without it, Dask's
    configuration gives them (``distributed.comm.tls``), as for the command line."""

    def __init__(self, address: str, paths: PathMap | None = None, *, wait_for_workers: float = 60.0,
                 security: distributed.Security | None = None) -> None:
        self.address = address
        self.paths = paths or PathMap()
        self.wait_for_workers = wait_for_workers
        try:
            self.client = distributed.Client(address, security=security, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScanError(text("dask.unreachable", address=address, error=exc)) from None

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def may_fork(self) -> bool:
        return False  # the workers are the cluster's: this process never forks

    def split_bytes(self) -> int | None:
        return None  # a file is read whole by one worker: the client plans parts and reads a file again whole where
        # a part cannot be joined, and it need not see the share (--path-map) at all

    def scan(self, batches: Iterator[Work], scanner: FileScanner, listed: bool) -> Iterator[Scanned]:
        if scanner.options.reveal:
            raise UsageError(text("reveal_not_with_dask"))
        public_back = _declared_public_back(scanner.options.public_paths, self.paths)
        name = self._set_up(scanner)
        try:
            yield from self._run(batches, name, listed, public_back)
        except distributed.KilledWorker as exc:  # Dask's own limit: distributed.scheduler.allowed-failures
            raise ScanError(text("dask.gave_up", error=exc)) from None
        except (OSError, distributed.client.FutureCancelledError) as exc:
            raise ScanError(text("dask.scheduler_lost", address=self.address, error=exc)) from None
        finally:
            with contextlib.suppress(OSError, TimeoutError):
                self.client.unregister_worker_plugin(name)

    def _set_up(self, scanner: FileScanner) -> str:
        """The scan's plugin on every worker, present and to come; a worker that would refuse stops the scan
        before the first batch."""
        options = scanner.options._replace(key=b"", state_path=None, skip_inodes=frozenset(), jobs=1,
                                           public_paths=tuple(self.paths.remote(path)
                                                              for path in scanner.options.public_paths))
        name = f"mynumber-scan-{uuid.uuid4().hex}"
        try:
            self.client.wait_for_workers(1, timeout=self.wait_for_workers)
        except TimeoutError:
            waited = f"{self.wait_for_workers:g}"
            raise ScanError(text("dask.no_worker", address=self.address, seconds=waited)) from None
        try:
            self.client.register_plugin(ScannerPlugin(name, options, scanner.rules, scanner.fingerprint.key_id),
                                        name=name)
        except (ImportError, AttributeError) as exc:  # raised on a worker that cannot load the plugin
            raise ScanError(text("dask.cannot_set_up", error=f"{type(exc).__name__}: {exc}")) from None
        refusals = sorted((refusal for refusal in self.client.run(_refusal_on, name).values() if refusal is not None),
                          key=str)
        if refusals:
            self.client.unregister_worker_plugin(name)
            raise WorkerRefused(_all_of(refusals))
        log.info("scanning on %d Dask workers at %s", len(self.client.nthreads()), self.address)
        return name

    def _run(self, batches: Iterator[Work], name: str, listed: bool,
             public_back: dict[str, str]) -> Iterator[Scanned]:
        """Batches submitted as they come, a few per worker thread ahead; each handed back under the client's
        paths as it finishes."""
        done = distributed.as_completed(loop=self.client.loop)
        client_paths: dict[distributed.Future[Scanned], dict[str, str]] = {}  # a batch's paths there -> here
        window, counted = self._window(), time.monotonic()
        for batch in batches:
            assert isinstance(batch, list)  # never a part of a file: split_bytes() is None
            for remote in _one_path_a_file(batch, self.paths):
                future = self.client.submit(scan_on_worker, name, Paths(list(remote)), listed, pure=False)
                client_paths[future] = remote
                done.add(future)
            if done.count() >= window and time.monotonic() - counted > WINDOW_SECONDS:
                window, counted = self._window(), time.monotonic()  # workers may have joined or left
            while done.count() >= window:
                yield self._back(next(done), client_paths, public_back)
        for future in done:
            yield self._back(future, client_paths, public_back)

    def _window(self) -> int:
        """How many batches may be in flight: a few per worker thread of the cluster now (asked of the
        scheduler, so not at every batch)."""
        threads: dict[str, int] = self.client.nthreads()
        return IN_FLIGHT_PER_THREAD * max(1, sum(threads.values()))

    @staticmethod
    def _back(future: distributed.Future[Scanned], client_paths: dict[distributed.Future[Scanned], dict[str, str]],
              public_back: dict[str, str]) -> Scanned:
        """A finished batch under the client's paths (a worker's error, such as a refusal, is raised here)."""
        batch, revealed = future.result()
        here = client_paths.pop(future)
        return batch._replace(notable=[_under(result, here[result.path], public_back) for result in batch.notable],
                              clean=[(here[path], kind) for path, kind in batch.clean]), revealed


def _one_path_a_file(batch: list[str], paths: PathMap) -> list[dict[str, str]]:
    """A batch as the workers see it, path there -> path here: one part, or more where two paths here are one
    path there (``a`` and ``./a`` given as two roots: a local scan reads and reports both, and so must this)."""
    parts: list[dict[str, str]] = []
    for path in batch:
        remote = paths.remote(path)
        part = next((part for part in parts if remote not in part), None)
        if part is None:
            parts.append({remote: path})
        else:
            part[remote] = path
    return parts


def _under(result: FileResult, path: str, public_back: dict[str, str]) -> FileResult:
    """A worker's result for a file, as a local scan of ``path`` gives it."""
    result = result.under(path)
    if not public_back:
        return result
    return replace(result, findings=[finding._replace(public_reason=_public_reason(finding.public_reason, public_back))
                                     for finding in result.findings])


def _public_reason(reason: str | None, public_back: dict[str, str]) -> str | None:
    return public_back.get(reason, reason) if reason is not None else None
