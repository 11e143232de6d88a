"""``python -m detector`` and the ``mynumber`` command.

The command's process collects garbage rarely, from its first import on, and ends without tearing the
interpreter down: once it has written its output and closed its files, there is nothing left to do (see
docs/performance.md for what each saves).
"""

import atexit
import gc
import os
import sys


def run() -> None:
    _collect_garbage_rarely()  # first: the imports that follow make many objects, and none of them is garbage
    _keep_freed_memory()
    from .cli import main

    gc.freeze()  # what was imported is never examined again
    try:
        main()
    except SystemExit as done:
        _exit_now(done.code)


def _collect_garbage_rarely() -> None:
    """A command makes millions of small objects that are never cyclic garbage (its modules' classes and
    functions as it starts; names, identities, findings as it runs); with Python's default thresholds the
    collector's passes over them took a large share of a walk and of the start (figures in docs/performance.md).
    Passes are made rarer, not stopped."""
    gc.set_threshold(50_000, 50, 100)


# A scan reads files in blocks of about 1 MiB; a block is freed when the next is read. glibc maps blocks above
# its threshold (128 KiB, raised as such blocks are freed) and gives freed memory at the heap's top back to the
# kernel above twice that, so the process kept receiving fresh pages: a fault and a zeroed page each 4 KiB read.
MMAP_THRESHOLD = 4 << 20
TRIM_THRESHOLD = 64 << 20  # what the process may keep freed at the top: 64 MiB


def _keep_freed_memory() -> None:
    """Keep the blocks' memory in the heap from one block to the next (glibc only; the C speed-ups set it). A
    user's own MALLOC_ settings or GLIBC_TUNABLES are left to rule."""
    if any(name.startswith("MALLOC_") or name == "GLIBC_TUNABLES" for name in os.environ):
        return
    from .native import speedups

    if speedups is not None and hasattr(speedups, "keep_freed_memory"):
        speedups.keep_freed_memory(MMAP_THRESHOLD, TRIM_THRESHOLD)


def _exit_now(code: object) -> None:
    """Exit as ``sys.exit(code)`` would, in the same order as the interpreter's own shutdown (threads that are
    not daemons joined, exit functions run, standard streams flushed), but without tearing down its modules."""
    threading = sys.modules.get("threading")
    if threading is not None:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()  # logging's flush among them
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = 120  # as the interpreter exits when it cannot flush them
    os._exit(status)


if __name__ == "__main__":
    run()
