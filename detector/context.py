"""Context scoring: the words around a candidate, and the header of its table column, decide confidence.

About one random 12-digit string in ten passes the check digit, so the checksum alone says little; the
context says whether a number is a My Number (presidio's recognisers work the same way).

- high: a My Number keyword within the window, nearer than any keyword of another number, or a column headed
  by such a keyword;
- medium: the 4-4-4 grouped form with no keyword, or a keyword with a nearer other-number keyword;
- low: a bare 12-digit run with no context, or anything near only another number's keyword.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .model import Confidence, shared
from .normalize import normalise
from .rules import Rules, Term


@dataclass(frozen=True, slots=True)
class ColumnContext:
    """What a table column's header says about the values below it."""

    header: str
    polarity: int  # +1 a My Number column, -1 another number's column, 0 nothing known
    rule_id: str | None


class ContextScorer:
    """Scores candidates from the text around them, using the keyword rules."""

    def __init__(self, rules: Rules) -> None:
        self.before = rules.window_before
        self.after = rules.window_after
        self.keywords = _TermSet(rules.keywords)
        self.negatives = _TermSet(rules.negatives)
        self.keyword_terms = tuple(sorted(self.keywords.rule_of))  # normalised, as the text is before a search
        self._ascii_keywords = _ascii_keyword_search(tuple(sorted(t for t in self.keywords.rule_of if t.isascii())))
        # The terms beside a candidate, remembered by the raw texts around it: a templated log gives the same few
        # texts before and after thousands of candidates, each pair normalised and searched once.
        self._seen: dict[tuple[str, str], _Beside] = {}
        self._reason_sets: dict[tuple[str, ...], tuple[str, ...]] = {}

    def can_raise(self, data: bytes, start: int, end: int) -> bool:
        """Whether anything in the window of the contiguous candidate ``data[start:end]`` of ASCII data could
        score it above :meth:`bare` (the matcher's quick question: a candidate nothing can raise needs no
        decoding and no scoring when only higher confidences are reported).

        Only a My Number keyword raises a bare candidate (other numbers' keywords only lower a score or add a
        reason), and only where :meth:`score` looks: ``before`` characters before it, ``after`` after it. Each
        ASCII keyword is searched with its letters in any case and with anything normalisation removes
        between them, a superset of what :meth:`score` finds; keywords that are not ASCII cannot occur in
        ASCII data."""
        search = self._ascii_keywords
        return search is not None and search(data, max(0, start - self.before), end + self.after) is not None

    def can_raise_text(self, before: str, after: str) -> bool:
        """The same question for a contiguous candidate of text that is not ASCII, given the decoded text
        before it and after it (at least :attr:`before` and :attr:`after` characters of each, where the text
        has them): whether a My Number keyword is in what :meth:`score` would look at, normalised as it is."""
        regex = self.keywords.regex
        return regex is not None and (regex.search(normalise(before[max(0, len(before) - self.before):])) is not None or
                                      regex.search(normalise(after[:self.after])) is not None)

    @staticmethod
    def bare() -> tuple[Confidence, tuple[str, ...]]:
        """The score of a contiguous candidate that nothing in its window raises (see :meth:`can_raise`). Its
        reasons name its form only: another number's keyword beside it would add a reason, not change the
        confidence, and a candidate this low is only counted, its reasons never shown."""
        return Confidence.LOW, ("bare",)

    def column(self, header: str) -> ColumnContext:
        """Classify a column header; a header is a label, so any term inside it counts."""
        norm = normalise(header)
        if not norm:
            return ColumnContext(header, 0, None)
        positive = self.keywords.longest_in(norm)
        negative = self.negatives.longest_in(norm)
        if positive and not negative:
            return ColumnContext(header, +1, positive.rule_id)
        if negative and not positive:
            return ColumnContext(header, -1, negative.rule_id)
        if positive and negative:
            # "個人番号カード番号" vs "口座番号": the longer (more specific) term wins.
            winner = max((positive, negative), key=lambda t: len(t.text))
            return ColumnContext(header, +1 if winner is positive else -1, winner.rule_id)
        return ColumnContext(header, 0, None)

    def terms_beside(self, before: str, after: str) -> _Beside:
        """The My Number keyword and the other numbers' keyword nearest a candidate, from the raw text just
        before it and just after it (at most :attr:`before` and :attr:`after` characters)."""
        before, after = normalise(before), normalise(after)
        return self.keywords.nearest(before, after), self.negatives.nearest(before, after)

    def _remember(self, beside: tuple[str, str]) -> _Beside:
        """:meth:`terms_beside`, remembered for the texts ``beside`` a candidate (forgotten all at once when
        :data:`_SIDES_REMEMBERED` are: a scan moves on to other texts)."""
        if len(self._seen) >= _SIDES_REMEMBERED:
            self._seen.clear()
        terms = self._seen[beside] = self.terms_beside(*beside)
        return terms

    def score(self, text: str, start: int, end: int, grouped: bool,
              column: ColumnContext | None = None) -> tuple[Confidence, tuple[str, ...]]:
        """Confidence and reason codes for the candidate ``text[start:end]``: the codes one tuple for each set of
        them (a table of 200,000 numbers made a tuple and a ``column:`` string each)."""
        confidence, reasons = self._score(text, start, end, grouped, column)
        return confidence, shared(self._reason_sets, reasons)

    def _score(self, text: str, start: int, end: int, grouped: bool,
               column: ColumnContext | None) -> tuple[Confidence, tuple[str, ...]]:
        beside = (text[max(0, start - self.before):start], text[end:end + self.after])
        pos, neg = self._seen.get(beside) or self._remember(beside)
        reasons: list[str] = ["grouped" if grouped else "bare"]
        base = Confidence.MEDIUM if grouped else Confidence.LOW
        negative_nearer = neg is not None and (pos is None or neg[0] < pos[0])
        if column is not None and column.polarity:
            reasons.append(f"column:{column.rule_id}")
            if column.polarity > 0 and not negative_nearer:
                if pos is not None:
                    reasons.append(f"keyword:{pos[1]}")
                return Confidence.HIGH, tuple(reasons)
            if column.polarity < 0 and pos is None:
                return Confidence.LOW, tuple(reasons)
        if pos is not None:
            reasons.append(f"keyword:{pos[1]}")
        if neg is not None and (pos is None or negative_nearer):
            reasons.append(f"negative:{neg[1]}")
        if pos is not None and not negative_nearer:
            return Confidence.HIGH, tuple(reasons)
        if pos is not None:
            return Confidence.MEDIUM, tuple(reasons)
        if neg is not None:
            return Confidence.LOW, tuple(reasons)
        return base, tuple(reasons)


_SIDES_REMEMBERED = 1024  # pairs of texts beside candidates: a log's templates, a form's repeated labels
_Term = tuple[int, str]  # (distance in normalised characters from the candidate, rule id)
_Beside = tuple[_Term | None, _Term | None]  # the My Number keyword and the other numbers' keyword nearest


_KEYWORD_GAP = r"[\s\x1c-\x1f_\-]*"  # what normalisation removes between the letters of a term, in ASCII


@functools.cache
def _ascii_keyword_search(terms: tuple[str, ...]) -> Callable[[bytes, int, int], re.Match[bytes] | None] | None:
    """ASCII keywords, in any case and with any separators between their letters (None: there are none)."""
    if not terms:
        return None
    alternatives = (_KEYWORD_GAP.join(re.escape(c) for c in term) for term in terms)
    return re.compile("|".join(alternatives).encode("ascii"), re.IGNORECASE).search


class _TermSet:
    """Terms of one polarity as a single alternation, longest first, so each window is searched once."""

    def __init__(self, terms: tuple[Term, ...]) -> None:
        self.rule_of = {term.text: term.rule_id for term in terms}
        ordered = sorted(self.rule_of, key=len, reverse=True)
        self.regex = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def longest_in(self, norm: str) -> Term | None:
        if self.regex is None:
            return None
        found = [m.group() for m in self.regex.finditer(norm)]
        if not found:
            return None
        text = max(found, key=len)
        return Term(self.rule_of[text], text)

    def nearest(self, before: str, after: str) -> _Term | None:
        """(distance in normalised characters, rule id) of the term nearest to the candidate, if any."""
        if self.regex is None:
            return None
        best: _Term | None = None
        for match in self.regex.finditer(before):
            best = (len(before) - match.end(), self.rule_of[match.group()])
        following = self.regex.search(after)
        if following is not None and (best is None or following.start() < best[0]):
            best = (following.start(), self.rule_of[following.group()])
        return best


class ItemFinder:
    """Which personal items (name, address, ...) sit beside a number: from the headers of its table row, or
    from labels in the text around it. The labels are the ``[[item]]`` rules."""

    def __init__(self, rules: Rules, window: int = 60) -> None:
        self.window = window
        self.item_of: dict[str, str] = {}
        for item in rules.items:
            for term in item.terms:
                self.item_of.setdefault(term, item.item_id)
        ordered = sorted(self.item_of, key=len, reverse=True)
        self.regex = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._headers: dict[tuple[str, ...], frozenset[str]] = {}
        self._item_sets: dict[tuple[str, ...], tuple[str, ...]] = {}

    def in_text(self, norm: str) -> frozenset[str]:
        if self.regex is None:
            return frozenset()
        return frozenset(self.item_of[m.group()] for m in self.regex.finditer(norm))

    def around(self, text: str, start: int, end: int) -> str:
        """The text whose labels count for ``text[start:end]`` (kept with the candidate: the items are found
        only for candidates that become findings, not for the many held back in a dense log)."""
        return text[max(0, start - self.window):end + self.window]

    def near(self, around: str, headers: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Item ids, sorted: labels in ``around`` (see :meth:`around`), and the row's headers."""
        found = set(self.in_text(normalise(around)))
        if headers:
            cached = self._headers.get(headers)
            if cached is None:
                cached = self._headers[headers] = frozenset().union(*(self.in_text(normalise(h)) for h in headers))
            found |= cached
        return shared(self._item_sets, tuple(sorted(found)))
