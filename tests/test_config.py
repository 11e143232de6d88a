"""Configuration files hold defaults for the options: /etc/mynumber/config.toml, then ./mynumber.toml or the file
of --config; the command line wins. A key no command knows is an error naming the file and the key (exit 2);
``mynumber config show`` prints what each command takes and from where; the systemd units and the cron line run
on the example configuration."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from detector import config as config_module
from detector.cli import main
from detector.config import load_config
from detector.errors import UsageError

from .test_cli import people_csv, run

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "docs" / "systemd"


@pytest.fixture(autouse=True)
def no_system_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The system's file, in a temporary folder (none is there until a test writes it), and the current folder
    a temporary one, so that no file of the machine running the tests takes part."""
    system = tmp_path / "etc" / "config.toml"
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", str(system))
    monkeypatch.chdir(tmp_path)
    return system


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o644)
    return path


def scan_defaults(*files: tuple[Path, str], explicit: str | None = None) -> dict[str, object]:
    for path, text in files:
        write(path, text)
    return load_config(main.commands, explicit).default_map("scan")


def test_the_system_file_then_the_local_file_then_the_command_line(no_system_file: Path, tmp_path: Path) -> None:
    defaults = scan_defaults((no_system_file, '[scan]\njobs = 2\nformat = "csv"\nmin-confidence = "low"\n'),
                             (tmp_path / "mynumber.toml", '[scan]\nformat = "json"\n'))
    assert defaults == {"jobs": 2, "fmt": "json", "min_confidence": "low"}


def test_config_file_replaces_the_local_file_and_layers_over_the_system_file(no_system_file: Path,
                                                                              tmp_path: Path) -> None:
    defaults = scan_defaults((no_system_file, "[scan]\njobs = 2\n"),
                             (tmp_path / "mynumber.toml", '[scan]\nformat = "json"\n'),
                             (tmp_path / "nightly.toml", '[scan]\nformat = "sarif"\n'), explicit="nightly.toml")
    assert defaults == {"jobs": 2, "fmt": "sarif"}


def test_top_level_keys_apply_to_every_command_with_the_option_and_tables_win(tmp_path: Path) -> None:
    write(tmp_path / "mynumber.toml", 'key-file = "/etc/mynumber/key"\nmin-confidence = "high"\n'
                                      '[watch]\nmin-confidence = "low"\n')
    config = load_config(main.commands)
    assert config.default_map("scan") == {"key_file": "/etc/mynumber/key", "min_confidence": "high"}
    assert config.default_map("watch") == {"key_file": "/etc/mynumber/key", "min_confidence": "low"}
    assert config.default_map("notify") == {"key_file": "/etc/mynumber/key"}
    assert config.default_map("merge") == {}


@pytest.mark.parametrize(("text", "message"), [
    ('[scan]\nexclud = ["*.bak"]\n', "mynumber.toml: [scan] unknown key 'exclud'"),
    ("colour = true\n", "mynumber.toml: unknown key 'colour'"),
    ("[scna]\njobs = 1\n", "mynumber.toml: unknown table [scna]"),
    ('[scan]\njobs = "many"\n', "mynumber.toml: [scan] jobs:"),
    ('[scan]\nformat = "xml"\n', "mynumber.toml: [scan] format:"),
    ('[scan]\nexclude = "*.bak"\n', "mynumber.toml: [scan] exclude: give a list"),
    ('[scan]\nquiet = "yes"\n', "mynumber.toml: [scan] quiet: give true or false"),
    ("[scan]\npaths = [1\n", "mynumber.toml: not valid TOML"),
    ('[check]\nnumber = "123456789018"\n', "mynumber.toml: [check] unknown key 'number'"),
])
def test_a_key_no_command_knows_or_a_wrong_value_is_an_error_naming_the_file_and_the_key(
        tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "mynumber.toml", text)
    with pytest.raises(UsageError, match=re.escape(message)):
        load_config(main.commands)
    done = CliRunner().invoke(main, ["config", "show"])
    assert done.exit_code == 2 and message in done.output
    assert "123456789018" not in done.output


def test_a_missing_config_file_is_an_error() -> None:
    done = CliRunner().invoke(main, ["--config", "missing.toml", "config", "show"])
    assert done.exit_code == 2 and "--config missing.toml: no such file" in done.output


def test_a_file_other_users_can_write_is_refused(tmp_path: Path) -> None:
    """Nobody can hide a share from the scan by dropping a mynumber.toml where the admin runs it."""
    write(tmp_path / "mynumber.toml", 'exclude = ["**"]\n').chmod(0o666)
    done = CliRunner().invoke(main, ["config", "show"])
    assert done.exit_code == 2 and "mynumber.toml: refused" in done.output


def test_config_show_prints_each_value_with_where_it_came_from(no_system_file: Path, tmp_path: Path) -> None:
    write(no_system_file, 'key-file = "/etc/mynumber/key"\n[scan]\njobs = 2\n')
    write(tmp_path / "mynumber.toml", '[scan]\nexclude = ["*.bak", "/srv/tmp"]\njobs = 4\n')
    done = CliRunner().invoke(main, ["config", "show", "scan"])
    assert done.exit_code == 0, done.output
    local, system = str(tmp_path / "mynumber.toml"), str(no_system_file)
    lines = done.output.splitlines()
    assert lines[0] == f"# read: {system}, {local}"
    assert f'key-file = "/etc/mynumber/key"    # {system}' in lines
    assert f"jobs = 4    # {local}" in lines
    assert f'exclude = ["*.bak", "/srv/tmp"]    # {local}' in lines
    assert 'min-confidence = "medium"    # default' in lines
    assert "# state =    (not set)" in lines
    assert "[watch]" not in lines  # only the command asked for
    assert "[watch]" in CliRunner().invoke(main, ["config", "show"]).output


def test_config_show_with_a_file_given_after_the_command_or_before_it(tmp_path: Path) -> None:
    write(tmp_path / "nightly.toml", "[scan]\njobs = 3\n")
    nightly = str(tmp_path / "nightly.toml")
    for args in (["--config", "nightly.toml", "config", "show", "scan"],
                 ["config", "show", "--config", "nightly.toml", "scan"]):
        done = CliRunner().invoke(main, args)
        assert f"jobs = 3    # {nightly}" in done.output.splitlines(), done.output


def test_config_show_refuses_a_command_that_does_not_exist() -> None:
    done = CliRunner().invoke(main, ["config", "show", "scna"])
    assert done.exit_code == 2 and "no command 'scna'" in done.output


def test_a_scan_takes_its_defaults_from_the_file_and_the_command_line_wins(tmp_path: Path) -> None:
    """End to end, in the folder of a mynumber.toml: the file's paths, format and excludes; a flag replaces one."""
    people_csv(tmp_path / "share" / "a.csv", 1)
    people_csv(tmp_path / "share" / "old.bak", 1, seed=20)
    write(tmp_path / "mynumber.toml", '[scan]\npaths = ["share"]\nformat = "json"\nexclude = ["*.bak"]\njobs = 1\n')
    done = run(["scan"], tmp_path)
    doc = json.loads(done.stdout)
    assert [f["path"] for f in doc["findings"]] == ["share/a.csv"]
    assert doc["excluded"] == [{"path": str(tmp_path / "share" / "old.bak"), "rule": "--exclude *.bak"}]
    assert run(["scan", "--format", "text"], tmp_path).stdout.startswith("Findings")
    doc = json.loads(run(["scan", "--exclude", "*.csv"], tmp_path).stdout)  # the flag's list replaces the file's
    assert [f["path"] for f in doc["findings"]] == ["share/old.bak"]
    doc = json.loads(run(["--config", "mynumber.toml", "scan", "share/a.csv"], tmp_path).stdout)
    assert doc["scan"]["roots"] == ["share/a.csv"]


# -- the units and the cron line in docs/systemd ----------------------------------------------------------------


def command_lines() -> list[list[str]]:
    """The mynumber command lines of the example units (ExecStart) and of the cron line."""
    lines = []
    for unit in sorted(SYSTEMD.glob("*.service")):
        lines += [shlex.split(line.split("=", 1)[1]) for line in unit.read_text().splitlines()
                  if line.startswith("ExecStart=")]
    cron = next(line for line in (SYSTEMD / "mynumber.cron").read_text().splitlines() if "mynumber scan" in line)
    lines.append(shlex.split(cron.split("; ")[1].rstrip(";")))
    return lines


def test_the_units_use_the_configuration_file_and_name_no_variable_the_code_never_reads() -> None:
    for path in SYSTEMD.iterdir():
        assert "MYNUMBER_KEY_FILE" not in path.read_text(), path.name
    assert len(command_lines()) == 3


@pytest.mark.parametrize("argv", command_lines(), ids=lambda argv: " ".join(argv))
def test_the_command_lines_of_the_units_parse_with_the_example_configuration(
        monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    """What systemd and cron run, with docs/systemd/config.toml as /etc/mynumber/config.toml: click reads the
    command line, and the file gives the paths, the key, the public folder and the state."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", str(SYSTEMD / "config.toml"))
    assert os.path.basename(argv[0]) == "mynumber"
    name, *args = argv[1:]
    command = main.commands[name]
    with command.make_context(name, list(args), default_map=load_config(main.commands).default_map(name)) as ctx:
        assert ctx.params["paths"] == ("/srv/share", "/var/www")
        assert ctx.params["key_file"] == "/etc/mynumber/key"
        assert ctx.params["public_paths"] == ("/var/www",)
        assert ctx.params["state_path"] == f"/var/lib/mynumber/{name}.db"


def test_the_example_configuration_holds_only_known_keys() -> None:
    config = config_module.Config(main.commands, [str(SYSTEMD / "config.toml")])
    # notify and quarantine take the top-level key-file (both need the scan's key)
    assert set(config.default_map()) == {"scan", "watch", "notify", "quarantine"}


def test_each_kind_of_option_takes_its_kind_of_value(tmp_path: Path) -> None:
    """Flags, counts, lists, choices, numbers and an option whose value is optional on the command line (poll)."""
    write(tmp_path / "mynumber.toml", '[scan]\nprogress = false\nverbose = 2\nexclude = []\nengine = "re"\n'
                                      'max-file-size = "2G"\n[watch]\npoll = 10\nsettle = 0.5\n')
    config = load_config(main.commands)
    assert config.default_map("scan") == {"progress": False, "verbose": 2, "exclude": (), "engine": "re",
                                          "max_file_size": "2G"}
    assert config.default_map("watch") == {"poll": 10.0, "settle": 0.5}
