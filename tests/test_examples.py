"""The shipped examples (docs/systemd: a service for watch, a timer and service for the nightly scan, a cron
line) are valid, and the mynumber commands in them run as written."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "systemd"
UNITS = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".service", ".timer"))
MYNUMBER = [sys.executable, "-m", "detector"]


def _exec_start(unit: Path) -> list[str]:
    line = next(line for line in unit.read_text(encoding="utf-8").splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _localised(command: list[str], tmp_path: Path) -> list[str]:
    """The example's command with its system paths moved into a temporary tree, reading the example configuration
    (docs/systemd/config.toml, which the units take from /etc/mynumber/config.toml) with the same paths moved, and
    without syslog (there is no syslog daemon in a test)."""
    share, www, state_dir = tmp_path / "srv" / "share", tmp_path / "var" / "www", tmp_path / "var" / "lib" / "mynumber"
    for folder in (share, www, state_dir):
        folder.mkdir(parents=True, exist_ok=True)
    (share / "list.txt").write_text(f"個人番号 {valid_number(1)}\n", encoding="utf-8")
    key = tmp_path / "key"
    key.write_bytes(b"example-key\n")
    key.chmod(0o600)

    def moved(text: str) -> str:
        text = text.replace("/var/lib/mynumber", str(state_dir)).replace("/etc/mynumber/key", str(key))
        return text.replace("/srv/share", str(share)).replace("/var/www", str(www))

    config = tmp_path / "config.toml"
    config.write_text(moved((EXAMPLES / "config.toml").read_text(encoding="utf-8")).replace(
        "syslog = true", "syslog = false"), encoding="utf-8")
    return [*MYNUMBER, "--config", str(config), *(moved(arg) for arg in command[1:])]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_pass_systemd_analyze_verify(tmp_path: Path, unit: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for source in UNITS:  # a timer needs its service beside it
        text = source.read_text(encoding="utf-8").replace("/usr/local/bin/mynumber", sys.executable)
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / unit.name)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_are_well_formed(unit: Path) -> None:
    sections: dict[str, list[str]] = {}
    current = None
    for line in unit.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections[current] = []
            continue
        assert current is not None and re.fullmatch(r"[A-Za-z]+=.*", line), line
        sections[current].append(line.split("=", 1)[0])
    assert "Unit" in sections and "Description" in sections["Unit"]
    if unit.suffix == ".timer":
        assert "OnCalendar" in sections["Timer"] and "WantedBy" in sections["Install"]
    else:
        assert "ExecStart" in sections["Service"] and "UMask" in sections["Service"]


def test_the_nightly_scan_service_command_runs(tmp_path: Path) -> None:
    command = _localised(_exec_start(EXAMPLES / "mynumber-scan.service"), tmp_path)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (1, 3), done.stderr  # findings: a result, listed in SuccessExitStatus
    report = tmp_path / "var" / "lib" / "mynumber" / "last-scan.json"
    assert report.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var" / "lib" / "mynumber" / "scan.db").exists()


def test_the_watch_service_command_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    command = _localised(_exec_start(EXAMPLES / "mynumber-watch.service"), tmp_path)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert b'"event": "finding"' in out


def test_the_cron_line_is_valid_and_its_command_runs(tmp_path: Path) -> None:
    lines = [line for line in (EXAMPLES / "mynumber.cron").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    minute, hour, day, month, weekday, user, command = fields
    assert 0 <= int(minute) <= 59 and 0 <= int(hour) <= 23 and (day, month, weekday, user) == ("*", "*", "*", "root")
    assert "%" not in command  # cron would turn it into a newline
    scan = shlex.split(command.split(";")[1])
    assert scan[0] == "mynumber" and scan[1] == "scan"
    done = subprocess.run(_localised(scan, tmp_path), cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ})
    assert done.returncode in (1, 3), done.stderr
