"""Output files never write through a link: a symbolic link at the name given to `--output`, `report -o`,
`notify -o`, `merge -o` or `watch -o` is refused with an error naming it (exit 2), and its target, whatever it
is, is left exactly as it was (content and mode); a report replaces its file through a temporary file in the
same folder, so a hard link planted at the name is replaced too, never written through. `--state` naming a
dangling link is refused without creating the link's target."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
KEY = "output-files-key"
VICTIM_TEXT = "a file somebody else owns\n"


def run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": KEY}, timeout=timeout)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A share with two people, its scan as json, a roster, and a victim file readable by all (0644)."""
    share = tmp_path / "share"
    share.mkdir()
    numbers = [valid_number(400), valid_number(401)]
    (share / "hr.csv").write_text("氏名,個人番号\n" + "".join(f"x,{n}\n" for n in numbers), encoding="utf-8")
    assert run(["scan", "share", "--format", "json", "-o", "scan.json"], tmp_path).returncode == 1
    (tmp_path / "roster.csv").write_text(f"社員番号,個人番号\nE1,{numbers[0]}\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT, encoding="utf-8")
    victim.chmod(0o644)
    return tmp_path


COMMANDS = {
    "scan": ["scan", "share", "--format", "json", "-o", "out"],
    "scan --reveal": ["scan", "share", "--format", "json", "--reveal", "-o", "out"],
    "scan csv": ["scan", "share", "--format", "csv", "--output", "out"],
    "merge": ["merge", "scan.json", "-o", "out"],
    "report html": ["report", "scan.json", "-o", "out"],
    "report json": ["report", "scan.json", "--format", "json", "-o", "out"],
    "notify": ["notify", "scan.json", "--roster", "roster.csv", "--number-column", "個人番号", "-o", "out"],
    "watch": ["watch", "share", "-o", "out"],
}


def victim_unchanged(victim: Path) -> None:
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_a_symlink_at_the_output_is_refused_and_its_target_untouched(workspace: Path, command: str) -> None:
    (workspace / "out").symlink_to(workspace / "victim.txt")
    done = run(COMMANDS[command], workspace, timeout=30)
    assert done.returncode == 2, done.stderr
    assert "out" in done.stderr and "symbolic link" in done.stderr and "Traceback" not in done.stderr
    victim_unchanged(workspace / "victim.txt")
    assert (workspace / "out").is_symlink()
    assert sorted(p.name for p in workspace.iterdir()) == ["out", "roster.csv", "scan.json", "share", "victim.txt"]


@pytest.mark.parametrize("command", ["scan", "report html", "notify", "watch"])
def test_a_dangling_symlink_at_the_output_creates_nothing(workspace: Path, command: str) -> None:
    target = workspace / "elsewhere" / "created-by-us"
    (workspace / "elsewhere").mkdir()
    (workspace / "out").symlink_to(target)
    done = run(COMMANDS[command], workspace, timeout=30)
    assert done.returncode == 2 and "symbolic link" in done.stderr, done.stderr
    assert not target.exists()


@pytest.mark.parametrize("command", ["scan", "scan --reveal", "merge", "report html", "notify"])
def test_a_hard_link_at_the_output_is_replaced_not_written_through(workspace: Path, command: str) -> None:
    os.link(workspace / "victim.txt", workspace / "out")
    done = run(COMMANDS[command], workspace)
    assert done.returncode in (0, 1), done.stderr
    victim_unchanged(workspace / "victim.txt")
    out = workspace / "out"
    assert not out.samefile(workspace / "victim.txt") and out.read_text(encoding="utf-8") != VICTIM_TEXT
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_existing_output_is_replaced_whole_and_narrowed_to_0600(workspace: Path) -> None:
    out = workspace / "out"
    out.write_text("x" * 100_000, encoding="utf-8")
    out.chmod(0o644)
    assert run(["merge", "scan.json", "--format", "json", "-o", "out"], workspace).returncode == 1
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["distinct_people"] == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_no_temporary_file_is_left_behind_when_the_scan_fails(workspace: Path) -> None:
    done = run(["scan", "no-such-root", "-o", "out"], workspace)
    assert done.returncode == 4
    assert sorted(p.name for p in workspace.iterdir()) == ["roster.csv", "scan.json", "share", "victim.txt"]


def test_a_revealed_output_inside_the_scanned_folder_is_never_scanned(workspace: Path) -> None:
    """The new file is written beside the old one; neither it nor the report it replaces is read by the scan."""
    args = ["scan", "share", "--format", "json", "--reveal", "-o", "share/revealed.json"]
    for _ in range(2):
        assert run(args, workspace).returncode == 1
        doc = json.loads((workspace / "share" / "revealed.json").read_text(encoding="utf-8"))
        assert {f["path"] for f in doc["findings"]} == {"share/hr.csv"}


def test_a_special_file_is_written_in_place(workspace: Path) -> None:
    done = run(["scan", "share", "-o", os.devnull], workspace)
    assert done.returncode == 1, done.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_link_to_a_pipe_is_written_through_as_scripts_expect(workspace: Path) -> None:
    """`-o /dev/stdout` is a link to a pipe or a terminal, no file anybody could lose: it is written."""
    done = run(["scan", "share", "--format", "json", "-o", "/dev/stdout"], workspace)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["distinct_people"] == 2
    pipe = workspace / "pipe-link"
    pipe.symlink_to("/dev/null")
    assert run(["scan", "share", "-o", str(pipe)], workspace).returncode == 1
    assert pipe.is_symlink()


@pytest.mark.parametrize("command", ["scan", "watch"])
def test_state_at_a_dangling_symlink_is_refused_without_creating_its_target(workspace: Path, command: str) -> None:
    target = workspace / "elsewhere" / "state.db"
    (workspace / "elsewhere").mkdir()
    (workspace / "state.db").symlink_to(target)
    done = run([command, "share", "--state", "state.db"], workspace, timeout=30)
    assert done.returncode == 2, done.stderr
    assert "state.db" in done.stderr and "symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert list((workspace / "elsewhere").iterdir()) == []


def test_the_event_log_is_never_appended_through_a_hard_link(workspace: Path) -> None:
    """`watch -o` appends, so it cannot replace the file: a name with other hard links is refused."""
    os.link(workspace / "victim.txt", workspace / "out")
    done = run(COMMANDS["watch"], workspace, timeout=30)
    assert done.returncode == 2 and "out: has other hard links" in done.stderr, done.stderr
    victim_unchanged(workspace / "victim.txt")


@pytest.mark.parametrize("command", ["scan", "merge", "report html", "notify"])
def test_an_output_that_cannot_be_rendered_leaves_no_file(workspace: Path, command: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file is removed whatever fails after it was created, and the name is left as it was."""
    from click.testing import CliRunner

    import detector.notify
    import detector.report
    import detector.report.incident
    from detector.cli import main

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("cannot render")

    def broken_midway(*args: object, **kwargs: object) -> Iterator[str]:
        yield " " * (3 << 20)  # written into the temporary file before the failure
        raise RuntimeError("cannot render")

    monkeypatch.setattr(detector.report, "render", broken)
    monkeypatch.setattr(detector.report, "pieces", broken_midway)
    monkeypatch.setattr(detector.report.incident, "render_incident", broken)
    monkeypatch.setattr(detector.notify.Notification, "to_csv", broken)
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("MYNUMBER_KEY", KEY)
    args = [*COMMANDS[command], *(["--jobs", "1"] if command == "scan" else [])]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 4, done.output
    assert sorted(p.name for p in workspace.iterdir()) == ["roster.csv", "scan.json", "share", "victim.txt"]
