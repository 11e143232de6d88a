"""Configuration files: defaults for the command's options, read into click's ``default_map``.

Where defaults come from, each layer replacing the one before, key by key:

1. the option's own default (``mynumber scan --help`` shows it);
2. ``/etc/mynumber/config.toml``, the system's file (the systemd units read it);
3. ``./mynumber.toml`` in the current folder, or instead of it the file given with ``--config FILE``;
4. the command line, which always wins (a list option given there, such as ``--exclude``, replaces the file's list).

A file holds top-level keys, defaults for every command that has the option (``key-file``), and a table per
command (``[scan]``, ``[watch]``...) whose keys apply to that command and win over the top-level ones. A key is an
option's long name without its dashes (``min-confidence``, ``public``, ``exclude``, ``state``, ``jobs``, ``format``,
``output``), or ``paths`` for the folders to scan or watch. Values are checked as the command line's are; a key no
command knows, a table no command has, or a value of the wrong kind is an error naming the file and the key
(exit 2), so a typo never passes silently.

A configuration decides what a scan looks at (excludes, public places): a file that another user could have written
(writable by group or others, or owned by a user other than the one running the command or root) is refused, so that
nobody can hide a share from the scan by dropping a ``mynumber.toml`` in a folder the administrator runs it from.

This is click's documented mechanism (``Context.default_map``), not a second parser: click still reads the command
line, and takes a value from the map only where the command line gives none.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import click

from . import messages
from .errors import UsageError
from .names import shown

__all__ = ["LOCAL_CONFIG", "SYSTEM_CONFIG", "Config", "Setting", "load_config", "setting_key"]

SYSTEM_CONFIG = "/etc/mynumber/config.toml"
LOCAL_CONFIG = "mynumber.toml"
# Options that are no default of anything: they act at once (help, version) or choose the configuration itself.
NOT_CONFIGURABLE = frozenset({"help", "version", "config"})


class Setting(NamedTuple):
    """A value for an option (by click's parameter name) and the file it came from."""

    value: Any
    source: str


def setting_key(param: click.Parameter) -> str:
    """The key naming ``param`` in a configuration file: its long option without the dashes (``--key-file``:
    ``key-file``), or an argument's name (``paths``)."""
    if isinstance(param, click.Option):
        longs = [opt for opt in param.opts if opt.startswith("--")]
        if longs:
            return longs[0][2:]
    return (param.name or "").replace("_", "-")


def _configurable(command: click.Command) -> dict[str, click.Parameter]:
    """A command's parameters a configuration may set, by key: its options, and its arguments that are lists (the
    paths to scan or watch, the scans to merge)."""
    return {setting_key(param): param for param in command.params
            if param.name is not None and setting_key(param) not in NOT_CONFIGURABLE
            and (isinstance(param, click.Option) or param.nargs == -1)}  # lists of paths; never check's NUMBER


class Config:
    """The settings of every command, each with its source: what the files say, layered in order."""

    def __init__(self, commands: Mapping[str, click.Command], files: Iterable[str] = ()) -> None:
        self.commands = {name: command for name, command in commands.items()
                         if not isinstance(command, click.Group)}
        self.files: list[str] = []
        self.settings: dict[str, dict[str, Setting]] = {name: {} for name in self.commands}
        for name in files:
            self.read(name)

    def read(self, name: str) -> None:
        """Layer the file ``name`` over what was read before: its table keys win over its top-level keys."""
        document = _load(name)
        source = os.path.abspath(name)
        self.files.append(source)
        top = {key: value for key, value in document.items() if not isinstance(value, dict)}
        tables = {key: value for key, value in document.items() if isinstance(value, dict)}
        self._check_names(name, top, tables)
        for command_name, command in self.commands.items():
            params = _configurable(command)
            table = tables.get(command_name, {})
            given = {**{key: value for key, value in top.items() if key in params}, **table}
            for key, value in given.items():
                where = f"{name}: [{command_name}] {key}" if key in table else f"{name}: {key}"
                param = params[key]
                assert param.name is not None
                self.settings[command_name][param.name] = Setting(_checked(value, param, where), source)

    def _check_names(self, name: str, top: Mapping[str, Any], tables: Mapping[str, dict[str, Any]]) -> None:
        """Every top-level key an option of some command, every table a command, every table key its option."""
        for key in top:
            if not any(key in _configurable(command) for command in self.commands.values()):
                raise UsageError(messages.text("config.unknown_key", name=name, key=key))
        for table_name, table in tables.items():
            if table_name not in self.commands:
                raise UsageError(messages.text("config.unknown_table", name=name, table=table_name,
                                               commands=", ".join(self.commands)))
            params = _configurable(self.commands[table_name])
            for key in table:
                if key not in params:
                    raise UsageError(messages.text("config.unknown_command_key", name=name, table=table_name,
                                                   key=key))

    def default_map(self, command_name: str | None = None) -> dict[str, Any]:
        """click's ``default_map``: for the group, a map per command; for one command, its own."""
        if command_name is not None:
            return {param: setting.value for param, setting in self.settings.get(command_name, {}).items()}
        return {name: self.default_map(name) for name in self.settings if self.settings[name]}

    def show(self, command_names: Iterable[str] | None = None) -> str:
        """The effective defaults as a configuration file, each value with where it came from (a file, or
        ``default``: the option's own), options without a value commented out."""
        lines = [f"# read: {', '.join(map(shown, self.files)) if self.files else 'no configuration file'}",
                 "# the command line wins over every value here"]
        for command_name in command_names or self.commands:
            command = self.commands[command_name]
            lines += ["", f"[{command_name}]"]
            for key, param in _configurable(command).items():
                assert param.name is not None
                setting = self.settings[command_name].get(param.name)
                value, source = (setting.value, setting.source) if setting is not None else (
                    _default(param, command), "default")
                if value is None or value == ():
                    lines.append(f"# {key} =    (not set)")
                else:
                    lines.append(f"{key} = {_toml(value)}    # {shown(source)}")
        return "\n".join(lines) + "\n"


def load_config(commands: Mapping[str, click.Command], explicit: str | None = None) -> Config:
    """The configuration of ``commands``: the system's file (:data:`SYSTEM_CONFIG`), then ``explicit``
    (``--config FILE``, which must exist) or else the local file (:data:`LOCAL_CONFIG`), each where it exists."""
    if explicit is not None and not os.path.isfile(explicit):
        raise UsageError(messages.text("config.missing", name=explicit))
    files = [name for name in (SYSTEM_CONFIG, explicit if explicit is not None else LOCAL_CONFIG)
             if os.path.isfile(name)]
    return Config(commands, files)


def _load(name: str) -> dict[str, Any]:
    """A configuration file's TOML, refused when another user could have written it (see the module's doc)."""
    import tomllib  # here: most commands run without a configuration file

    try:
        with open(name, "rb") as handle:
            st = os.fstat(handle.fileno())
            if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or st.st_uid not in (os.geteuid(), 0):
                raise UsageError(messages.text("config.writable_by_others", name=name))
            return tomllib.load(handle)
    except OSError as exc:
        raise UsageError(messages.text("document.unreadable", name=name, reason=exc.strerror)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(messages.text("config.not_toml", name=name, error=exc)) from None


def _checked(value: Any, param: click.Parameter, where: str) -> Any:
    """``value`` as the option takes it, or an error naming the file and the key."""
    if isinstance(param, click.Option) and param.is_flag and not param.count:
        if not isinstance(value, bool):
            raise UsageError(messages.text("config.give_bool", where=where))
        return value
    if param.multiple or param.nargs == -1:
        if not isinstance(value, list):
            raise UsageError(messages.text("config.give_list", where=where))
        return tuple(_converted(item, param, where) for item in value)
    return _converted(value, param, where)


def _converted(value: Any, param: click.Parameter, where: str) -> Any:
    if isinstance(value, (dict, list)) or (isinstance(value, bool) and param.type is not click.BOOL):
        raise UsageError(messages.text("config.give_single", where=where, kind=param.type.name))
    if isinstance(param, click.Option) and param.count:
        if not isinstance(value, int) or value < 0:
            raise UsageError(messages.text("config.give_count", where=where))
        return value
    try:
        return param.type.convert(value, param, None)
    except click.BadParameter as exc:
        raise UsageError(messages.text("located", where=where, problem=exc.message)) from None


def _default(param: click.Parameter, command: click.Command) -> Any:
    """The option's own default, or None where it has none (click marks that with a value of its own, not
    one of a configuration's kinds)."""
    default = param.get_default(click.Context(command), call=False)
    return default if isinstance(default, (str, int, float, bool, tuple, list)) else None


def _toml(value: Any) -> str:
    """A value written as TOML (strings, numbers, booleans and lists of them are all a configuration holds);
    texts as every output writes names (:func:`detector.names.shown`: a number in a path is masked)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(shown(str(value)), ensure_ascii=False)
