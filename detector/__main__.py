"""``python -m detector`` and the ``mynumber`` command.

The command ends without tearing the interpreter down: once it has written its output and closed its files,
there is nothing left to do (see docs/performance.md for what that saves on a scan of an unchanged tree).
"""

import atexit
import os
import sys


def run() -> None:
    from .cli import main

    try:
        main()
    except SystemExit as done:
        _exit_now(done.code)


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
