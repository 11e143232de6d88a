"""``python -m detector`` and the ``mynumber`` command.

An incremental scan's prefetch (see :mod:`detector.prefetch`) starts from the command line before the command's
modules, click among them, are loaded: it stats folders on the other core while they load.
"""

import sys


def run() -> None:
    from .prefetch import start_early

    start_early(sys.argv[1:])
    from .cli import main

    main()


if __name__ == "__main__":
    run()
