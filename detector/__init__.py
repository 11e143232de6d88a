"""mynumber: find exposed My Numbers (個人番号), count the distinct people exposed, assess the incident.

The library's entry is :func:`detector.scan` (:mod:`detector.api`)::

    from detector import scan

    result = scan(["/srv/share"], public_paths=["/srv/share/htdocs"])
    print(result.distinct_people, result.exit_status)  # 1, 3 or 5 when numbers were found, as the command's
    document = result.to_json()  # what `mynumber scan --format json` writes: fingerprints, never a number

``import detector`` stays cheap: :func:`scan` and the pipeline behind it are imported on first use.
:mod:`detector.report` renders a result as the command line does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "scan"]

if TYPE_CHECKING:  # type checkers see the function itself, and no other name made up at run time
    from .api import scan
else:

    def __getattr__(name: str) -> Any:
        """``detector.scan`` imported on first use (PEP 562), so that the command line's start stays fast."""
        if name == "scan":
            from .api import scan

            return scan
        raise AttributeError(f"module 'detector' has no attribute {name!r}")
