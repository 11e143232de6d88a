"""The pipeline's data flows one way: no stage imports a later one.

Stages in order (``walk -> identify -> extract -> candidates -> context -> people -> assess -> report``), with the
shared foundations (model, errors, the number kind, rules, text normalisation, redaction) importable by all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "detector"

FOUNDATION = {"model", "errors", "formulas", "globs", "mynumber", "names", "native", "normalize", "rules",
              "redact", "__init__"}
STAGES = ["prefetch", "walk", "decode", "identify", "extract", "candidates", "context", "matcher", "people",
          "locations", "scanner", "assess", "schema", "result", "state", "incremental", "deadlines", "incident",
          "notify", "pipeline", "watch", "report", "outputs", "cli", "__main__"]


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
    assert not later, f"{path.relative_to(PACKAGE)} imports later stages {sorted(later)}"


def test_every_module_has_a_place_in_the_order() -> None:
    assert {stage for stage, _ in _modules()} <= FOUNDATION | set(STAGES)


def test_the_extractor_registry_names_each_extractor_for_its_own_kinds() -> None:
    """The registry imports extractors lazily from a table: the table and each extractor's ``kinds`` agree."""
    from detector.extract import EXTRACTORS, registry

    extractors = registry()
    for kind in EXTRACTORS:
        assert kind in extractors[kind].kinds
    claimed = {kind for kind in EXTRACTORS for kind in extractors[kind].kinds}
    assert claimed == set(EXTRACTORS)
