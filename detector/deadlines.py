"""Reporting deadlines to the Personal Information Protection Commission (PPC) for a My Number leak.

The PPC rule on reporting leaks of specific personal information (特定個人情報の漏えい等に関する報告等に関する
規則, Article 3) asks for two reports after the organisation learns of a reportable incident:

* the preliminary report (速報), "promptly": the guidelines read this as about 3 to 5 days; we give day 5;
* the final report (確報), within 30 days, or 60 days when the leak was caused by a wrongful purpose such as an
  attack (Article 2, item 2).

The day the organisation (any part of it) learned of the incident counts as day 1. When the last day falls on a
Saturday, a Sunday, a Japanese public holiday or the year-end break (12/29 to 1/3), the deadline moves to the
next business day (the rule for periods in 行政機関の休日に関する法律 Article 2). Holidays come from jpholiday, a
maintained library, not from a hand-written table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRELIMINARY_DAYS = 5
FINAL_DAYS = 30
FINAL_DAYS_MALICIOUS = 60


@dataclass(frozen=True)
class Deadlines:
    discovered: dt.date
    preliminary_report: dt.date
    final_report: dt.date
    malicious: bool

    def to_json(self) -> dict[str, str]:
        return {"discovered": self.discovered.isoformat(),
                "preliminary_report": self.preliminary_report.isoformat(),
                "final_report": self.final_report.isoformat()}


def is_business_day(day: dt.date) -> bool:
    """Not a weekend, a national holiday (including substitute holidays) or the year-end break."""
    import jpholiday

    if day.weekday() >= 5:
        return False
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return False
    return not jpholiday.is_holiday(day)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def day_n(discovered: dt.date, n: int) -> dt.date:
    """Day ``n`` of a period whose day 1 is ``discovered``, moved to the next business day."""
    return next_business_day(discovered + dt.timedelta(days=n - 1))


def deadlines(discovered: dt.date, malicious: bool = False) -> Deadlines:
    return Deadlines(discovered=discovered,
                     preliminary_report=day_n(discovered, PRELIMINARY_DAYS),
                     final_report=day_n(discovered, FINAL_DAYS_MALICIOUS if malicious else FINAL_DAYS),
                     malicious=malicious)
