"""The pipeline's data flows one way: no stage imports a later one.

Stages in order (``walk -> identify -> extract -> candidates -> context -> people -> assess -> report``), with the
shared foundations (model, errors, the number kind, rules, text normalisation, redaction, and the exposure
aggregate whose metrics the rules name) importable by all.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import typing
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "detector"

FOUNDATION = {"model", "errors", "messages", "formulas", "globs", "mynumber", "names", "native", "normalize", "rules",
              "cuts", "redact", "exposure", "times", "__init__"}
STAGES = ["fs", "selection", "walk", "decode", "identify", "ocr", "extract", "candidates", "context", "match",
          "locations", "people", "parts", "scanner", "scanlog", "assess", "schema", "result", "access",
          "incremental", "deadlines", "incident", "notify", "forked", "pipeline", "dask_scan", "baseline",
          "scan_setup", "outputs", "contain", "watch", "report", "api", "config", "cli_help", "cli", "__main__"]


def _stage_of(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path) -> set[str]:
    """Modules of this package that ``path`` imports (relative imports resolved to top-level names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_subpackage = path.parent != PACKAGE
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            depth = node.level - (1 if inside_subpackage else 0)
            if depth == 1 and node.module:
                found.add(_stage_of(node.module))
            elif depth == 1:  # "from . import x": x is a module, or a name from the package's __init__
                found.update(a.name if (PACKAGE / f"{a.name}.py").exists() or (PACKAGE / a.name).is_dir()
                             else "__init__" for a in node.names)
            elif depth == 0 and inside_subpackage:
                found.add(path.parent.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("detector."):
            found.add(_stage_of(node.module.removeprefix("detector.")))
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        out.append((rel.parts[0].removesuffix(".py"), path))
    return out


@pytest.mark.parametrize(("stage", "path"), _modules(), ids=lambda v: str(v) if isinstance(v, str) else v.name)
def test_no_stage_imports_a_later_stage(stage: str, path: Path) -> None:
    allowed = FOUNDATION if stage in FOUNDATION else FOUNDATION | set(STAGES[:STAGES.index(stage) + 1])
    later = {name for name in _imports(path) if name not in allowed}
    if path == PACKAGE / "__init__.py":
        later -= {"api"}  # ``detector.scan``, imported on first use only (the test below)
    assert not later, f"{path.relative_to(PACKAGE)} imports later stages {sorted(later)}"


def test_the_package_names_the_library_entry_but_imports_it_on_first_use() -> None:
    """``from detector import scan`` is the library's entry (:mod:`detector.api`), yet ``import detector`` (which
    every command's start does) loads no stage: the package imports ``api`` inside its ``__getattr__`` or for
    type checkers, never when it is imported."""
    code = ("import sys, detector; assert not [m for m in sys.modules if m.startswith('detector.')], "
            "sorted(m for m in sys.modules if m.startswith('detector.')); "
            "from detector import scan; from detector.api import scan as entry; assert scan is entry")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_every_module_has_a_place_in_the_order() -> None:
    assert {stage for stage, _ in _modules()} <= FOUNDATION | set(STAGES)


def test_only_the_match_stage_runs_the_finder_and_the_scorer() -> None:
    """What a candidate is (``candidates.DigitFinder``) and how sure it is (``context.ContextScorer``) are decided
    in ``detector/match/`` alone: no other module imports them or reaches for a matcher's finder or scorer."""
    offenders = []
    for stage, path in _modules():
        if stage in ("match", "candidates", "context"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = isinstance(node, ast.ImportFrom) and any(
                alias.name in ("DigitFinder", "ContextScorer") for alias in node.names)
            reached = isinstance(node, ast.Attribute) and node.attr in ("finder", "scorer")
            if imported or reached:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders


def test_only_the_scanner_drives_the_matcher() -> None:
    """``FileScanner`` alone drives the matcher (``detector/match/``): ``watch`` reads a log's new lines through
    the scanner's entry for a piece of text (``FileScanner.scan_text``), which takes them through the matcher and
    the people stage as a scan takes its text, never through the matcher's own methods. No other module imports
    the matcher or calls its ``text_scanner``; warming its engine before workers fork (``warm``) scans nothing."""
    offenders = []
    for stage, path in _modules():
        if stage in ("match", "scanner"):
            continue
        where = path.relative_to(PACKAGE)
        if any(name == "detector.match" or name.startswith("detector.match.") for name in _imported_modules(path)):
            offenders.append(f"{where}: imports the matcher")
        offenders += [f"{where}:{node.lineno}" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                      and node.value.attr == "text_scanner" and node.attr != "warm"]
    assert not offenders


def _watch_imports(part: str) -> set[str]:
    return {name.removeprefix("detector.watch.").split(".")[0]
            for name in _imported_modules(PACKAGE / "watch" / f"{part}.py") if name.startswith("detector.watch.")}


def test_the_parts_of_watch_import_one_way() -> None:
    """Within ``detector/watch/`` the observer, the follower and the alerts know nothing of the watcher nor of
    each other: the watcher puts them together (and the package's ``__init__`` names what others import). The
    system log is the alerts' sink and knows nothing of the watch; the metrics server reads the watcher and the
    observer from outside, and nothing in the watch imports it (the command line starts it). The people bound
    (``bound``) is the watcher's count, as the exposure is, and knows nothing else of the watch."""
    parts = {"observe", "follow", "alerts", "bound"}
    offenders = {}
    for part in sorted(parts):
        imported = _watch_imports(part)
        if imported & (parts | {"watcher", "metrics"}):
            offenders[part] = sorted(imported & (parts | {"watcher", "metrics"}))
    assert not offenders
    assert _watch_imports("system_log") == set()
    assert all("metrics" not in _watch_imports(part) for part in (*parts, "watcher", "system_log", "__init__"))
    assert {path.stem for path in (PACKAGE / "watch").glob("*.py")} == \
        parts | {"watcher", "system_log", "metrics", "__init__"}


def test_the_extractor_registry_names_each_extractor_for_its_own_kinds() -> None:
    """The registry imports extractors lazily from a table: the table and each extractor's ``kinds`` agree."""
    from detector.extract import EXTRACTORS, registry

    extractors = registry()
    for kind in EXTRACTORS:
        assert kind in extractors[kind].kinds
    claimed = {kind for kind in EXTRACTORS for kind in extractors[kind].kinds}
    assert claimed == set(EXTRACTORS)


def _path(module: str) -> Path:
    return PACKAGE.joinpath(*module.split(".")).with_suffix(".py")


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, as written (``sqlite3``, ``detector.incremental.store``, relative ones
    resolved within the package)."""
    package = ["detector", *path.parent.relative_to(PACKAGE).parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_the_walk_and_the_file_system_layer_know_nothing_of_state_files_or_prefetching() -> None:
    """The walk is given a lister and a question about known files; it imports neither the prefetch nor the
    state, and the listers it is given (``detector/fs/``) import nothing of incremental scans either."""
    paths = [_path("walk"), *sorted((PACKAGE / "fs").glob("*.py"))]
    offenders = {path.name: sorted(name for name in _imported_modules(path) if name.startswith("detector.incremental"))
                 for path in paths}
    assert not any(offenders.values()), offenders


def test_only_the_incremental_store_speaks_sql() -> None:
    """All the SQL of state files is in ``detector/incremental/store.py``: no other module imports sqlite3."""
    speaking = [str(path.relative_to(PACKAGE)) for _, path in _modules()
                if any(name == "sqlite3" or name.startswith("sqlite3.") for name in _imported_modules(path))]
    assert speaking == ["incremental/store.py"]


def test_packed_listings_and_identities_are_packed_and_unpacked_in_one_module() -> None:
    """The byte layouts of listings and identities are ``detector/fs/codec.py``'s alone: no other module of the
    walk, the listers or incremental scans packs or unpacks bytes itself (struct, array.frombytes/tobytes)."""
    paths = [_path("walk"), _path("pipeline"), *sorted((PACKAGE / "fs").glob("*.py")),
             *sorted((PACKAGE / "incremental").glob("*.py"))]
    offenders = []
    for path in paths:
        if path == PACKAGE / "fs" / "codec.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if "struct" in _imported_modules(path):
            offenders.append(f"{path.relative_to(PACKAGE)}: struct")
        offenders += [f"{path.relative_to(PACKAGE)}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr in ("frombytes", "tobytes", "unpack", "pack")]
    assert not offenders


def test_the_scan_command_line_is_read_once() -> None:
    """Only click reads the scan's command line: no module keeps a second parser of it (the entry point starts
    nothing before click has read the options; it only sets the process's garbage collector and, through the C
    speed-ups, its heap)."""
    entry = _imported_modules(_path("__main__"))
    assert {name for name in entry if name.startswith("detector.")} <= {"detector.cli", "detector.cli.main",
                                                                        "detector.native", "detector.native.speedups"}


# Every text field of the types from Finding on, by type. Each is a name from the share (numbers in it are masked
# by every writer: detector.names.shown), a fingerprint, a masked number, or a label or count of the tool's own.
# Raw digits have no field here: they live in Candidate (before the people stage) and in the --reveal stream
# (detector.people.Revealed), which no result holds.
TEXT_FIELDS_AFTER_PEOPLE = {
    "model.Location": {"sheet", "cell", "member", "column", "hidden", "part", "name"},
    # host: the machine's name (socket.gethostname) or --host-label, written as names are (names.shown)
    "model.Finding": {"path", "masked", "fingerprint", "reasons", "public_reason", "items", "host"},
    "model.Sample": {"path", "masked", "sample_id", "host"},
    "model.Unscanned": {"path", "reason", "member", "kind", "host"},
    "model.Excluded": {"path", "rule"},  # a name from the share, and the id or glob of an exclude rule
    "model.Baselined": {"reason"},  # a person's words (numbers in them masked by every writer: names.shown)
    "baseline.BaselineEntry": {"fingerprint", "path", "masked", "reason"},  # path written masked, as scans write it
    "model.FileResult": {"path", "kind", "held_back", "held_back_people", "host"},
    "result.ScanResult": {"key_id", "roots", "hosts", "rules", "scanned_by_type", "held_back", "held_back_people",
                          "_seen",
                          # entries over the cap, counted by the reason's category, the file type, the exclude rule
                          "unscanned_left_out_by_reason", "unscanned_left_out_by_type", "excluded_left_out",
                          # the reading hosts (as Finding.host), the scan's random id, counts by host
                          "host", "scan_id", "files_by_host", "unscanned_by_host",
                          # each file with findings as read, by (host, path): names, then its FileFacts
                          "file_facts"},
    "model.FileFacts": {"sha256"},  # the hex digest of a file's bytes, as sha256sum writes it
    "assess.Assessment": {"metrics"},
    "incident.Reason": {"reason_id", "description"},  # the id and words of a rule in rules/assessment.toml
    # labels: Location's column and sheet names (names from the share, masked when written: names.readable)
    "incident.FileRow": {"path", "confidence", "public_reason", "examples", "items", "labels", "host"},
    "incident.Incident": {"figures", "people_by_folder", "findings_by_type", "items", "item_labels", "roots",
                          "hosts", "key_id"},
    "pipeline.Batch": {"clean", "clean_kinds", "host"},
    # mynumber exposure: the scan's path (masked), the URL made from it, the crawler's name from the rules, the
    # log's name and format, the key id; client addresses only with --show-clients (written as names are)
    "access.FileEvidence": {"path", "url", "clients"},
    "access.ExposureEvidence": {"unmapped", "key_id"},
    "access.LogStats": {"log", "format"},
    "access.CrawlerFetches": {"name"},
    # mynumber quarantine: paths from the share (written as names are: names.shown), its scan root and host names,
    # hashes, states and methods (words of the code), run ids and markers (a time and random hex), the scan's
    # findings as its json holds them (masked), what a copy could not keep and why a file is refused (words of the
    # code around names), the lines shown (made of those)
    "contain.Entry": {"path", "root", "state", "method", "sha256", "run", "findings", "not_kept"},
    "contain.FolderTimes": {"path"},
    "contain.PlaceholderRecord": {"kind", "path", "marker"},
    "contain.Exposed": {"path", "root"},
    "contain.Checked": {"path"},
    "contain.Refusal": {"path", "reason"},
    "contain.ScanFacts": {"name", "scan_id", "key_id", "roots", "hosts"},
    "contain.Outcome": {"lines"},
}


def _holds_text(hint: object) -> bool:
    return hint is str or any(_holds_text(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("name", sorted(TEXT_FIELDS_AFTER_PEOPLE))
def test_nothing_after_the_people_stage_has_a_field_that_can_hold_a_number(name: str) -> None:
    """From ``Finding`` on, no type can hold a raw My Number: its only text fields are the ones listed above,
    each a name (masked when written), a fingerprint, a masked number or a label. A new text field fails here
    until it is listed, with why it cannot hold 12 digits; ``--reveal``'s numbers are a stream of their own
    (``detector.people``), never a field (``FileResult`` and ``ScanResult`` have no ``revealed``)."""
    module, type_name = name.split(".")
    cls = getattr(importlib.import_module(f"detector.{module}"), type_name)
    hints = typing.get_type_hints(cls)
    assert {field for field, hint in hints.items() if _holds_text(hint)} == TEXT_FIELDS_AFTER_PEOPLE[name]
    assert not {field for field in hints if "reveal" in field or "digits" in field or "number" in field}


def test_raw_digits_are_held_only_before_the_people_stage_and_in_the_reveal_stream() -> None:
    """The types with a ``digits`` field are the finder's match and the candidates (the matcher's output, the
    people stage's input: each scored one, and a unit's candidates only counted), before the people stage, and
    the ``--reveal`` record after it; no other type of the package declares one."""
    holders = set()
    for _, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                    and item.target.id in ("digits", "number", "revealed") for item in node.body):
                holders.add(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert holders == {"candidates.py:Match", "model.py:Candidate", "model.py:Counted", "people.py:Revealed"}
