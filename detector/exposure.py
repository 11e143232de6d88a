"""Exposure: the people a set of findings exposes, and the metrics the assessment measures them by.

One aggregate for everything that counts people: a scan and a merge (:class:`~detector.result.ScanResult` adds
each finding it keeps) and ``watch`` (which adds a file's findings when it reads them and removes them when the
file changes or goes). People are fingerprints; a person is exposed while any finding holding their fingerprint
is, so each metric keeps a count of findings per fingerprint and removing a finding is the exact inverse of
adding it.

A metric is a name and the findings it looks at (:data:`METRICS`); its value is the number of distinct people
among them. The assessment's triggers (``rules/assessment.toml``) name metrics, never code, so a new assessment
metric touches this table and the TOML, and nothing else: the rules accept any name here, the assessment and
its details report it by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from .model import Finding

# The metrics a trigger may name: each is the number of distinct people among the findings it selects.
METRICS: dict[str, Callable[[Finding], bool]] = {
    "distinct_people": lambda finding: True,
    "public_distinct_people": lambda finding: finding.public,
    # public in a folder the user declared public (--public), not only presumed so by a location rule
    "confirmed_public_distinct_people": lambda finding: finding.public and not finding.presumed_public,
}


class Exposure:
    """Distinct people, and distinct people by each metric, under findings added and removed in any order.

    ``add`` and ``remove`` take one finding each; a caller that deduplicates findings (a scan keeps one finding
    per path, location and person) adds each kept finding once, and a caller that tracks files (``watch``)
    removes exactly the findings it added for a file."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._counts: dict[str, Counter[str]] = {name: Counter() for name in METRICS}
        self._selects = tuple((METRICS[name], counts) for name, counts in self._counts.items())
        for finding in findings:
            self.add(finding)

    def add(self, finding: Finding) -> None:
        for selects, counts in self._selects:
            if selects(finding):
                counts[finding.fingerprint] += 1

    def remove(self, finding: Finding) -> None:
        """The inverse of :meth:`add`. A finding never added is the caller's error: KeyError, nothing changed."""
        selected = [counts for selects, counts in self._selects if selects(finding)]
        fingerprint = finding.fingerprint
        if any(fingerprint not in counts for counts in selected):
            raise KeyError("a finding removed from an exposure it was never added to")
        for counts in selected:
            counts[fingerprint] -= 1
            if not counts[fingerprint]:
                del counts[fingerprint]

    def people(self, metric: str = "distinct_people") -> int:
        """The number of distinct people ``metric`` counts."""
        return len(self._counts[metric])

    @property
    def distinct_people(self) -> int:
        return self.people("distinct_people")

    @property
    def public_distinct_people(self) -> int:
        return self.people("public_distinct_people")

    def fingerprints(self, metric: str = "distinct_people") -> set[str]:
        """The people ``metric`` counts, by fingerprint (an incident's public and internal people)."""
        return set(self._counts[metric])

    def metrics(self) -> dict[str, int]:
        """Every metric by name, as the assessment reads them."""
        return {name: len(counts) for name, counts in self._counts.items()}
