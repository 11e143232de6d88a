"""Worker processes forked from the scan's process, each given one batch at a time through a pipe.

:class:`detector.pipeline.ProcessPool` runs its batches here. Each worker is a copy of the parent made after its
scanner compiled everything (:func:`fork_workers`), so it starts ready; it reads a batch from its pipe, scans it,
writes the result back, and waits for the next. Only the standard library's ``os``, ``pickle`` and ``selectors``
are needed, where ``concurrent.futures`` brings in ``multiprocessing``'s queues, connections and threads before a
worker can start (their twin, :class:`detector.pipeline.ExecutorPool`, is held to the same results by tests).

A worker that stops (killed, or crashed in a C library by a file's bytes) loses only its batch: the batch's files
are given out again one by one, to the workers left and to one forked in its place, and a file that stops a
worker on its own is reported unscanned, with how the worker stopped, where a broken pool used to end the scan.

Why one batch at a time: a worker writes its result while the parent may be writing it the next batch, and two
processes each writing a pipe the other does not read would wait on each other. A batch given only to an idle
worker is read while it is written; the gap it costs is a pipe's round trip, against a batch's tens of ms.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import struct
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

_LENGTH = struct.Struct("<Q")


@dataclass
class Worker:
    """One forked worker: its process, the pipe ends the parent keeps, and the batch it is reading (None: idle)."""

    pid: int
    tasks: int  # the parent writes batches here
    results: int  # and reads results here
    batch: Any = None
    received: bytearray = field(default_factory=bytearray)


class NoWorkerLeft(Exception):
    """Every worker stopped, and none could be forked in their place (the system had no process to give)."""


def fork_workers(count: int, run: Callable[[Any], Any]) -> list[Worker]:
    """``count`` workers, each calling ``run`` on every batch it is given (in the child, after the fork), until
    its pipe closes; they exit without running this process's exit handlers or flushing its buffers."""
    workers: list[Worker] = []
    for _ in range(count):
        workers.append(_fork_one(run, workers))
    return workers


def _fork_one(run: Callable[[Any], Any], others: list[Worker]) -> Worker:
    """A worker; ``others``: the workers forked before it, whose pipe ends it must not keep open (a worker
    sees its batches' pipe end only when no process holds its other end)."""
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(task_write)
        os.close(result_read)
        for other in others:
            os.close(other.tasks)
            os.close(other.results)
        status = 0
        try:
            _serve(task_read, result_write, run)
        except KeyboardInterrupt:
            status = 130  # Ctrl-C reached the whole process group: the parent says so
        except BaseException:
            status = 70
        os._exit(status)
    os.close(task_read)
    os.close(result_write)
    os.set_blocking(result_read, False)
    return Worker(pid, task_write, result_read)


def _serve(tasks: int, results: int, run: Callable[[Any], Any]) -> None:
    """The worker's loop: a batch in, its result (or the exception it raised) out, until the parent closes."""
    while True:
        head = _read_exactly(tasks, _LENGTH.size)
        if not head:
            return
        batch = pickle.loads(_read_exactly(tasks, _LENGTH.unpack(head)[0]))
        try:
            answer: tuple[bool, Any] = (True, run(batch))
        except Exception as exc:  # a bug: raised again in the parent, as a pool's future raises it
            answer = (False, exc)
        try:
            payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that cannot be pickled: its words
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")), pickle.HIGHEST_PROTOCOL)
        _write_all(results, _LENGTH.pack(len(payload)) + payload)


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from a blocking pipe, or fewer at its end."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@dataclass
class WorkerStopped:
    """A worker ended while reading ``batch``: killed by ``signal`` (its number), or exited with ``status``."""

    batch: Any
    signal: int | None
    status: int | None

    def how(self) -> str:
        """How the worker stopped, in the words of an unscanned file's reason."""
        if self.signal is not None:
            try:
                name = signal.Signals(self.signal).name
            except ValueError:
                name = str(self.signal)
            return f"the process reading it stopped: killed by signal {self.signal} ({name})"
        return f"the process reading it stopped: exit status {self.status}"


class _Feed:
    """The batches to give out: those given back first (``again``), then the rest, each taken once."""

    def __init__(self, batches: Iterator[Any], again: deque[Any]) -> None:
        self.batches, self.again, self.exhausted = batches, again, False

    def next(self) -> Any:
        if self.again:
            return self.again.popleft()
        if self.exhausted:
            return None
        batch = next(self.batches, None)
        self.exhausted = batch is None
        return batch


class WorkerPool:
    """Forked workers fed batches one at a time, their results handed back as they come
    (:meth:`results`); a worker that stops is told as a :class:`WorkerStopped` for its batch, and one is forked in
    its place (as a ``concurrent.futures`` pool forks its workers while its own threads run: the interpreter
    makes its locks and logging's fit for the child, which runs only the scanner)."""

    def __init__(self, count: int, run: Callable[[Any], Any]) -> None:
        self.run = run
        self.workers = fork_workers(count, run)
        self.selector = selectors.DefaultSelector()
        for worker in self.workers:
            self.selector.register(worker.results, selectors.EVENT_READ, worker)

    def results(self, batches: Iterable[Any], again: deque[Any]) -> Generator[Any | WorkerStopped, None, None]:
        """Each batch's result (what ``run`` returned), or :class:`WorkerStopped`, as they finish. Batches put into
        ``again`` (by the caller, on a stopped worker) are given out before the rest."""
        feed = _Feed(iter(batches), again)
        while True:
            self._feed(feed)
            if not self.workers:
                raise NoWorkerLeft
            if not any(worker.batch is not None for worker in self.workers):
                if again:
                    continue
                return
            for key, _ in self.selector.select():
                answer = self._receive(key.data)
                if answer is None or (isinstance(answer, WorkerStopped) and answer.batch is None):
                    continue
                self._feed(feed)  # first: the worker reads its next batch while this process merges the result
                yield answer

    def _feed(self, feed: _Feed) -> None:
        """The next batches to the idle workers."""
        for worker in self.workers:
            if worker.batch is None:
                batch = feed.next()
                if batch is None:
                    return
                self._give(worker, batch)

    def close(self) -> None:
        """Closes the workers' pipes (an idle worker exits), and waits for them; one still reading a batch (the
        scan ended early: an error, Ctrl-C) is killed first."""
        for worker in self.workers:
            self.selector.unregister(worker.results)
            os.close(worker.tasks)
            os.close(worker.results)
            if worker.batch is not None:
                _kill(worker.pid)
        for worker in self.workers:
            _reap(worker.pid)
        self.workers = []
        self.selector.close()

    def _give(self, worker: Worker, batch: Any) -> None:
        payload = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
        worker.batch = batch
        with contextlib.suppress(BrokenPipeError):  # it stopped: its end of the results pipe says so
            _write_all(worker.tasks, _LENGTH.pack(len(payload)) + payload)

    def _receive(self, worker: Worker) -> Any | WorkerStopped | None:
        """What the worker's pipe holds now: a whole result, None while one is still arriving, or how it stopped."""
        try:
            chunk = os.read(worker.results, 1 << 20)
        except BlockingIOError:
            return None
        if chunk:
            worker.received += chunk
            if len(worker.received) < _LENGTH.size:
                return None
            size = _LENGTH.unpack_from(worker.received)[0]
            if len(worker.received) < _LENGTH.size + size:
                return None
            ok, value = pickle.loads(memoryview(worker.received)[_LENGTH.size:_LENGTH.size + size])
            del worker.received[:_LENGTH.size + size]
            worker.batch = None
            if not ok:
                raise value
            return value
        return self._stopped(worker)

    def _stopped(self, worker: Worker) -> WorkerStopped:
        """The worker ended: reaped, replaced where a fork is safe, and its batch told."""
        stopped = WorkerStopped(worker.batch, *_reap(worker.pid))
        self.selector.unregister(worker.results)
        os.close(worker.tasks)
        os.close(worker.results)
        self.workers.remove(worker)
        try:
            replacement = _fork_one(self.run, self.workers)
        except OSError:  # no process to be had (EAGAIN, ENOMEM): the workers left go on
            return stopped
        self.workers.append(replacement)
        self.selector.register(replacement.results, selectors.EVENT_READ, replacement)
        return stopped


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> tuple[int | None, int | None]:
    """(the signal that killed the process, its exit status): one of them None."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None, None
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status), None
    return None, os.waitstatus_to_exitcode(status)
