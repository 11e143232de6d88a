"""Public locations: is a path reachable from outside the organisation, and which rule says so.

Rules (web roots such as /var/www, public_html, htdocs) come from rules/locations.toml; ``--public PATH`` adds
places the user knows are published. Both the path as scanned and its real path (symbolic links resolved)
are checked, so a share folder linked into a web root counts as public when scanned through the link.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from .model import DECLARED_PUBLIC
from .rules import PathRule


class PublicLocator:
    def __init__(self, rules: Iterable[PathRule], public_paths: Iterable[str] = ()) -> None:
        self.rules = tuple(rules)
        self.prefixes = tuple(
            (os.path.abspath(path), os.path.realpath(path), path) for path in public_paths
        )

    def reason(self, path: str) -> str | None:
        """Why ``path`` is public ("--public DIR": the user's declaration, certain; "rule:ID (glob)": a rule's
        presumption, to confirm), or None if it is not known to be."""
        if path == "-":
            return None
        absolute = os.path.abspath(path)
        candidates = {absolute}
        with contextlib.suppress(OSError):
            candidates.add(os.path.realpath(path))
        for abs_prefix, real_prefix, given in self.prefixes:
            for candidate in candidates:
                for prefix in (abs_prefix, real_prefix):
                    if candidate == prefix or candidate.startswith(prefix.rstrip("/") + "/"):
                        return f"{DECLARED_PUBLIC}{given}"
        for rule in self.rules:
            if any(rule.matches(candidate) for candidate in candidates):
                return f"rule:{rule.rule_id} ({rule.glob})"
        return None
