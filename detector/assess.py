"""Assessment: does the exposure meet a reporting trigger of the PPC rule, and what exit status follows.

Triggers are data (rules/assessment.toml): ``over_100_people`` when distinct people > 100,
``publicly_accessible`` when any person's number is in a public location. Serious when any holds.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_SERIOUS
from .rules import Trigger


class Assessment(NamedTuple):
    serious: bool
    reasons: tuple[Trigger, ...]
    metrics: dict[str, int]

    def reason_ids(self) -> list[str]:
        return [trigger.trigger_id for trigger in self.reasons]

    def details(self) -> list[dict[str, Any]]:
        return [
            {"id": t.trigger_id, "metric": t.metric, "value": self.metrics[t.metric], "more_than": t.more_than,
             "article": t.article, "description": t.description}
            for t in self.reasons
        ]


def assess(distinct_people: int, public_distinct_people: int, triggers: tuple[Trigger, ...]) -> Assessment:
    metrics = {"distinct_people": distinct_people, "public_distinct_people": public_distinct_people}
    reasons = tuple(t for t in triggers if metrics[t.metric] > t.more_than)
    return Assessment(bool(reasons), reasons, metrics)


def exit_status(findings: int, assessment: Assessment) -> int:
    if assessment.serious:
        return EXIT_SERIOUS
    return EXIT_FINDINGS if findings else EXIT_CLEAN
