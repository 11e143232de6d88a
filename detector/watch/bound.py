"""The people bound of the files a watch follows: what beside the people found could make an exposure reportable.

A scan bounds the people that may be affected by those found, the held-back candidates of other people and the
files it could not read (:class:`detector.assess.PeopleBound`; 別添２ 3A of 個人情報保護委員会「特定個人情報の適正な
取扱いに関するガイドライン（事業者編）」: where the number cannot be fixed, the maximum that may be affected decides
規則第2条第4号). A watch must bound them the same way, or a log line held back below ``--min-confidence`` or a
file that became unreadable would change the verdict of a scan of the same files but never the watch's. The
counts are kept as files come and go (:meth:`BoundCounts.add` and :meth:`BoundCounts.remove` with each file's
result), like the people found in the watcher's :class:`~detector.exposure.Exposure`, so a burst of files costs no
rebuild per file.
"""

from __future__ import annotations

from collections import Counter

from ..assess import PeopleBound
from ..exposure import Exposure
from ..model import FileResult
from ..result import could_hold_numbers, is_encrypted


class BoundCounts:
    """Held-back people (by fingerprint, with how many files hold each), held-back candidates, entries not read
    that could hold numbers (encrypted ones apart) and unreadable candidates, over the files followed."""

    def __init__(self) -> None:
        self.held_back_people: Counter[str] = Counter()
        self.held_back_candidates = 0
        self.unscanned_files = 0
        self.encrypted_members = 0
        self.unreadable_candidates = 0

    def add(self, result: FileResult) -> None:
        self._count(result, 1)

    def remove(self, result: FileResult) -> None:
        self._count(result, -1)

    def _count(self, result: FileResult, sign: int) -> None:
        for fingerprint in result.held_back_people:
            self.held_back_people[fingerprint] += sign
            if self.held_back_people[fingerprint] <= 0:
                del self.held_back_people[fingerprint]
        self.held_back_candidates += sign * sum(result.held_back.values())
        unread = [entry for entry in result.unscanned if could_hold_numbers(entry)]
        self.unscanned_files += sign * len(unread)
        self.encrypted_members += sign * sum(1 for entry in unread if is_encrypted(entry))
        self.unreadable_candidates += sign * len(result.unreadable)

    def bound(self, found: Exposure) -> PeopleBound:
        """The bound with the people ``found`` (a held-back person who is also found counts once)."""
        held_back_people = len(self.held_back_people.keys() - found.fingerprints()) if self.held_back_people else 0
        return PeopleBound(found=found.distinct_people, held_back_people=held_back_people,
                           held_back_candidates=self.held_back_candidates, unscanned_files=self.unscanned_files,
                           encrypted_members=self.encrypted_members,
                           unreadable_candidates=self.unreadable_candidates)
