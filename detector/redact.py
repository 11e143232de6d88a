"""A last line of defence: anything that looks like a My Number in a message is masked before it is shown.

Messages are built not to contain numbers in the first place; this catches what a library puts into an
exception text (a decoding error quoting bytes, a parser quoting a line).
"""

from __future__ import annotations

import re

from .mynumber import DIGIT_CLASS

_SEP = r"[-. \u3000－‐−ー]?"
_NUMBER_LIKE = re.compile(
    f"[{DIGIT_CLASS}]{{4}}{_SEP}[{DIGIT_CLASS}]{{4}}{_SEP}[{DIGIT_CLASS}]{{4}}"
)


def redact(text: str) -> str:
    """Mask every 12-digit run (contiguous or 4-4-4) in ``text``, keeping the last four digits."""
    return _NUMBER_LIKE.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)
