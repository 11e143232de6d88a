"""The optional C speed-ups (``detector/_speedups.c``, compiled at install by ``hatch_build.py`` where a C compiler
is), or None where they are not built. Each of their functions has a pure-Python twin giving the same results;
the modules that use them fall back to it when this is None."""

from __future__ import annotations

from typing import Any


def _load() -> Any:
    try:
        from . import _speedups  # type: ignore[attr-defined]

        return _speedups
    except ImportError:
        return None


speedups: Any = _load()
