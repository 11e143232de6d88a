"""``python -m detector`` is the ``mynumber`` command."""

from .cli import main

if __name__ == "__main__":
    main()
