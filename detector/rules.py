"""Rules as data: TOML files in ``rules/`` loaded into validated, frozen objects.

The packaged rules ship inside the wheel (``detector/rules``); in a source checkout they are read from the
top-level ``rules/`` folder. ``--rules DIR`` layers a user's files of the same names over ours: entries with
the same ``id`` replace ours, ``enabled = false`` removes one, new ids are added, scalar settings replace ours.
Every problem is a :class:`RulesError` naming the file, the line where it can be found, and the problem.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from . import messages
from .errors import RulesError
from .exposure import METRICS
from .globs import glob_to_regex
from .mynumber import InvalidNumber, validate
from .normalize import normalise

SCHEMA = 1
RULE_FILES = ("detection.toml", "context.toml", "locations.toml", "excludes.toml", "assessment.toml",
              "limits.toml", "items.toml", "crawlers.toml")


# The widest context window rules may set, in characters each way (the text reader carries this much across
# its cuts: see detector.extract.text).
MAX_WINDOW = 1000


class Term(NamedTuple):
    """A context keyword, already normalised (see :func:`detector.context.normalise`)."""

    rule_id: str
    text: str


class PathRule(NamedTuple):
    """A glob over absolute paths, with why it exists (public location or exclude)."""

    rule_id: str
    glob: str
    why: str
    regex: re.Pattern[str]

    def matches(self, posix_path: str) -> bool:
        """Whether the glob matches the absolute path or a folder above it (see :mod:`detector.globs`)."""
        return self.regex.match(posix_path) is not None


class Trigger(NamedTuple):
    """One reporting trigger (a criterion of :func:`detector.assess.assess`): measured, ``metric > more_than``
    makes the incident serious; declared (``metric`` None), the responder says it holds (``--malicious``)."""

    trigger_id: str
    metric: str | None  # a name in detector.exposure.METRICS; None: declared, not measured
    more_than: int | None  # None when declared
    article: str
    description: str
    rule_item: int | None = None  # the item of Article 2 of the PPC rule, for the incident's articles
    # A metric counting only what the scan knows for certain (METRICS): where the trigger holds on ``metric`` but
    # not on this one, it rests on a presumption and only may hold (detector.assess.Status.POSSIBLY_REPORTABLE).
    confirmed_metric: str | None = None


class ItemRule(NamedTuple):
    """A kind of personal item (name, address...) and the labels that announce it."""

    item_id: str
    label_ja: str
    label_en: str
    terms: tuple[str, ...]  # normalised


class CrawlerRule(NamedTuple):
    """A web crawler told by its user agent (``rules/crawlers.toml``, for ``mynumber exposure``): the substrings
    of the User-Agent header that name it, lower-cased, and whether it feeds a search index."""

    crawler_id: str
    name: str
    agents: tuple[str, ...]  # lower-cased
    search_index: bool


class Limits(NamedTuple):
    """Limits against hostile containers (zip bombs, deep nesting, millions of members)."""

    max_depth: int = 6
    max_total_bytes: int = 8 << 30
    max_members: int = 100_000
    max_ratio: int = 400
    ratio_checked_above: int = 16 << 20
    max_in_memory_bytes: int = 512 << 20


class PictureLimits(NamedTuple):
    """Limits on reading pictures by OCR: pixels of one picture (decompression bombs, posters), pages of one
    file (a 500-page TIFF, a PDF of 2,000 scanned pages), seconds for one picture."""

    max_pixels: int = 50_000_000
    max_pages: int = 500
    max_seconds: int = 60


class Example(NamedTuple):
    rule_id: str
    match: tuple[str, ...]
    no_match: tuple[str, ...]


class SampleFingerprint(NamedTuple):
    """A sample number given by its fingerprint (HMAC-SHA256 under a scan's key, as a scan's json shows it), so
    that a rules file never holds the number: the sample's id, the key id it was made under, and its rules file."""

    sample_id: str
    key_id: str
    source: str


class Rules(NamedTuple):
    separators: tuple[str, ...]
    samples: Mapping[str, str]  # 12 digits -> sample id: the packaged, published examples (and the old form)
    examples: tuple[Example, ...]
    window_before: int
    window_after: int
    keywords: tuple[Term, ...]
    negatives: tuple[Term, ...]
    public: tuple[PathRule, ...]
    excludes: tuple[PathRule, ...]
    triggers: tuple[Trigger, ...]
    sources: tuple[str, ...]
    limits: Limits = Limits()
    items: tuple[ItemRule, ...] = ()
    sample_fingerprints: Mapping[str, SampleFingerprint] = {}  # fingerprint -> the sample it is
    pictures: PictureLimits = PictureLimits()
    crawlers: tuple[CrawlerRule, ...] = ()


def packaged_rules_dir() -> str:
    """The rules shipped inside the package (the wheel puts them in detector/rules), or the source checkout's
    top-level ``rules/`` folder. (Plain os.path: importlib.resources and pathlib cost start-up time.)"""
    here = os.path.dirname(os.path.realpath(__file__))
    installed = os.path.join(here, "rules")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(here), "rules")


def load_rules(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> Rules:
    """Load the packaged rules, then each of ``extra_dirs`` over them in order."""
    layers: list[tuple[str, dict[str, Any]]] = []
    for directory in [packaged_rules_dir(), *(os.fspath(extra) for extra in extra_dirs)]:
        if not os.path.isdir(directory):
            raise RulesError(directory, messages.text("rules.not_a_folder"))
        for name in sorted(name for name in os.listdir(directory) if name.endswith(".toml")):
            path = os.path.join(directory, name)
            if name not in RULE_FILES:
                raise RulesError(path, messages.text("rules.unknown_file", files=", ".join(RULE_FILES)))
            layers.append((path, _read_toml(path)))
    return _build(layers)


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(path, messages.text("rules.unreadable", error=exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise RulesError(path, messages.text("rules.not_toml", error=exc), line) from None
    if data.get("schema") != SCHEMA:
        raise RulesError(path, messages.text("rules.schema", schema=SCHEMA, found=data.get("schema")), 1)
    data["__text__"] = text
    return data


class _Layered:
    """Entries by id and scalars, merged layer over layer, remembering where each came from."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}
        self.origin: dict[tuple[str, str], str] = {}
        self.scalars: dict[str, Any] = {}

    def add(self, path: str, data: dict[str, Any]) -> None:
        text = data["__text__"]
        for key, value in data.items():
            if key in ("schema", "__text__"):
                continue
            if isinstance(value, list):
                table = self.entries.setdefault(key, {})
                for index, entry in enumerate(value):
                    if not isinstance(entry, dict):
                        raise RulesError(path, messages.text("rules.entries_tables", key=key), _line_of(text, key))
                    entry_id = entry.get("id")
                    if not isinstance(entry_id, str) or not entry_id:
                        raise RulesError(path, messages.text("rules.entry_needs_id", key=key, index=index + 1),
                                         _line_of(text, f"[[{key}]]", index))
                    entry = dict(entry, __line__=_line_of(text, f'"{entry_id}"'))
                    if entry.get("enabled", True) is False:
                        table.pop(entry_id, None)
                    else:
                        table[entry_id] = entry
                        self.origin[(key, entry_id)] = path
            elif isinstance(value, dict):
                merged = dict(self.scalars.get(key, {}))
                merged.update(value)
                self.scalars[key] = merged
                self.origin[(key, "")] = path
            else:
                raise RulesError(path, messages.text("rules.unknown_setting", key=key), _line_of(text, key))

    def problem(self, kind: str, entry: dict[str, Any], message: messages.Text) -> RulesError:
        path = self.origin.get((kind, entry.get("id", "")), "rules")
        where = messages.text("rules.entry", kind=kind, id=entry.get("id"), problem=message)
        return RulesError(path, where, entry.get("__line__"))


def _line_of(text: str, needle: str, occurrence: int = 0) -> int | None:
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(needle, start + 1)
        if start < 0:
            return None
    return text.count("\n", 0, start) + 1


def _require(layers: _Layered, kind: str, entry: dict[str, Any], key: str, typ: type) -> Any:
    value = entry.get(key)
    if not isinstance(value, typ) or (typ is str and not value):
        raise layers.problem(kind, entry, messages.text("rules.needs_key", key=key, type=typ.__name__))
    return value


_HEX = re.compile(r"[0-9a-f]+")


def _samples(layers: _Layered) -> tuple[dict[str, str], dict[str, SampleFingerprint]]:
    """The sample numbers: by ``fingerprint`` (with the ``key_id`` of the scan it was taken from), the form for any
    number you add, so that no rules file holds one; or by ``number``, kept for the packaged published examples
    (documentation numbers, placeholders: nobody's number) and read, with a warning, in a ``--rules DIR``."""
    packaged = os.path.join(packaged_rules_dir(), "")
    samples: dict[str, str] = {}
    fingerprints: dict[str, SampleFingerprint] = {}
    for entry in layers.entries.get("sample", {}).values():
        _require(layers, "sample", entry, "reason", str)
        source = layers.origin.get(("sample", entry["id"]), "rules")
        if "fingerprint" in entry:
            fingerprint = _require(layers, "sample", entry, "fingerprint", str)
            key_id = _require(layers, "sample", entry, "key_id", str)
            if len(fingerprint) != 64 or not _HEX.fullmatch(fingerprint):
                raise layers.problem("sample", entry, messages.text("rules.fingerprint_hex"))
            if len(key_id) != 16 or not _HEX.fullmatch(key_id):
                raise layers.problem("sample", entry, messages.text("rules.key_id_hex"))
            fingerprints[fingerprint] = SampleFingerprint(entry["id"], key_id, source)
            continue
        number = _require(layers, "sample", entry, "number", str)
        try:
            digits = validate(number)
        except InvalidNumber as exc:
            raise layers.problem("sample", entry, messages.text("rules.sample_invalid", error=exc)) from None
        if not source.startswith(packaged):
            logging.getLogger(__name__).warning(
                "%s: sample %r: `number` is deprecated in your rules (the rules file is then a copy of the number): "
                "give `fingerprint` and `key_id` from a scan's json instead", source, entry["id"])
        samples[digits] = entry["id"]
    return samples, fingerprints


def _build(files: list[tuple[str, dict[str, Any]]]) -> Rules:
    layers = _Layered()
    for path, data in files:
        layers.add(path, data)
    candidate = layers.scalars.get("candidate", {})
    separators = candidate.get("separators", [])
    if not isinstance(separators, list) or not all(isinstance(s, str) and len(s) == 1 for s in separators):
        raise RulesError(str(layers.origin.get(("candidate", ""), "detection.toml")),
                         messages.text("rules.separators_chars"))
    if any(s.isdigit() for s in separators):
        raise RulesError(str(layers.origin.get(("candidate", ""), "detection.toml")),
                         messages.text("rules.separators_digits"))

    samples, sample_fingerprints = _samples(layers)

    examples = tuple(
        Example(entry["id"], tuple(entry.get("match", ())), tuple(entry.get("no_match", ())))
        for entry in layers.entries.get("example", {}).values()
    )

    window = layers.scalars.get("window", {})
    before, after = window.get("before", 40), window.get("after", 24)
    if not (isinstance(before, int) and isinstance(after, int) and 0 <= before <= MAX_WINDOW
            and 0 <= after <= MAX_WINDOW):
        raise RulesError(str(layers.origin.get(("window", ""), "context.toml")),
                         messages.text("rules.window", most=MAX_WINDOW))

    def terms(kind: str) -> tuple[Term, ...]:
        out: list[Term] = []
        for entry in layers.entries.get(kind, {}).values():
            words = entry.get("terms")
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
                raise layers.problem(kind, entry, messages.text("rules.needs_terms"))
            out.extend(Term(entry["id"], normalise(word)) for word in words)
        return tuple(out)

    def path_rules(kind: str, why_key: str) -> tuple[PathRule, ...]:
        out: list[PathRule] = []
        for entry in layers.entries.get(kind, {}).values():
            glob = _require(layers, kind, entry, "glob", str)
            why = _require(layers, kind, entry, why_key, str)
            try:
                regex = glob_to_regex(glob)
            except ValueError as exc:
                raise layers.problem(kind, entry, messages.text("rules.bad_glob", error=exc)) from None
            out.append(PathRule(entry["id"], glob, why, regex))
        return tuple(out)

    triggers = []
    for entry in layers.entries.get("trigger", {}).values():
        metric, more_than = _criterion(layers, entry)
        rule_item = entry.get("rule_item")
        if rule_item is not None and (not isinstance(rule_item, int) or isinstance(rule_item, bool)
                                      or rule_item < 1):
            raise layers.problem("trigger", entry, messages.text("rules.rule_item"))
        confirmed = entry.get("confirmed_metric")
        if confirmed is not None and (metric is None or confirmed not in METRICS):
            raise layers.problem("trigger", entry, messages.text("rules.confirmed_metric", metrics=", ".join(METRICS)))
        triggers.append(Trigger(entry["id"], metric, more_than,
                                _require(layers, "trigger", entry, "article", str),
                                _require(layers, "trigger", entry, "description", str), rule_item, confirmed))

    items = []
    for entry in layers.entries.get("item", {}).values():
        words = entry.get("terms")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise layers.problem("item", entry, messages.text("rules.needs_terms"))
        items.append(ItemRule(entry["id"], _require(layers, "item", entry, "label_ja", str),
                              _require(layers, "item", entry, "label_en", str),
                              tuple(normalise(word) for word in words)))

    return Rules(
        crawlers=_crawlers(layers),
        items=tuple(items),
        limits=_limits(layers),
        pictures=_picture_limits(layers),
        separators=tuple(separators),
        samples=samples,
        sample_fingerprints=sample_fingerprints,
        examples=examples,
        window_before=before,
        window_after=after,
        keywords=terms("keyword"),
        negatives=terms("negative"),
        public=path_rules("public", "description"),
        excludes=path_rules("exclude", "reason"),
        triggers=tuple(triggers),
        sources=tuple(path for path, _ in files),
    )


def _crawlers(layers: _Layered) -> tuple[CrawlerRule, ...]:
    """crawlers.toml's ``[[crawler]]`` entries: a name, user-agent substrings, whether it feeds a search index."""
    out = []
    for entry in layers.entries.get("crawler", {}).values():
        agents = entry.get("agents")
        if not isinstance(agents, list) or not agents or not all(isinstance(a, str) and a for a in agents):
            raise layers.problem("crawler", entry, messages.text("rules.needs_agents"))
        search_index = entry.get("search_index", True)
        if not isinstance(search_index, bool):
            raise layers.problem("crawler", entry, messages.text("rules.search_index"))
        out.append(CrawlerRule(entry["id"], _require(layers, "crawler", entry, "name", str),
                               tuple(agent.lower() for agent in agents), search_index))
    return tuple(out)


def _criterion(layers: _Layered, entry: dict[str, Any]) -> tuple[str | None, int | None]:
    """A trigger's (metric, more_than): measured, or (None, None) for one declared by the responder."""
    if entry.get("declared") is True:
        if "metric" in entry or "more_than" in entry:
            raise layers.problem("trigger", entry, messages.text("rules.declared_no_metric"))
        return None, None
    metric = _require(layers, "trigger", entry, "metric", str)
    if metric not in METRICS:
        raise layers.problem("trigger", entry, messages.text("rules.metric_choice", metrics=", ".join(METRICS)))
    more_than = entry.get("more_than")
    if not isinstance(more_than, int) or isinstance(more_than, bool) or more_than < 0:
        raise layers.problem("trigger", entry, messages.text("rules.needs_more_than"))
    return metric, more_than


def _picture_limits(layers: _Layered) -> PictureLimits:
    """limits.toml's ``[picture]`` table, each a whole number >= 1."""
    settings = dict(layers.scalars.get("picture", {}))
    where = str(layers.origin.get(("picture", ""), "limits.toml"))
    values = {}
    for name in PictureLimits._fields:
        value = settings.pop(name, getattr(PictureLimits(), name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RulesError(where, messages.text("rules.whole_number", setting=f"picture.{name}"))
        values[name] = value
    if settings:
        raise RulesError(where, messages.text("rules.unknown_named_setting", setting=f"picture.{sorted(settings)[0]}"))
    return PictureLimits(**values)


def _limits(layers: _Layered) -> Limits:
    settings = dict(layers.scalars.get("archive", {}))
    defaults = Limits()
    values = {}
    for name in Limits._fields:
        value = settings.pop(name, getattr(defaults, name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RulesError(str(layers.origin.get(("archive", ""), "limits.toml")),
                             messages.text("rules.whole_number", setting=f"archive.{name}"))
        values[name] = value
    if settings:
        raise RulesError(str(layers.origin.get(("archive", ""), "limits.toml")),
                         messages.text("rules.unknown_named_setting", setting=f"archive.{sorted(settings)[0]}"))
    return Limits(**values)
