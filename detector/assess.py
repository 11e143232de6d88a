"""Assessment: does the exposure meet a reporting trigger of the PPC rule, and what exit status follows.

Triggers are data (rules/assessment.toml), each one criterion: a measured one names a metric of the exposure
(:data:`detector.exposure.METRICS`, by name) and holds when it is more than ``more_than`` (``over_100_people``:
distinct people > 100; ``publicly_accessible``: any person's number in a public location); a declared one holds
when the responder declares it, as ``mynumber report --malicious`` declares ``malicious`` (a scan cannot measure
intent). Serious when any holds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from .errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_SERIOUS
from .rules import Trigger


class Assessment(NamedTuple):
    serious: bool
    reasons: tuple[Trigger, ...]
    metrics: dict[str, int]

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


def assess(metrics: Mapping[str, int], triggers: tuple[Trigger, ...], declared: Collection[str] = ()) -> Assessment:
    """The triggers that hold on ``metrics`` (by name: :meth:`detector.exposure.Exposure.metrics`), and the
    declared ones whose id is in ``declared``, in the order of the rules."""
    reasons = tuple(t for t in triggers if _holds(t, metrics, declared))
    return Assessment(bool(reasons), reasons, dict(metrics))


def _holds(trigger: Trigger, metrics: Mapping[str, int], declared: Collection[str]) -> bool:
    if trigger.metric is None:
        return trigger.trigger_id in declared
    return metrics[trigger.metric] > (trigger.more_than or 0)


def exit_status(findings: int, assessment: Assessment) -> int:
    if assessment.serious:
        return EXIT_SERIOUS
    return EXIT_FINDINGS if findings else EXIT_CLEAN
