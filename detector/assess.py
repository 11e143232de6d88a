"""Assessment: does the exposure meet a reporting trigger of the PPC rule, may it, and what exit status follows.

Triggers are data (rules/assessment.toml), each one criterion: a measured one names a metric of the exposure
(:data:`detector.exposure.METRICS`, by name) and holds when it is more than ``more_than`` (``over_100_people``:
distinct people > 100; ``publicly_accessible``: any person's number in a public location); a declared one holds
when the responder declares it, as ``mynumber report --malicious`` declares ``malicious`` (a scan cannot measure
intent), and some person's number was found (規則第2条第2号 is about 特定個人情報: with none found the tool has
nothing it applies to). Serious when any holds, as before.

The verdict has three outcomes (:class:`Status`), because what was found is a lower bound. 個人情報保護委員会
「特定個人情報の適正な取扱いに関するガイドライン（事業者編）」別添２ 3A: where the number of people cannot be fixed,
the maximum number that may be affected decides 規則第2条第4号. So:

- ``reportable``: a trigger holds on what was found and is certain (a public place the user declared with
  ``--public``; a declared trigger with people found);
- ``possibly_reportable``: no trigger holds for certain, but one may: the people found plus the held-back
  candidates not among them plus what could not be read (:class:`PeopleBound`) could pass the threshold, or the
  trigger holds only on a presumption (a web root by a location rule: ``confirmed_metric`` of the trigger). The
  :class:`Check` list says what to look at to decide;
- ``not_reportable_on_scan``: neither; said as "on what was scanned", never as certain.

An unreadable file may hold any number of people, so one that could hold numbers opens the bound (``upper`` is
None). The bound counts as a possibility only with some sign of numbers (a person found or a candidate held back),
or a declared trigger: an image on a share where nothing was found is in the list of files to check by hand, not
a verdict of "may be reportable".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from .errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_POSSIBLY, EXIT_SERIOUS
from .rules import Trigger

# The metric the upper bound widens: the people counted (別添２ 3A). Held-back candidates keep only their
# fingerprint and an unreadable file has no findings, so no other metric can be widened by them.
BOUNDED_METRIC = "distinct_people"


class Status(StrEnum):
    REPORTABLE = "reportable"
    POSSIBLY_REPORTABLE = "possibly_reportable"
    NOT_REPORTABLE_ON_SCAN = "not_reportable_on_scan"


class PeopleBound(NamedTuple):
    """The people that may be affected, and what the count rests on (別添２ 3A: the maximum decides 4号)."""

    found: int = 0  # distinct people found at or above --min-confidence
    held_back_people: int = 0  # people of the held-back candidates not among ``found`` (from merged scans: at most)
    held_back_candidates: int = 0  # findings held back below --min-confidence
    unscanned_files: int = 0  # files and members not read that could hold numbers (encrypted ones included)
    encrypted_members: int = 0  # of which encrypted (files or archive members)
    # Possible numbers read from pictures that no reading saves: each one number, so at most one person more (it
    # may be one of the people found: the bound stays an upper one). 別添２ 3A ⑷: the maximum decides 4号.
    unreadable_candidates: int = 0

    @property
    def open(self) -> bool:
        """Whether a file that could hold any number of people was not read: no upper bound then."""
        return self.unscanned_files > 0

    @property
    def _most(self) -> int:
        return self.found + self.held_back_people + self.unreadable_candidates

    @property
    def upper(self) -> int | None:
        """The most people that may be affected, or None when :attr:`open`."""
        return None if self.open else self._most

    def may_exceed(self, more_than: int) -> bool:
        """Whether the people that may be affected could be more than ``more_than`` (with some sign of numbers:
        a person found, a candidate held back, a possible number unreadable)."""
        if self._most == 0:
            return False
        return self.open or self._most > more_than

    def to_json(self) -> dict[str, Any]:
        return {"people_upper_bound": self.upper, "upper_bound_open": self.open,
                "unscanned_files": self.unscanned_files, "encrypted_members": self.encrypted_members,
                "held_back_candidates": self.held_back_candidates, "held_back_people": self.held_back_people,
                "unreadable_candidates": self.unreadable_candidates}


class Check(NamedTuple):
    """One thing a person must look at to decide a possible trigger: ``check_id`` is the machine key (worded by
    the renderers), ``how_many`` of them (people or files), ``rules`` the location rules a presumed public
    place rests on."""

    # held_back_candidates | unscanned_files | encrypted_members | unreadable_candidates | confirm_public_location
    check_id: str
    how_many: int
    rules: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.check_id, "count": self.how_many}
        if self.rules:
            out["rules"] = list(self.rules)
        return out


class Facts(NamedTuple):
    """What the findings alone do not say: the bound, and the location rules behind presumed public findings."""

    bound: PeopleBound = PeopleBound()
    presumed_public_rules: tuple[str, ...] = ()


class Assessment(NamedTuple):
    serious: bool
    reasons: tuple[Trigger, ...]
    metrics: dict[str, int]
    status: Status = Status.NOT_REPORTABLE_ON_SCAN
    possible: tuple[Trigger, ...] = ()  # triggers that may hold and do not hold for certain
    checks: tuple[Check, ...] = ()
    bound: PeopleBound = PeopleBound()

    def reason_ids(self) -> list[str]:
        return [trigger.trigger_id for trigger in self.reasons]

    def value(self, trigger: Trigger) -> int | None:
        """The metric a measured trigger held on; None for a declared one."""
        return None if trigger.metric is None else self.metrics[trigger.metric]

    def details(self) -> list[dict[str, Any]]:
        return [
            {"id": t.trigger_id, "metric": t.metric, "value": self.value(t), "more_than": t.more_than,
             "article": t.article, "description": t.description}
            for t in self.reasons
        ]

    def verdict_json(self) -> dict[str, Any]:
        """The three-way verdict for the scan's summary and the incident's ``verdict``."""
        return {"status": self.status.value, **self.bound.to_json(),
                "possible_reasons": [t.trigger_id for t in self.possible],
                "to_check": [check.to_json() for check in self.checks]}


def assess(metrics: Mapping[str, int], triggers: tuple[Trigger, ...], declared: Collection[str] = (),
           facts: Facts | None = None) -> Assessment:
    """The triggers that hold on ``metrics`` (by name: :meth:`detector.exposure.Exposure.metrics`), and the
    declared ones whose id is in ``declared``, in the order of the rules; then the status, from what holds for
    certain and what may hold given ``facts`` (without them, the bound is the people found)."""
    facts = facts or Facts(PeopleBound(found=metrics.get(BOUNDED_METRIC, 0)))
    reasons = tuple(t for t in triggers if _holds(t, metrics, declared))
    certain = tuple(t for t in reasons if _certain(t, metrics))
    possible = tuple(t for t in triggers if t not in certain and _may_hold(t, metrics, declared, facts.bound))
    if certain:
        status = Status.REPORTABLE
    elif possible:
        status = Status.POSSIBLY_REPORTABLE
    else:
        status = Status.NOT_REPORTABLE_ON_SCAN
    return Assessment(bool(reasons), reasons, dict(metrics), status, possible,
                      _checks(possible, metrics, facts), facts.bound)


def _holds(trigger: Trigger, metrics: Mapping[str, int], declared: Collection[str]) -> bool:
    if trigger.metric is None:
        return trigger.trigger_id in declared and metrics.get(BOUNDED_METRIC, 0) > 0
    return metrics[trigger.metric] > (trigger.more_than or 0)


def _certain(trigger: Trigger, metrics: Mapping[str, int]) -> bool:
    """A holding trigger that rests on no presumption (its ``confirmed_metric`` holds too, where it has one)."""
    return trigger.confirmed_metric is None or metrics.get(trigger.confirmed_metric, 0) > (trigger.more_than or 0)


def _may_hold(trigger: Trigger, metrics: Mapping[str, int], declared: Collection[str], bound: PeopleBound) -> bool:
    if trigger.metric is None:  # declared, with no person found: only if numbers may be in what was not read
        return trigger.trigger_id in declared and (bound.open or bound.held_back_people > 0
                                                   or bound.unreadable_candidates > 0)
    if metrics[trigger.metric] > (trigger.more_than or 0):  # holds, on a presumption (not certain)
        return True
    return trigger.metric == BOUNDED_METRIC and bound.may_exceed(trigger.more_than or 0)


def _checks(possible: tuple[Trigger, ...], metrics: Mapping[str, int], facts: Facts) -> tuple[Check, ...]:
    """What to look at to decide the ``possible`` triggers."""
    bound = facts.bound
    checks: list[Check] = []
    if any(t.metric in (BOUNDED_METRIC, None) for t in possible):
        if bound.held_back_people:
            checks.append(Check("held_back_candidates", bound.held_back_people))
        if bound.unscanned_files > bound.encrypted_members:
            checks.append(Check("unscanned_files", bound.unscanned_files - bound.encrypted_members))
        if bound.encrypted_members:
            checks.append(Check("encrypted_members", bound.encrypted_members))
        if bound.unreadable_candidates:
            checks.append(Check("unreadable_candidates", bound.unreadable_candidates))
    for trigger in possible:
        if trigger.confirmed_metric is not None and trigger.metric is not None:
            presumed = metrics[trigger.metric] - metrics.get(trigger.confirmed_metric, 0)
            checks.append(Check("confirm_public_location", presumed, facts.presumed_public_rules))
    return tuple(checks)


def exit_status(findings: int, assessment: Assessment) -> int:
    if assessment.status is Status.REPORTABLE:
        return EXIT_SERIOUS
    if assessment.status is Status.POSSIBLY_REPORTABLE:
        return EXIT_POSSIBLY
    return EXIT_FINDINGS if findings else EXIT_CLEAN
