"""The incident: what a responder must tell the PPC and the people concerned, built from a saved scan.

:func:`build_incident` turns a :class:`~detector.result.ScanResult` (a scan or a merge, read back from its json)
into an :class:`Incident`: the headline figures, the verdict with the articles it rests on, the deadlines, the
figures behind the charts, the files with findings (people, confidence, public or not, masked examples and the
other personal items found in the same records), the files still to look at by hand, and the facts the PPC's
report form asks for. It is language-neutral: the renderers in :mod:`detector.report` word it in Japanese or
English. Masked numbers only, like everything after the people stage.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .access import ExposureEvidence
from .assess import Check, PeopleBound, Status
from .deadlines import Deadlines, deadlines
from .model import Finding, UnreadableCandidate, Unscanned
from .names import name_fields, shown
from .result import ScanResult
from .rules import ItemRule

LAW_ARTICLE = "番号法第29条の4第1項"
# 番号法第29条の4第2項: in a 報告対象事態 the business also notifies the people concerned (本人通知).
NOTICE_ARTICLE = "番号法第29条の4第2項"
RULE_NAME_JA = "特定個人情報の漏えい等に関する報告等に関する規則"
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Reason:
    reason_id: str
    rule_item: int | None  # Article 2, item N of the PPC rule
    value: int | None  # the metric that triggered it (None: declared by the responder, as --malicious)
    more_than: int | None
    description: str = ""  # the rules' words, for a reason the report's own wording does not know


@dataclass(frozen=True)
class FileRow:
    path: str
    people: int
    findings: int
    confidence: str  # the highest
    public: bool
    public_reason: str | None
    examples: tuple[tuple[str, str], ...]  # (location, masked number)
    items: tuple[str, ...]  # item ids
    # The table column headers and sheet names beside the file's numbers (names from the file, as findings keep
    # them): what the file says of whose numbers they are, for the PPC draft's 媒体や種類.
    labels: tuple[str, ...] = ()
    host: str | None = None  # the machine that read the file (None: not known, an older scan's)


@dataclass
class Incident:
    figures: dict[str, int]
    serious: bool
    reasons: list[Reason]
    deadlines: Deadlines
    discovered_assumed: bool  # no --discovered: today was used
    people_by_folder: list[tuple[str, int]]
    findings_by_type: list[tuple[str, int]]
    public_people: int
    internal_people: int
    files: list[FileRow]
    unscanned: list[Unscanned]
    items: list[str]  # item ids found with any number, most frequent first
    item_labels: dict[str, tuple[str, str]]  # id -> (ja, en)
    roots: list[str]
    hosts: list[str]
    key_id: str
    # The three-way verdict (detector.assess; 別添２ 3A: the most people that may be affected decide 4号).
    status: Status = Status.NOT_REPORTABLE_ON_SCAN
    possible: tuple[Reason, ...] = ()  # triggers that may hold, to decide by the checks
    checks: tuple[Check, ...] = ()
    bound: PeopleBound = field(default_factory=PeopleBound)
    # Possible numbers in pictures that no reading saves: to look at, each at most one person more in the bound.
    unreadable: list[UnreadableCandidate] = field(default_factory=list)
    # The access-log evidence of `mynumber exposure` (report --exposure): who fetched the public files, and when.
    access: ExposureEvidence | None = None

    @property
    def articles(self) -> list[str]:
        if not self.serious:
            return []
        rule_items = [f"{RULE_NAME_JA} 第2条第{r.rule_item}号" for r in self.reasons if r.rule_item]
        return [LAW_ARTICLE, NOTICE_ARTICLE, *rule_items]

    @property
    def several_hosts(self) -> bool:
        """Whether the files with findings and those not scanned were read on more than one host: the reports then
        group them by host (:attr:`files` and :attr:`unscanned` are in that order), since two hosts' same path are
        two files."""
        return len({row.host for row in self.files} | {entry.host for entry in self.unscanned}) > 1

    @property
    def shows_reporting_dates(self) -> bool:
        """Whether the report gives the 速報 and 確報 dates: 規則第3条 asks for reports of 報告対象事態 only
        (番号法第29条の4第1項), so a reportable incident has them, one that may be reportable has them as the dates
        that apply if it is confirmed, and one not reportable on the scan has none. The json keeps them always."""
        return self.status is not Status.NOT_REPORTABLE_ON_SCAN

    def to_json(self, draft: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": "mynumber-incident/1",
            "figures": self.figures,
            "verdict": {"serious": self.serious, "reasons": [r.reason_id for r in self.reasons],
                        "articles": self.articles,
                        "details": [{"id": r.reason_id, "rule_item": r.rule_item, "value": r.value,
                                     "more_than": r.more_than} for r in self.reasons],
                        "status": self.status.value, **self.bound.to_json(),
                        "possible_reasons": [r.reason_id for r in self.possible],
                        "to_check": [check.to_json() for check in self.checks]},
            "deadlines": {**self.deadlines.to_json(), "malicious": self.deadlines.malicious,
                          "discovered_assumed": self.discovered_assumed,
                          # 規則第3条第1項 「速やかに」; 別添２ 3D 「概ね３日～５日以内」: a yardstick, not moved.
                          "preliminary_basis": "PPC rule Art. 3(1) 'promptly'; the guideline's yardstick of about "
                                               "3 to 5 days (day 3 to day 5, the day of discovery being day 1), "
                                               "not a deadline and not moved past holidays",
                          # 規則第3条第2項: 30 days, 60 for 第2条第2号; moved past 土日・祝日・12/29-1/3 (別添２
                          # 3E (※2)).
                          "final_basis": f"PPC rule Art. 3(2): day {self.deadlines.final_day}, the day of "
                                         "discovery being day 1, moved to the next business day"},
            "charts": {"people_by_folder": {shown(folder): people for folder, people in self.people_by_folder},
                       "findings_by_type": dict(self.findings_by_type),
                       "exposure": {"public": self.public_people, "internal": self.internal_people}},
            "files": [_file_json(f) for f in self.files],
            "items": self.items,
            "unscanned": [u.to_json() for u in self.unscanned],
            "unreadable_candidates": [u.to_json() for u in self.unreadable],
            "scan": {"roots": [shown(root) for root in self.roots], "hosts": self.hosts, "key_id": self.key_id},
        }
        if self.access is not None:
            out["access_evidence"] = self.access.to_json()
        if draft is not None:
            out["ppc_draft"] = draft
        return out


def _file_json(row: FileRow) -> dict[str, Any]:
    """A file's row, its path as every writer writes names (:mod:`detector.names`), with ``path_display``
    where it has a readable form."""
    out: dict[str, Any] = name_fields("path", row.path)
    out.update({"people": row.people, "findings": row.findings, "confidence": row.confidence, "public": row.public,
                "public_reason": shown(row.public_reason) if row.public_reason else row.public_reason,
                "examples": [{"location": loc, "masked": masked} for loc, masked in row.examples],
                "items": list(row.items)})
    if row.host is not None:
        out["host"] = shown(row.host)
    return out


def build_incident(result: ScanResult, item_rules: tuple[ItemRule, ...], discovered: dt.date | None = None,
                   malicious: bool = False, access: ExposureEvidence | None = None) -> Incident:
    """The incident of ``result``, whose assessment gives the reasons (``--malicious`` is one of its criteria:
    declare it when finishing the result); ``malicious`` here sets the 60-day final report."""
    assessment = result.assessment
    assert assessment is not None, "finish() the result first"
    reasons = [Reason(t.trigger_id, t.rule_item, assessment.value(t), t.more_than, t.description)
               for t in assessment.reasons]
    possible = tuple(Reason(t.trigger_id, t.rule_item, assessment.value(t), t.more_than, t.description)
                     for t in assessment.possible)
    public = result.exposure.fingerprints("public_distinct_people")
    everyone = result.exposure.fingerprints()
    item_counts: Counter[str] = Counter(item for f in result.findings for item in f.items)
    return Incident(
        figures={"distinct_people": result.distinct_people, "public_distinct_people": result.public_distinct_people,
                 "files_with_findings": result.files_with_findings, "unscanned": result.unscanned_count,
                 "findings": len(result.findings), "files_scanned": result.files_scanned,
                 "held_back_findings": sum(result.held_back.values())},
        serious=bool(reasons),
        reasons=reasons,
        deadlines=deadlines(discovered or dt.date.today(), malicious),
        discovered_assumed=discovered is None,
        people_by_folder=_people_by_folder(result.findings, result.roots),
        findings_by_type=Counter(_file_type(f.path) for f in result.findings).most_common(),
        public_people=len(public),
        internal_people=len(everyone - public),
        files=_file_rows(result.findings),
        unscanned=sorted(result.unscanned, key=lambda u: (u.host is None, u.host or "")),  # stable: by path within
        items=[item for item, _ in item_counts.most_common()],
        item_labels={rule.item_id: (rule.label_ja, rule.label_en) for rule in item_rules},
        roots=list(result.roots),
        hosts=list(result.hosts),
        key_id=result.key_id,
        status=assessment.status,
        possible=possible,
        checks=assessment.checks,
        bound=assessment.bound,
        unreadable=list(result.unreadable_candidates),
        access=access,
    )


def _top_folder(path: str, roots: list[str]) -> str:
    """The first folder below the scan root that holds ``path`` ("(top level)" for files in the root)."""
    best = ""
    for root in roots:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    rest = path[len(best):] if best else path.lstrip("/")
    head, sep, _ = rest.partition("/")
    return head if sep else "(top level)"


def _people_by_folder(findings: list[Finding], roots: list[str]) -> list[tuple[str, int]]:
    people: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        people[_top_folder(finding.path, roots)].add(finding.fingerprint)
    return sorted(((folder, len(prints)) for folder, prints in people.items()), key=lambda kv: (-kv[1], kv[0]))


def _file_type(path: str) -> str:
    name = posixpath.basename(path).lower()
    for double in (".tar.gz", ".tar.bz2", ".tar.xz"):
        if name.endswith(double):
            return double[1:]
    _, ext = posixpath.splitext(name)
    return ext[1:] if ext else "(none)"


def _file_rows(findings: list[Finding]) -> list[FileRow]:
    """A row a file (a path on a host: two hosts' same path are two files), public first, then by people; with
    several hosts, grouped by host first."""
    by_path: dict[tuple[str | None, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_path[finding.host, finding.path].append(finding)
    rows = []
    for (host, path), group in by_path.items():
        public = next((f for f in group if f.public), None)
        item_counts: Counter[str] = Counter(item for f in group for item in f.items)
        rows.append(FileRow(
            path=path,
            people=len({f.fingerprint for f in group}),
            findings=len(group),
            confidence=max(f.confidence for f in group).label,
            public=public is not None,
            public_reason=public.public_reason if public is not None else None,
            examples=tuple((f.location.describe(), f.masked) for f in group[:MAX_EXAMPLES]),
            items=tuple(item for item, _ in item_counts.most_common()),
            labels=tuple(sorted({label for f in group for label in (f.location.column, f.location.sheet)
                                 if label})),
            host=host,
        ))
    several = len({row.host for row in rows}) > 1
    return sorted(rows, key=lambda r: (*((r.host is None, r.host or "") if several else ()), not r.public,
                                       -r.people, r.path))

