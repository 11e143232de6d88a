"""Glob rules (``--exclude``, rules/excludes.toml, rules/locations.toml) share one syntax and one compiler:
character classes work, matching takes time linear in the path's length whatever the glob, and a glob that
cannot mean anything is an error naming the rule, never a rule that silently matches nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import walk as walk_module
from detector.errors import RulesError, UsageError
from detector.model import Unscanned
from detector.rules import load_rules
from detector.walk import WalkOptions, WalkStats, exclude_rules, walk


def matches(glob: str, path: str) -> bool:
    """Whether the glob, given as ``--exclude GLOB``, matches the absolute path (or a folder above it)."""
    return exclude_rules([glob])[0].matches(path)


class TooSlow(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail fast instead of hanging: the regex engine checks for signals, so a runaway match is interrupted."""
    def expired(*_: object) -> None:
        raise TooSlow(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(seconds: float, action: Callable[[], object]) -> object:
    """``action()``, asserting it returns within ``seconds`` (generous: a complexity test, not a benchmark)."""
    started = time.perf_counter()
    with deadline(seconds):
        result = action()
    assert time.perf_counter() - started < seconds
    return result


# -- syntax -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("*.[lL]og", "/var/app.log", True),
        ("*.[lL]og", "/var/app.Log", True),
        ("*.[lL]og", "/var/app.LOG", False),
        ("*.[lL]og", "/var/app.xlog", False),
        ("report[0-9].csv", "/s/report7.csv", True),
        ("report[0-9].csv", "/s/reportA.csv", False),
        ("/s/[!.]*", "/s/.hidden", False),
        ("/s/[!.]*", "/s/visible", True),
        ("/s/[^.]*", "/s/.hidden", False),
        ("/s/[^.]*", "/s/visible", True),
        ("[]]x", "/s/]x", True),
        ("[!]]x", "/s/]x", False),
        ("[!]]x", "/s/ax", True),
        ("a[-z]", "/s/a-", True),
        ("a[z-]", "/s/a-", True),
        ("[*?{]", "/s/*", True),
        ("a[[]b", "/s/a[b", True),
        ("[*?{]", "/s/a", False),
        ("/srv/[ab]/**", "/srv/b/x.txt", True),
        ("/srv/[ab]/**", "/srv/c/x.txt", False),
        ("/a[!x]b", "/a/b", False),
        ("*.{log,txt}", "/s/a.txt", True),
        ("{*.log,*.txt}", "/s/a.txt", True),
        ("{*.log,*.txt}", "/s/a.csv", False),
        ("/srv/{a,b/c}/**", "/srv/b/c/x", True),
        ("/srv/{a,b/c}/**", "/srv/b/x", False),
        ("/srv/{a,{b,c}d}", "/srv/cd", True),
        ("data/**/*.csv", "/srv/data/2024/01/x.csv", True),
        ("data/**/*.csv", "/srv/data/x.csv", True),
        ("data/**/*.csv", "/srv/database/x.csv", False),
    ],
)
def test_glob_syntax(glob: str, path: str, expected: bool) -> None:
    assert matches(glob, path) is expected


def test_an_exclude_with_a_character_class_skips_both_spellings(tmp_path: Path) -> None:
    for name in ("app.log", "app.Log", "app.LOG", "keep.txt"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    stats = WalkStats()
    found = [entry.path for entry in walk([str(tmp_path)], WalkOptions(excludes=exclude_rules(["*.[lL]og"])), stats)
             if not isinstance(entry, Unscanned)]
    assert sorted(os.path.basename(path) for path in found) == ["app.LOG", "keep.txt"]
    assert stats.excluded == 2


def test_packaged_rules_keep_their_meaning(tmp_path: Path) -> None:
    rules = load_rules()
    public = {rule.rule_id: rule for rule in rules.public}
    assert public["var-www"].matches("/var/www/html/index.html")
    assert not public["var-www"].matches("/var/www")  # '/**' at the end: something below the folder
    assert not public["var-www"].matches("/srv/var/www/x")
    assert public["webapps"].matches("/opt/tomcat/webapps/app/WEB-INF/x.xml")
    assert not public["webapps"].matches("/opt/tomcat/webapps/ROOT.war")
    excludes = {rule.rule_id: rule for rule in rules.excludes}
    assert excludes["zfs-snapshot"].matches("/tank/.zfs/snapshot")
    assert excludes["proc-sys-dev"].matches("/proc/1/environ")
    assert not excludes["proc-sys-dev"].matches("/srv/proc/1")
    assert excludes["netapp-snapshot"].matches("/share/a/.snapshot/hourly.0/x")


# -- linear time ------------------------------------------------------------------------------------------------

DEEP = "/" + "/".join(["x"] * 26) + "/b"  # 26 folders deep, then a name the globs below do not end in


@pytest.mark.parametrize("glob", [
    "**/" * 10 + "x/*a",
    "/" + "**/" * 10 + "x/*a",
    "**/x*/" * 10 + "*a",
    "**/*/" * 10 + "*a",
])
def test_matching_takes_linear_time_whatever_the_glob(glob: str) -> None:
    assert timed(1.0, lambda: matches(glob, DEEP)) is False
    assert timed(1.0, lambda: matches(glob, DEEP.replace("/b", "/xa"))) is True


def test_a_name_with_many_stars_is_matched_in_linear_time() -> None:
    glob = "**/" + "*x" * 12 + "a"
    assert timed(1.0, lambda: matches(glob, "/" + "x" * 200 + "/" + "x" * 250 + "b")) is False
    assert timed(1.0, lambda: matches(glob, "/" + "x" * 200 + "/" + "x" * 12 + "a")) is True


def test_a_long_path_with_many_stars_is_matched_in_linear_time() -> None:
    path = "/" + "/".join(["xa" * 20] * 200) + "/" + "a" * 250
    glob = "**/*a*a*a*a*a*a*a*a*a*a*b/**/" * 5 + "*a*a*a*a*a*a*a*a*a*a*b"
    assert timed(1.0, lambda: matches(glob, path)) is False


def test_the_walk_tests_names_in_linear_time() -> None:
    """The walk's first test, a folder's names against the rules' last components, is linear too."""
    glob = "*a" * 12 + "b"
    excludes = walk_module._Excludes(exclude_rules([glob]))
    names = ["a" * 250, "a" * 200 + "\n" + "a" * 40, "a" * 30 + "b"]
    assert timed(1.0, lambda: excludes.among("/srv", names, WalkStats())) == {"a" * 30 + "b"}
    assert timed(1.0, lambda: excludes.among("/srv", names[:1] + names[2:], WalkStats())) == {"a" * 30 + "b"}


# -- the same as the definition ---------------------------------------------------------------------------------

def reference(glob: str, path: str) -> bool:
    """The glob syntax by its definition, slow and simple: brace alternatives expanded; a glob starting with '/'
    is matched from the root, others from any folder; a glob matches a path when its components match the path's
    first components (what is below a matched folder is matched too), each name by fnmatch, and ``**`` takes any
    number of folders (at the end: one or more)."""
    start = glob.find("{")
    if start >= 0:
        end = glob.index("}", start)
        return any(reference(glob[:start] + alternative + glob[end + 1:], path)
                   for alternative in glob[start + 1:end].split(","))
    parts = glob.strip("/").split("/")
    names = path.strip("/").split("/")

    def prefix(parts: list[str], names: list[str]) -> bool:
        if not parts:
            return True
        if parts[0] == "**":
            if len(parts) == 1:
                return len(names) >= 1
            return any(prefix(parts[1:], names[skip:]) for skip in range(len(names) + 1))
        return bool(names) and fnmatchcase(names[0], parts[0].replace("[^", "[!")) and prefix(parts[1:], names[1:])

    starts = [0] if glob.startswith("/") else range(len(names))
    return any(prefix(parts, names[at:]) for at in starts)


ATOMS = ["a", "b", "x", ".", "*", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "[]x]", "{a,b}", "{x,?b,}"]
components = st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3).map("".join).filter(
    lambda name: "**" not in name.replace("{x,?b,}", "") and name.count("{") <= 1)
globs = st.builds(lambda anchored, parts: ("/" if anchored else "") + "/".join(parts), st.booleans(),
                  st.lists(st.one_of(components, st.just("**")), min_size=1, max_size=5)).filter(
    lambda glob: glob.count("{") <= 2)
paths = st.lists(st.text(alphabet="abx.]", min_size=1, max_size=4), min_size=1, max_size=6).map(
    lambda names: "/" + "/".join(names))


@settings(max_examples=1500, deadline=None)
@given(glob=globs, path=paths)
def test_matching_agrees_with_the_definition(glob: str, path: str) -> None:
    assert matches(glob, path) is reference(glob, path)


# -- invalid globs ----------------------------------------------------------------------------------------------

BAD_GLOBS = [
    ("[abc", "unclosed '['"),
    ("*.[lL]og]x[", "unclosed '['"),
    ("a[]", "unclosed '['"),
    ("a[!]", "unclosed '['"),
    ("[z-a]", "range"),
    ("[[:alpha:]]", "[:alpha:]"),
    ("/srv/[a/b]", "'/'"),
    ("{a,b", "unclosed '{'"),
    ("**.bak", "'**'"),
    ("/home/**x/y", "'**'"),
    ("a//b", "empty folder name"),
    ("", "empty"),
    ("/", "empty"),
    ("{a,b}" * 12, "alternatives"),
    pytest.param("{" * 5000 + "}" * 5000, "nested", id="deeply nested braces"),
]


@pytest.mark.parametrize(("glob", "words"), BAD_GLOBS)
def test_an_invalid_exclude_option_is_a_usage_error_naming_it(glob: str, words: str) -> None:
    with pytest.raises(UsageError) as raised:
        exclude_rules([glob])
    message = str(raised.value)
    assert message.startswith(f"--exclude {glob!r}: bad glob: "), message
    assert words in message


@pytest.mark.parametrize(("name", "kind", "key"), [("excludes.toml", "exclude", "reason"),
                                                   ("locations.toml", "public", "description")])
def test_an_invalid_glob_in_a_rules_file_is_an_error_naming_file_line_and_rule(tmp_path: Path, name: str,
                                                                               kind: str, key: str) -> None:
    (tmp_path / name).write_text(f'schema = 1\n\n[[{kind}]]\nid = "logs"\nglob = "*.[lL]og]x["\n{key} = "why"\n',
                                 encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        load_rules([tmp_path])
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / name}:4: {kind} 'logs': bad glob: "), message
    assert "unclosed '['" in message


def test_the_scan_command_refuses_an_invalid_exclude_with_status_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "detector", "scan", "--exclude", "[abc", "-o", "out.json",
                           "--format", "json", "."], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MYNUMBER_KEY": "test-key"})
    assert done.returncode == 2, done.stderr
    assert "--exclude '[abc': bad glob: unclosed '['" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_watch_command_refuses_an_invalid_exclude_with_status_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "detector", "watch", "--exclude", "logs/**.gz", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "MYNUMBER_KEY": "test-key"})
    assert done.returncode == 2, done.stderr
    assert "--exclude 'logs/**.gz': bad glob: '**' must be a whole folder name" in done.stderr
    assert "Traceback" not in done.stderr
