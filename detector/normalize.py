"""Text normalisation shared by the rules loader and the context scorer.

Keywords and the text around a candidate are compared in one form, so "My Number", "my_number",
"ＭＹ　ＮＵＭＢＥＲ" and "ﾏｲﾅﾝﾊﾞｰ" are the same term.
"""

from __future__ import annotations

import re
import unicodedata

_IGNORED = re.compile(r"[\s_\-・･]+")


def normalise(text: str) -> str:
    """NFKC, case-folded, without spaces, '_', '-' and '・'."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())
