"""Rules are data: the packaged examples hold, layering works, and a malformed file is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from detector.errors import RulesError
from detector.globs import glob_name_literals, glob_to_regex
from detector.match import TextScanner, hyperscan_available
from detector.rules import Rules, load_rules, packaged_rules_dir

ENGINES = ["re", pytest.param("hyperscan", marks=pytest.mark.skipif(not hyperscan_available(),
                                                                     reason="hyperscan not installed"))]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_packaged_example_holds(rules: Rules, engine: str) -> None:
    scanner = TextScanner(rules, engine)
    assert rules.examples, "detection.toml should carry examples"
    for example in rules.examples:
        for text in example.match:
            assert len(scanner.scan_bytes(text.encode(), "utf-8")) == 1, f"{example.rule_id}: {text!r}"
        for text in example.no_match:
            assert scanner.scan_bytes(text.encode(), "utf-8") == [], f"{example.rule_id}: {text!r}"


def test_packaged_rules_load_with_every_kind(rules: Rules) -> None:
    assert "123456789018" in rules.samples
    assert rules.keywords and rules.negatives and rules.public and rules.excludes
    assert {t.trigger_id for t in rules.triggers} == {"malicious", "over_100_people", "publicly_accessible"}
    assert {t.trigger_id: t.rule_item for t in rules.triggers} == {"malicious": 2, "publicly_accessible": 3,
                                                                    "over_100_people": 4}
    assert [t.trigger_id for t in rules.triggers if t.metric is None] == ["malicious"]  # declared, not measured


def _user_rules(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        ("context.toml", "schema = 1\n[[keyword]\nid = 'x'\n", 2, "not valid TOML"),
        ("context.toml", "[[keyword]]\nid = 'x'\nterms = ['a']\n", 1, "schema"),
        ("context.toml", "schema = 1\n\n[[keyword]]\nterms = ['a']\n", 3, "needs an `id`"),
        ("detection.toml", 'schema = 1\n[[sample]]\nid = "bad"\nnumber = "123456789012"\nreason = "r"\n', 3,
         "not a valid My Number"),
        ("assessment.toml", 'schema = 1\n[[trigger]]\nid = "t"\nmetric = "files"\nmore_than = 1\n'
                            'article = "a"\ndescription = "d"\n', 3, "metric must be one of"),
        ("assessment.toml", 'schema = 1\n[[trigger]]\nid = "t"\ndeclared = true\nmetric = "distinct_people"\n'
                            'article = "a"\ndescription = "d"\n', 3, "a declared trigger takes no `metric`"),
        ("locations.toml", 'schema = 1\n[[public]]\nid = "p"\nglob = "/srv/**"\n', 3, "needs `description`"),
        ("assessment.toml", 'schema = 1\n[[trigger]]\nid = "t"\nmetric = "distinct_people"\nmore_than = 1\n'
                            'confirmed_metric = "files"\narticle = "a"\ndescription = "d"\n', 3,
         "`confirmed_metric` needs `metric`"),
    ],
    ids=["toml syntax", "no schema", "entry without id", "sample with a bad check digit", "unknown metric",
         "declared trigger with a metric", "public rule without a reason", "unknown confirmed metric"],
)
def test_a_malformed_rules_file_is_an_error_naming_file_and_line(tmp_path: Path, name: str, text: str,
                                                                 line: int, words: str) -> None:
    folder = _user_rules(tmp_path, name, text)
    with pytest.raises(RulesError) as raised:
        load_rules([folder])
    message = str(raised.value)
    assert message.startswith(f"{folder / name}:{line}:"), message
    assert words in message


def test_an_unknown_rules_file_name_is_an_error(tmp_path: Path) -> None:
    folder = _user_rules(tmp_path, "keywords.toml", "schema = 1\n")
    with pytest.raises(RulesError, match="unknown rules file"):
        load_rules([folder])


def test_a_user_layer_replaces_adds_and_disables_by_id(tmp_path: Path) -> None:
    folder = _user_rules(tmp_path, "context.toml", 'schema = 1\n[window]\nbefore = 10\n'
                                                   '[[keyword]]\nid = "my-number-en"\nterms = ["staff no"]\n')
    _user_rules(tmp_path, "locations.toml", 'schema = 1\n[[public]]\nid = "htdocs"\nenabled = false\n'
                                            '[[public]]\nid = "dmz"\nglob = "/srv/dmz/**"\ndescription = "DMZ"\n')
    _user_rules(tmp_path, "detection.toml", 'schema = 1\n[[sample]]\nid = "ours"\nnumber = "000000000000"\n'
                                            'reason = "our test data"\n')
    rules = load_rules([folder])
    english = {t.text for t in rules.keywords if t.rule_id == "my-number-en"}
    assert english == {"staffno"}
    assert rules.window_before == 10 and rules.window_after == 24
    public_ids = {r.rule_id for r in rules.public}
    assert "htdocs" not in public_ids and "dmz" in public_ids
    assert rules.samples["000000000000"] == "ours"


def test_a_copy_of_the_packaged_rules_loads_as_a_layer(tmp_path: Path) -> None:
    shutil.copytree(packaged_rules_dir(), tmp_path / "copy")
    assert load_rules([tmp_path / "copy"]).samples == load_rules().samples


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("**/public_html/**", "/home/u/public_html/a/b.csv", True),
        ("**/public_html/**", "/home/u/public_html_old/b.csv", False),
        ("/var/www/**", "/var/www/html/x.txt", True),
        ("/var/www/**", "/srv/var/www/x.txt", False),
        (".snapshot", "/share/.snapshot/hourly.0/x", True),
        (".snapshot", "/share/snapshot/x", False),
        ("*.bak", "/share/a/b/file.bak", True),
        ("/{proc,sys}", "/sys/kernel", True),
        ("/{proc,sys}", "/system/x", False),
    ],
)
def test_glob_semantics(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_to_regex(glob).search(path)) is matches


@pytest.mark.parametrize(("glob", "names"), [
    (".snapshot", (".snapshot",)),
    ("/{proc,sys,dev,run}", ("proc", "sys", "dev", "run")),
    ("**/.zfs/snapshot", ("snapshot",)),
    ("log-{a,b}.txt", ("log-a.txt", "log-b.txt")),
    ("*.bak", None),
    ("data/file?.csv", None),
    ("**", None),
])
def test_a_glob_ending_in_plain_names_gives_those_names(glob: str, names: tuple[str, ...] | None) -> None:
    assert glob_name_literals(glob) == names
