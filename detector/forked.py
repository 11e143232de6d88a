"""Worker processes forked from the scan's process, fed batches through pipes.

:class:`detector.pipeline.ProcessPool` runs its batches here. Each worker is a copy of the parent made after its
scanner compiled everything (:func:`fork_workers`), so it starts ready; it reads a batch from its pipe, scans it,
writes the result back, and reads the next. Only the standard library's ``os``, ``pickle`` and ``selectors``
are needed, where ``concurrent.futures`` brings in ``multiprocessing``'s queues, connections and threads before a
worker can start (their twin, :class:`detector.pipeline.ExecutorPool`, is held to the same results by tests).

A worker that stops (killed, or crashed in a C library by a file's bytes) loses only its batch: the batch's files
are given out again one by one, to the workers left and to one forked in its place, and a file that stops a
worker on its own is reported unscanned, with how the worker stopped, where a broken pool used to end the scan.

Why the parent never waits on a pipe: a worker writes its result while the parent may be writing it a batch, and
two processes each writing a pipe the other does not read would wait on each other. The parent's ends are
non-blocking: what a worker's pipe cannot take yet waits in an outbox, and one selector watches both directions.
A batch of many small files is given ahead (two a worker at most), so a worker has its next batch when it writes
a result; a large file's only to an idle worker, so none sits on a queued file at the end while another waits.
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

from .fs.descriptors import read_up_to, write_all

_LENGTH = struct.Struct("<Q")


@dataclass(eq=False)
class Worker:
    """One forked worker: its process, the pipe ends the parent keeps (both non-blocking), the batches given to it
    and not answered yet, oldest first (the first is the one it reads), what is still to be written to it, and
    what has come back of a result."""

    pid: int
    tasks: int  # the parent writes batches here
    results: int  # and reads results here
    given: deque[Any] = field(default_factory=deque)
    outbox: bytearray = field(default_factory=bytearray)
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
    os.set_blocking(task_write, False)
    return Worker(pid, task_write, result_read)


def _serve(tasks: int, results: int, run: Callable[[Any], Any]) -> None:
    """The worker's loop: a batch in, its result (or the exception it raised) out, until the parent closes."""
    while True:
        head = read_up_to(tasks, _LENGTH.size)
        if not head:
            return
        batch = pickle.loads(read_up_to(tasks, _LENGTH.unpack(head)[0]))
        try:
            answer: tuple[bool, Any] = (True, run(batch))
        except Exception as exc:  # a bug: raised again in the parent, as a pool's future raises it
            answer = (False, exc)
        try:
            payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that cannot be pickled: its words
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")), pickle.HIGHEST_PROTOCOL)
        write_all(results, _LENGTH.pack(len(payload)) + payload)


@dataclass
class WorkerStopped:
    """A worker ended while reading ``batch``: killed by the signal numbered ``killed_by``, or exited with
    ``status``."""

    batch: Any
    killed_by: int | None
    status: int | None

    def how(self) -> str:
        """How the worker stopped, in the words of an unscanned file's reason."""
        if self.killed_by is not None:
            try:
                name = signal.Signals(self.killed_by).name
            except ValueError:
                name = str(self.killed_by)
            return f"the process reading it stopped: killed by signal {self.killed_by} ({name})"
        return f"the process reading it stopped: exit status {self.status}"


class _Feed:
    """The batches to give out: those given back first (``again``), then the rest, each taken once."""

    def __init__(self, batches: Iterator[Any], again: deque[Any]) -> None:
        self.batches, self.again = batches, again
        self.next: Any = None  # the rest's next batch, taken from the iterator and not given yet

    def peek(self) -> Any:
        """The batch to give next, None when there is none (for now: ``again`` may fill)."""
        if self.again:
            return self.again[0]
        if self.next is None:
            self.next = next(self.batches, None)
        return self.next

    def take(self) -> None:
        """The batch :meth:`peek` told is given."""
        if self.again:
            self.again.popleft()
        else:
            self.next = None


class WorkerPool:
    """Forked workers fed batches, their results handed back as they come (:meth:`results`); a worker that stops
    is told as a :class:`WorkerStopped` for the batch it was reading (the one after it, given ahead, is given out
    again as it is), and one is forked in its place (as a ``concurrent.futures`` pool forks its workers while its
    own threads run: the interpreter makes its locks and logging's fit for the child, which runs only the
    scanner).

    A worker is given up to :data:`AHEAD` batches (those ``ahead`` allows), so it has the next when it writes a
    result, whatever this process is doing; this process never waits on a pipe: what a worker's pipe cannot take
    yet waits in its outbox, and both directions are watched by one selector, so neither side waits on the
    other."""

    AHEAD = 2

    def __init__(self, count: int, run: Callable[[Any], Any], ahead: Callable[[Any], bool] = lambda _: True) -> None:
        self.run, self.ahead = run, ahead
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
            if not any(worker.given for worker in self.workers):
                if feed.peek() is not None:
                    continue
                return
            for key, _ in self.selector.select():
                worker = key.data
                if worker not in self.workers:
                    continue  # it stopped while this round's events were handled: its pipes are closed
                if key.fd == worker.tasks:
                    self._flush(worker)
                    continue
                for answer in self._receive(worker, again):
                    self._feed(feed)  # first: the worker has its next batch while this process merges the result
                    yield answer

    def close(self) -> None:
        """Closes the workers' pipes (an idle worker exits), and waits for them; one still reading a batch (the
        scan ended early: an error, Ctrl-C) is killed first."""
        for worker in self.workers:
            self._forget(worker)
            if worker.given:
                _kill(worker.pid)
        for worker in self.workers:
            _reap(worker.pid)
        self.workers = []
        self.selector.close()

    def _feed(self, feed: _Feed) -> None:
        """Batches to the idle workers, and to those reading one, up to :data:`AHEAD`, the batches ``ahead`` says
        may wait behind another (many small files, where a worker waiting for its next batch costs; not a large
        file, which would keep a worker busy at the end while another waits)."""
        for worker in self.workers:
            while len(worker.given) < self.AHEAD:
                batch = feed.peek()
                if batch is None or (worker.given and not self.ahead(batch)):
                    break
                feed.take()
                payload = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
                worker.given.append(batch)
                worker.outbox += _LENGTH.pack(len(payload)) + payload
                self._flush(worker)

    def _flush(self, worker: Worker) -> None:
        """What the worker's pipe takes now of its outbox; the rest is written when the pipe has room."""
        try:
            while worker.outbox:
                del worker.outbox[:os.write(worker.tasks, worker.outbox)]
        except BlockingIOError:
            pass
        except BrokenPipeError:  # it stopped: its end of the results pipe says so
            worker.outbox.clear()
        watching = worker.tasks in self.selector.get_map()
        if worker.outbox and not watching:
            self.selector.register(worker.tasks, selectors.EVENT_WRITE, worker)
        elif watching and not worker.outbox:
            self.selector.unregister(worker.tasks)

    def _receive(self, worker: Worker, again: deque[Any]) -> list[Any | WorkerStopped]:
        """The whole results the worker's pipe holds now (none while one is still arriving), or how it stopped."""
        try:
            chunk = os.read(worker.results, 1 << 20)
        except BlockingIOError:
            return []
        if not chunk:
            stopped = self._stopped(worker, again)
            return [] if stopped.batch is None else [stopped]
        worker.received += chunk
        answers = []
        while len(worker.received) >= _LENGTH.size:
            size = _LENGTH.unpack_from(worker.received)[0]
            if len(worker.received) < _LENGTH.size + size:
                break
            ok, value = pickle.loads(memoryview(worker.received)[_LENGTH.size:_LENGTH.size + size])
            del worker.received[:_LENGTH.size + size]
            worker.given.popleft()
            if not ok:
                raise value
            answers.append(value)
        return answers

    def _stopped(self, worker: Worker, again: deque[Any]) -> WorkerStopped:
        """The worker ended: reaped and replaced; the batch it was reading told, the ones given after it given out
        again as they are."""
        stopped = WorkerStopped(worker.given.popleft() if worker.given else None, *_reap(worker.pid))
        again.extend(worker.given)
        self._forget(worker)
        self.workers.remove(worker)
        try:
            replacement = _fork_one(self.run, self.workers)
        except OSError:  # no process to be had (EAGAIN, ENOMEM): the workers left go on
            return stopped
        self.workers.append(replacement)
        self.selector.register(replacement.results, selectors.EVENT_READ, replacement)
        return stopped

    def _forget(self, worker: Worker) -> None:
        """The worker's pipes closed and no longer watched."""
        for fd in (worker.tasks, worker.results):
            if fd in self.selector.get_map():
                self.selector.unregister(fd)
            os.close(fd)


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
