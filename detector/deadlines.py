"""When to report a My Number leak to the Personal Information Protection Commission (PPC).

番号法第29条の4第1項 asks for a report of a reportable incident (報告対象事態); the PPC rule on it
(特定個人情報の漏えい等に関する報告等に関する規則, 平成27年特定個人情報保護委員会規則第5号) Article 3 asks for it in two
steps after the organisation learns of the incident, and only the second has a deadline:

* the preliminary report (速報), Article 3(1): 「速やかに」, promptly. The rule gives no number of days; the
  guideline (特定個人情報の適正な取扱いに関するガイドライン（事業者編）別添２ 3D) gives 「概ね３日～５日以内」 from
  the time of learning as a yardstick (目安). It is a range, not a deadline, so it is not moved past holidays: we
  give day 3 to day 5 as calendar days, counted like the final report (the day of learning is day 1: 3E says so
  of the 確報; 3D says only 「知った時点から」);
* the final report (確報), Article 3(2): within 30 days, or 60 days when the incident is one of Article 2, item 2
  (a leak that may have been caused with a wrongful purpose). This is a deadline: the day the organisation (any
  part of it) learned of the incident is day 1 (別添２ 3D, 3E), and when the last day falls on a Saturday, a
  Sunday, a Japanese public holiday or the year-end break (12/29 to 1/3) it moves on (別添２ 3E (※2), citing
  行政機関の休日に関する法律 Article 2: a deadline on a day the administration is closed (Article 1 lists them)
  becomes 「行政機関の休日の翌日」, the next day it is open; that is how we read 3E's 「その翌日」).

Sources and the copies they were checked against: detector.report.legal_sources.

Holidays come from jpholiday, a maintained library, not from a hand-written table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# 別添２ 3D: 速報 「概ね３日～５日以内」 (day of learning = day 1, as 3E counts the 確報); a yardstick, never moved.
PRELIMINARY_FIRST_DAY = 3
PRELIMINARY_LAST_DAY = 5
# 規則第3条第2項: 確報 within 30 days; 60 days for the incidents of 規則第2条第2号.
FINAL_DAYS = 30
FINAL_DAYS_MALICIOUS = 60


@dataclass(frozen=True)
class PreliminaryWindow:
    """The guideline's yardstick for the preliminary report (速報): day 3 to day 5, calendar days.

    Not a deadline (規則第3条第1項 says only 「速やかに」), so neither end is moved past a holiday."""

    first: dt.date
    last: dt.date

    def to_json(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


@dataclass(frozen=True)
class Deadlines:
    """The reporting dates of an incident: the 速報 yardstick and the one deadline, the 確報's."""

    discovered: dt.date
    preliminary_report: PreliminaryWindow
    final_report: dt.date
    malicious: bool

    @property
    def final_day(self) -> int:
        """The day number of the final report's period: 30, or 60 for 規則第2条第2号 (規則第3条第2項)."""
        return FINAL_DAYS_MALICIOUS if self.malicious else FINAL_DAYS

    def to_json(self) -> dict[str, object]:
        """``preliminary_report`` is ``{"from": day 3, "to": day 5}`` (a single date, day 5 moved past holidays,
        before issue 15); ``final_report`` stays a date."""
        return {"discovered": self.discovered.isoformat(),
                "preliminary_report": self.preliminary_report.to_json(),
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


def calendar_day(discovered: dt.date, n: int) -> dt.date:
    """Day ``n`` of a period whose day 1 is ``discovered``, whatever day of the week it is."""
    return discovered + dt.timedelta(days=n - 1)


def deadline_day(discovered: dt.date, n: int) -> dt.date:
    """The deadline of an ``n``-day period whose day 1 is ``discovered``: day ``n``, moved to the next business
    day when it is not one (the 確報's rule; the 速報's yardstick is not moved)."""
    return next_business_day(calendar_day(discovered, n))


def deadlines(discovered: dt.date, malicious: bool = False) -> Deadlines:
    window = PreliminaryWindow(first=calendar_day(discovered, PRELIMINARY_FIRST_DAY),
                               last=calendar_day(discovered, PRELIMINARY_LAST_DAY))
    return Deadlines(discovered=discovered, preliminary_report=window,
                     final_report=deadline_day(discovered, FINAL_DAYS_MALICIOUS if malicious else FINAL_DAYS),
                     malicious=malicious)
