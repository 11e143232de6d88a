"""The ``mynumber`` command: a thin click layer over the library.

Each command parses options, calls the library, renders, and maps errors to a one-line message and an exit
status: 0 nothing found, 1 findings not reportable on what was scanned, 3 a reportable incident, 5 possibly
reportable (what was not read or held back, or a presumed public place, could make it so), 2 a usage error, 4 the
scan could not run. No traceback reaches the user, and no message carries a raw number.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from . import __version__, cli_help, messages
from .errors import EXIT_FAILED, EXIT_USAGE, MyNumberToolError, UsageError
from .names import escape
from .redact import redact
from .report.formats import EXPOSURE_FORMATS, INCIDENT_FORMATS, NOTIFY_FORMATS, SCAN_FORMATS, WATCH_FORMATS

if TYPE_CHECKING:
    from .access import ExposureEvidence
    from .config import Config
    from .dask_scan import DaskRunner
    from .incremental.prefetch import StatPrefetch
    from .outputs import ReplacedFile

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = escape(redact(record.getMessage()))  # names quoted in it cannot drive the terminal
        record.args = None
        return True


def _setup_logging(verbose: int, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("mynumber: %(levelname)s: %(message)s"))
    root = logging.getLogger("detector")
    root.handlers[:] = [handler]
    # -v: the folders entered, each file read and what it is, what was skipped and why; -vv: each file's time too
    root.setLevel(logging.ERROR if quiet else logging.WARNING if not verbose else
                  logging.INFO if verbose == 1 else logging.DEBUG)


def _dask_runner(address: str, path_maps: tuple[str, ...]) -> DaskRunner:
    """``--dask``: connected to the scheduler before the walk, so an unreachable one stops the scan at once (a
    one-line error naming the address, status 4); Dask is imported only here."""
    from .dask_scan import DaskRunner, PathMap

    return DaskRunner(address, PathMap.parse(path_maps))


def _facility(name: str) -> str:
    """--syslog-facility checked when the options are read (a usage error, status 2)."""
    from .watch.system_log import facility_named

    try:
        facility_named(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return name


def _fail(message: str, status: int) -> NoReturn:
    click.echo(cli_help.message("error", message=escape(redact(message))), err=True)
    sys.exit(status)


def _host_label(label: str | None) -> str | None:
    """``--host-label``: the name results give the host; an empty one would name none."""
    if label is not None and not label.strip():
        raise click.BadParameter("give a name: an empty label names no host")
    return label


def parse_size(text: str) -> int:
    """'500M', '2G', '1.5GiB', '4096' -> bytes (powers of 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise click.BadParameter(f"{text!r} is not a size such as 4096, 500M or 2G")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


class _Output:
    """Where a report goes: stdout, or a file created 0600 (it names people's files, and with --reveal it
    holds their numbers), never through a link (see :mod:`detector.outputs`). The file is created before the
    scan so the walk can skip it."""

    def __init__(self, path: str | None) -> None:
        self.file: ReplacedFile | None = None
        if path is not None and path != "-":
            from .outputs import ReplacedFile

            self.file = ReplacedFile(path, messages.text("what.output"))

    def identity(self) -> frozenset[tuple[int, int]]:
        return self.file.identities() if self.file is not None else frozenset()

    def write(self, text: str) -> None:
        self.write_pieces((text,))

    def write_pieces(self, pieces: Iterable[str]) -> None:
        """The text of ``pieces`` written one after the other, so a long report is never held whole: to standard
        output as they come, into the file a megabyte at a time, put at its name once the last is written. A
        failure on the way (in the renderer making the pieces) leaves no file behind: whatever was at the name
        stays."""
        if self.file is None:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
            return
        try:
            for data in _encoded_chunks(pieces):
                self.file.append(data)
        except BaseException:
            self.abandon()
            raise
        self.file.commit(b"")

    def streaming(self) -> Callable[[bytes], None]:
        """A writer for an output written as it goes (``--format jsonl``): the file is put at its name now
        (:meth:`~detector.outputs.ReplacedFile.publish`), standard output flushed at each write; :meth:`write`
        then adds the rest and closes it."""
        if self.file is None:
            def to_stdout(data: bytes) -> None:
                sys.stdout.flush()  # nothing of the text layer left behind the bytes
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            return to_stdout
        self.file.publish()
        return self.file.append

    def write_bytes(self, data: bytes) -> None:
        """A binary document (a workbook): only into a file."""
        assert self.file is not None, "binary output needs a file"
        self.file.commit(data)

    def abandon(self) -> None:
        if self.file is not None:
            self.file.abandon()


_CHUNK_CHARACTERS = 1 << 20


def _encoded_chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    """``pieces`` joined into chunks of about a million characters, in UTF-8: a write each."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= _CHUNK_CHARACTERS:
            yield "".join(held).encode("utf-8")
            held.clear()
            size = 0
    if held:
        yield "".join(held).encode("utf-8")


class _Progress:
    """A one-line progress display on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False
        self.start = time.monotonic()

    def __call__(self, files: int, size: int, findings: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        rate = size / max(now - self.start, 1e-6) / 1e6
        self.stream.write(f"\r\x1b[K  {files:,} files, {size / 1e6:,.1f} MB ({rate:,.0f} MB/s), "
                          f"{findings:,} findings so far")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _run(action: Callable[[], int]) -> NoReturn:
    try:
        status = action()
    except MyNumberToolError as exc:
        _fail(exc.localized(), exc.exit_status)
    except KeyboardInterrupt:
        click.echo(cli_help.message("interrupted"), err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        logging.getLogger("detector").debug("internal error", exc_info=True)
        _fail(cli_help.message("internal", detail=f"{type(exc).__name__}: {exc}"), EXIT_FAILED)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="mynumber")
@click.option("--config", "config_path", metavar="FILE", help="Defaults for the options from FILE instead of "
              "./mynumber.toml (over /etc/mynumber/config.toml; the command line wins). Also after a command.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Find exposed My Numbers (個人番号), count the distinct people, and assess the incident.

    Exit status: 0 nothing found, 1 findings (not reportable on what was scanned), 3 reportable incident,
    5 possibly reportable (see what to check), 2 usage error, 4 the scan could not run.
    """
    ctx.default_map = _use_config(ctx, config_path).default_map()


_CONFIG = "mynumber.config"  # where the context keeps the configuration read (ctx.meta, shared by subcommands)


def _use_config(ctx: click.Context, path: str | None) -> Config:
    """Read the configuration files (see :mod:`detector.config`) and keep them for ``config show``; a bad file is
    a usage error naming it."""
    from .config import load_config

    try:
        config = load_config(main.commands, path)
    except MyNumberToolError as exc:
        _fail(exc.localized(), exc.exit_status)
    ctx.meta[_CONFIG] = config
    return config


def _config_after_command(ctx: click.Context, _param: click.Parameter, path: str | None) -> None:
    """``mynumber scan --config FILE``: read first (the option is eager), so the command's other options take
    their defaults from FILE."""
    if path is not None:
        ctx.default_map = _use_config(ctx, path).default_map(ctx.info_name)


def _common_output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "fmt", type=click.Choice(SCAN_FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("--output", "-o", metavar="FILE", help="Write the report to FILE (created 0600)."),
        click.option("--rules", "rules_dirs", multiple=True, metavar="DIR",
                     help="A folder of rules files layered over the packaged rules (repeatable)."),
        click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr."),
        click.option("--verbose", "-v", count=True, help="More detail on stderr: -v the folders entered, each "
                     "file read and what it is, what was skipped and why; -vv each file's time too (never a number)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command()
@click.argument("paths", nargs=-1, metavar="PATH...")
@_common_output_options
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]), default="medium",
              show_default=True, help="Report findings at or above this confidence; the rest are counted.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Parallel processes (default: the number of cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Read the files on the workers of a Dask cluster, "
              "whose scheduler is at ADDRESS (tcp://HOST:8786, tls://...); each worker needs the scan's key in "
              "MYNUMBER_KEY or its key file (pip install 'mynumber-scan[dask]'; see docs/scale.md).")
@click.option("--path-map", "path_maps", multiple=True, metavar="LOCAL=REMOTE", help="With --dask: the workers see "
              "the folder LOCAL as REMOTE (repeatable); results name LOCAL.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--include", "includes", multiple=True, metavar="GLOB", help="Read only files matching GLOB "
              "(repeatable; folders are still walked; --exclude wins).")
@click.option("--files-from", metavar="FILE", help="Also read the files named in FILE, one a line or separated "
              "by NUL (find -print0); - for standard input. Folders named there are not descended into.")
@click.option("--one-file-system", is_flag=True, help="Do not enter folders on another file system than their "
              "PATH's (mount points are listed as excluded), as find -xdev.")
@click.option("--shard", metavar="K/N", help="Read only the K-th of N stable shares of the files (by their path "
              "under PATH), for N hosts or cron jobs splitting one tree.")
@click.option("--max-file-size", metavar="SIZE", help="List files over SIZE (e.g. 500M, 2G) as unscanned.")
@click.option("--public", "public_paths", multiple=True, metavar="PATH",
              help="A folder reachable from outside the organisation, e.g. published by a web server.")
@click.option("--key-file", metavar="FILE", help="Fingerprint key (default: $MYNUMBER_KEY, else the "
                                                  "per-installation key).")
@click.option("--reveal", is_flag=True, help="Write the raw numbers into --output FILE (0600), for "
                                             "notifying the people concerned.")
@click.option("--engine", type=click.Choice(["auto", "re", "hyperscan"]), default="auto", show_default=True,
              help="Matching engine; all give identical results.")
@click.option("--no-ocr", is_flag=True, help="Do not read pictures and image-only PDF pages by OCR (they are "
              "listed as not scanned).")
@click.option("--ocr-timeout", type=click.FloatRange(min=0.1), metavar="SECONDS", help="Seconds OCR may spend "
              "on one picture (default: picture.max_seconds in rules/limits.toml).")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when a terminal).")
@click.option("--state", "state_path", metavar="FILE", help="Incremental scan: keep what each file gave in FILE "
              "(SQLite, 0600, no raw numbers) and read only new and changed files next time.")
@click.option("--baseline", "baseline_path", metavar="FILE", help="Findings FILE accepts (mynumber baseline) are "
              "listed apart as baselined, not new: the exit status is 0 when none is new; their people are still "
              "counted in the people and the verdict.")
@click.option("--list-excluded", is_flag=True, help="List the files and folders excluded, with the rule that "
              "excluded each (text output; json always lists them).")
@click.option("--host-label", metavar="LABEL", callback=lambda _c, _p, v: _host_label(v),
              help="Call the host that reads the files LABEL in the results (default: this machine's name).")
def scan(paths: tuple[str, ...], fmt: str, output: str | None, rules_dirs: tuple[str, ...], quiet: bool,
         verbose: int, min_confidence: str, jobs: int, follow_symlinks: bool, exclude: tuple[str, ...],
         includes: tuple[str, ...], files_from: str | None, one_file_system: bool, shard: str | None,
         max_file_size: str | None, public_paths: tuple[str, ...], key_file: str | None, reveal: bool,
         engine: str, progress: bool | None, state_path: str | None, baseline_path: str | None,
         list_excluded: bool, no_ocr: bool, ocr_timeout: float | None, host_label: str | None,
         dask_address: str | None, path_maps: tuple[str, ...]) -> None:
    """Scan files and folders (PATH of - reads standard input) for My Numbers."""
    _setup_logging(verbose, quiet)
    if reveal and (output is None or output == "-"):
        _fail(cli_help.message("reveal_needs_output"), EXIT_USAGE)
    if dask_address is not None and reveal:
        _fail(cli_help.message("reveal_not_with_dask"), EXIT_USAGE)
    if dask_address is None and path_maps:
        _fail(cli_help.message("path_map_needs_dask"), EXIT_USAGE)
    if not paths and files_from is None:
        _fail(cli_help.message("nothing_to_scan"), EXIT_USAGE)
    size_limit = parse_size(max_file_size) if max_file_size else None
    prefetch = _start_prefetch(state_path, paths, jobs)

    def action() -> int:
        from .people import RevealedNumbers
        from .pipeline import scan_paths
        from .report import pieces as report_pieces
        from .scan_setup import scan_setup

        out: _Output | None = None
        try:
            out = _Output(output)  # first: the walk skips it
            setup = scan_setup(key_file=key_file, baseline=baseline_path, rules_dirs=rules_dirs, excludes=exclude,
                               public_paths=public_paths, min_confidence=min_confidence, jobs=jobs,
                               follow_symlinks=follow_symlinks, max_file_size=size_limit, reveal=reveal,
                               engine=engine, skip_inodes=out.identity(), state_path=state_path, ocr=not no_ocr,
                               ocr_timeout=ocr_timeout, includes=includes, shard=shard, files_from=files_from,
                               one_file_system=one_file_system, host_label=host_label)
            runner = _dask_runner(dask_address, path_maps) if dask_address is not None else None  # before the walk
        except BaseException:
            if out is not None:
                out.abandon()
            if prefetch is not None:
                prefetch.stop()
            raise
        shown = _Progress(sys.stderr) if (progress if progress is not None else sys.stderr.isatty()) and not quiet \
            else None
        revealed = RevealedNumbers() if reveal else None  # read only by the renderers of the 0600 output
        stream = None
        if fmt == "jsonl":  # written as found: readers tail it, a scan killed midway has written what it found
            from .report.json_report import LineStream

            stream = LineStream(out.streaming(), revealed, setup.baseline)
        try:
            result = scan_paths(paths, setup.options, progress=shown, prefetch=prefetch,  # which stops the prefetch
                                revealed=revealed, baseline=setup.baseline, stream=stream, runner=runner)
        except BaseException:
            out.abandon()
            raise
        finally:
            if shown is not None:
                shown.close()
            if runner is not None:
                runner.close()
        if stream is not None:
            try:
                text = stream.rest(result)
            except BaseException:
                out.abandon()  # the temporary file goes; whatever was at the name stays
                raise
            out.write(text)
        else:  # written as it is rendered; a failure on the way leaves no file either
            out.write_pieces(report_pieces(result, fmt, revealed, list_excluded=list_excluded))
        return result.exit_status

    _run(action)


@main.command()
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCAN.json...")
@_common_output_options
def merge(scans: tuple[str, ...], fmt: str, output: str | None, rules_dirs: tuple[str, ...], quiet: bool,
          verbose: int) -> None:
    """Combine json results of several scans or hosts (made with the same key) into one result,
    with one distinct-people count and one assessment."""
    _setup_logging(verbose, quiet)

    def action() -> int:
        from .report import pieces as report_pieces
        from .result import merge as merge_documents
        from .rules import load_rules

        rules = load_rules(rules_dirs)
        result = merge_documents(_read_documents(scans), rules.triggers,
                                 item_ids=[item.item_id for item in rules.items])
        _Output(output).write_pieces(report_pieces(result, fmt))  # a failure on the way leaves no file behind
        return result.exit_status

    _run(action)


@main.command("baseline")
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCAN.json...")
@click.option("--output", "-o", required=True, metavar="FILE",
              help="The baseline to write (created 0600), e.g. mynumber-baseline.json.")
@click.option("--reason", metavar="TEXT", help="Why these findings are accepted (each entry's reason, which you may "
              "then edit entry by entry in FILE). Required when a finding has none yet.")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="The rules the scans were made with.")
def baseline_command(scans: tuple[str, ...], output: str, reason: str | None, rules_dirs: tuple[str, ...]) -> None:
    """Accept the findings of saved scans: write a baseline (fingerprint, path, location, masked number and
    reason of each; never a number) for scan --baseline, which then lists them apart and exits 0 when nothing
    is new. Their people are still counted in every verdict. A scan made with --baseline keeps its baselined
    findings' reasons; give --reason for the new ones."""

    def action() -> int:
        from .baseline import baseline_document
        from .result import merge as merge_documents
        from .rules import load_rules

        rules = load_rules(rules_dirs)
        result = merge_documents(_read_documents(scans), rules.triggers,
                                 item_ids=[item.item_id for item in rules.items])
        document = baseline_document(result, reason)
        _Output(output).write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        click.echo(f"mynumber: {len(document['entries'])} findings accepted in {escape(output)}", err=True)
        return 0

    _run(action)


@main.group("config")
def config_group() -> None:
    """The configuration files: /etc/mynumber/config.toml, then ./mynumber.toml or --config FILE; each holds
    defaults for the options, top-level for every command and in a table per command ([scan], [watch]...); the
    command line wins."""


@config_group.command("show")
@click.argument("commands", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def config_show(ctx: click.Context, commands: tuple[str, ...]) -> None:
    """Print the effective defaults of each command (or of COMMAND) as a configuration file, each value with the
    file it came from, or "default"."""
    config: Config = ctx.meta[_CONFIG]
    unknown = [name for name in commands if name not in config.commands]
    if unknown:
        _fail(cli_help.message("config.no_such_command", command=unknown[0], commands=", ".join(config.commands)),
              EXIT_USAGE)
    click.echo(config.show(commands or None), nl=False)


def _start_prefetch(state_path: str | None, paths: tuple[str, ...], jobs: int) -> StatPrefetch | None:
    """For an incremental scan on more than one core: a thread that stats the folders the state remembers while
    the rest of the command loads (see :mod:`detector.incremental.prefetch`), started before the scan's modules
    are imported."""
    if state_path is None:
        return None
    from .incremental.prefetch import StatPrefetch, worth_it

    return StatPrefetch.start(state_path, paths) if worth_it(jobs) else None


def _read_documents(names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Saved scans (json of scan or merge), each with its name for error messages."""
    documents = []
    for name in names:
        try:
            with open(name, encoding="utf-8") as handle:
                documents.append((name, json.load(handle)))
        except OSError as exc:
            raise UsageError(messages.text("document.unreadable", name=name, reason=exc.strerror)) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(messages.text("not_json", name=name, error=type(exc).__name__)) from None
    return documents


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(messages.text("discovered.bad_date", date=text)) from None


@main.command()
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCAN.json...")
@click.option("--format", "fmt", type=click.Choice(INCIDENT_FORMATS), default="html", show_default=True,
              help="A self-contained HTML report, Markdown for a ticket, or json for other tools.")
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE (created 0600), not stdout.")
@click.option("--discovered", metavar="YYYY-MM-DD", help="The day the organisation learned of the incident "
              "(day 1 of the reporting periods; default: today).")
@click.option("--malicious", is_flag=True, help="The leak may have a wrongful purpose (an attack): PPC rule "
              "Article 2 item 2, and 60 days for the final report.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="Extra rules folder (repeatable).")
@click.option("--exposure", "exposure_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="The json of mynumber exposure for these scans: adds the access-log evidence and fills the "
              "draft's secondary damage and date hints from it.")
def report(scans: tuple[str, ...], fmt: str, output: str | None, discovered: str | None, malicious: bool,
           lang: str, rules_dirs: tuple[str, ...], exposure_path: str | None) -> None:
    """Turn saved scans (json of scan or merge; several are merged) into an incident report: people, files,
    the verdict and its articles, the PPC reporting deadlines, and a draft of the PPC report."""

    def action() -> int:
        from .incident import build_incident
        from .report.incident import render_incident
        from .result import merge as merge_documents
        from .rules import load_rules

        rules = load_rules(rules_dirs)
        day = _parse_date(discovered)
        result = merge_documents(_read_documents(scans), rules.triggers,
                                 item_ids=[item.item_id for item in rules.items],
                                 declared=["malicious"] if malicious else [], baselined_apart=False)
        incident = build_incident(result, rules.items, day, malicious, _read_exposure(exposure_path, result.key_id))
        text = render_incident(incident, fmt, lang)  # before the output is created, as in merge
        _Output(output).write(text)
        return 0

    _run(action)


def _read_exposure(path: str | None, key_id: str) -> ExposureEvidence | None:
    """``report --exposure FILE``: the evidence of ``mynumber exposure``, made from a scan with the same key."""
    if path is None:
        return None
    from .access import ExposureEvidence

    ((name, document),) = _read_documents((path,))
    evidence = ExposureEvidence.from_json(document, name)
    if evidence.key_id and evidence.key_id != key_id:
        raise UsageError(messages.text("exposure.other_key", name=name, evidence_key=evidence.key_id, key=key_id))
    return evidence


def _access_logs(patterns: tuple[str, ...]) -> list[str]:
    """``--access-log`` values: a file, ``-``, or a quoted pattern (``'/var/log/nginx/access.log*'``) expanded in
    name order; a name that is neither is an error naming it."""
    import glob

    logs: list[str] = []
    for pattern in patterns:
        if pattern == "-" or os.path.exists(pattern) or not glob.has_magic(pattern):
            logs.append(pattern)
            continue
        matched = sorted(glob.glob(pattern))
        if not matched:
            raise UsageError(messages.text("access_log.no_match", pattern=pattern))
        logs.extend(matched)
    return logs


@main.command()
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCAN.json...")
@click.option("--access-log", "access_logs", multiple=True, required=True, metavar="FILE",
              help="A web server's access log: nginx or Apache combined or common, IIS W3C, or JSON lines; plain, "
              "gz, bz2 or xz; - for standard input; a quoted pattern for rotations (repeatable).")
@click.option("--url-map", "url_maps", multiple=True, required=True, metavar="LOCAL_ROOT=URL_PREFIX",
              help="Files below LOCAL_ROOT are served at URL_PREFIX (repeatable; the longest root wins).")
@click.option("--internal", "internal", multiple=True, metavar="CIDR", help="A network of the organisation "
              "(repeatable); private, loopback and link-local addresses are always internal.")
@click.option("--show-clients", is_flag=True, help="List the external client addresses (personal data: counts "
              "only without it).")
@click.option("--format", "fmt", type=click.Choice(EXPOSURE_FORMATS), default="text", show_default=True,
              help="Text for a person, or json (the input of report --exposure).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (created 0600), not stdout.")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="Extra rules folder (repeatable; "
              "crawlers.toml names the crawlers).")
def exposure(scans: tuple[str, ...], access_logs: tuple[str, ...], url_maps: tuple[str, ...],
             internal: tuple[str, ...], show_clients: bool, fmt: str, output: str | None,
             rules_dirs: tuple[str, ...]) -> None:
    """Read web server access logs for the scan's public files with findings: requests that returned each file,
    external clients, first and last external fetch, bytes sent, crawlers, and the people in the files fetched
    from outside."""

    def action() -> int:
        from .access import collect_exposure
        from .access.clients import parse_networks
        from .access.render import render
        from .access.urls import UrlMapping
        from .result import merge as merge_documents
        from .rules import load_rules

        rules = load_rules(rules_dirs)
        mappings = [UrlMapping.parse(text) for text in url_maps]
        networks = parse_networks(internal)
        result = merge_documents(_read_documents(scans), rules.triggers,
                                 item_ids=[item.item_id for item in rules.items])
        evidence = collect_exposure(result.findings, _access_logs(access_logs), mappings, networks, rules.crawlers,
                                    key_id=result.key_id, show_clients=show_clients)
        _Output(output).write(render(evidence, fmt))
        return 0

    _run(action)


@main.command()
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCAN.json...")
@click.option("--roster", required=True, type=click.Path(dir_okay=False), metavar="ROSTER",
              help="The HR roster: CSV (UTF-8 or CP932) or xlsx, with a header row.")
@click.option("--number-column", required=True, metavar="COLUMN",
              help="The roster column holding the My Number: its header, or its number counting from 1.")
@click.option("--format", "fmt", type=click.Choice(NOTIFY_FORMATS), default=None,
              help="The table: csv (UTF-8 with a BOM, for Excel; the default), json, or an xlsx workbook (needs "
              "--output).")
@click.option("--letter", is_flag=True, help="Instead of the table, draft the notices (Markdown): a page for the "
              "officer on timing, contents and substitute measures, then one letter a person found in the roster.")
@click.option("--name-column", "name_columns", multiple=True, metavar="COLUMN", help="With --letter: the roster "
              "column(s) holding the name to address (header or number counting from 1; repeat for family and "
              "given names). Without it the letters leave the name to fill in.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="The language of the letters and of the json's notice guidance.")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (created 0600), not stdout.")
@click.option("--key-file", metavar="FILE", help="The scan's fingerprint key (default: $MYNUMBER_KEY, else the "
              "per-installation key).")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="Extra rules folder (repeatable).")
def notify(scans: tuple[str, ...], roster: str, number_column: str, fmt: str | None, letter: bool,
           name_columns: tuple[str, ...], lang: str, output: str | None, key_file: str | None,
           rules_dirs: tuple[str, ...]) -> None:
    """List the people to notify: the roster rows of everyone the scans found (matched by fingerprint, with
    the files where each was found, without the My Number column), and the people found whom the roster
    lacks, by masked number; or, with --letter, draft the notice to each of them (番号法第29条の4第2項)."""

    def action() -> int:
        from .notify import match, read_roster
        from .people import load_key
        from .report.notice import guidance, render_letters, stderr_lines
        from .result import merge as merge_documents
        from .rules import load_rules

        if letter and fmt is not None:
            raise UsageError(messages.text("notify.letter_or_format"))
        if name_columns and not letter:
            raise UsageError(messages.text("notify.name_needs_letter"))
        if fmt == "xlsx" and output in (None, "-"):
            raise UsageError(messages.text("notify.xlsx_needs_output"))
        rules = load_rules(rules_dirs)
        result = merge_documents(_read_documents(scans), rules.triggers,
                                 item_ids=[item.item_id for item in rules.items], baselined_apart=False)
        notification = match(read_roster(roster, number_column), result, load_key(key_file, create=False),
                             name_columns)
        # Rendered before the output is opened: a failure leaves no file behind.
        if fmt == "xlsx":
            workbook = notification.to_xlsx()
            _Output(output).write_bytes(workbook)
        else:
            document = notification.to_json()
            document["summary"]["notice"] = guidance(notification, lang)
            text = (render_letters(notification, rules.items, lang) if letter
                    else json.dumps(document, ensure_ascii=False, indent=2) + "\n" if fmt == "json"
                    else notification.to_csv())
            _Output(output).write(text)
        summary = notification.to_json()["summary"]
        click.echo(f"mynumber: {summary['people_found']} people found: {summary['in_roster']} in the roster, "
                   f"{summary['not_in_roster']} not in it (listed by masked number)"
                   + (f"; {summary['invalid_roster_numbers']} roster rows without a valid number"
                      if summary["invalid_roster_numbers"] else ""), err=True)
        for line in stderr_lines(notification, letter):
            click.echo(line, err=True)
        return 0

    _run(action)


@main.command()
@click.argument("scan", required=False, type=click.Path(dir_okay=False), metavar="[SCAN.json]")
@click.option("--to", "target", metavar="DIR", help="The quarantine folder (created 0700; outside every root of the "
              "scan). Its manifest.json and actions.jsonl (0600) record what moved.")
@click.option("--apply", "apply_", is_flag=True, help="Move the files. Without it, only list what would move and "
              "what is refused (nothing is changed).")
@click.option("--only-public", is_flag=True, help="Only the files with a finding in a public location.")
@click.option("--placeholder", "placeholders", multiple=True, type=click.Choice(["apache", "nginx"]),
              help="Make the moved files' URLs answer 410 Gone: an .htaccess block in the web root and "
              "DIR/apache-410.conf (apache), or DIR/nginx-410.conf to include (nginx). Needs --url-map.")
@click.option("--url-map", "url_maps", multiple=True, metavar="LOCAL_ROOT=URL_PREFIX", help="The URL a web root is "
              "served under, e.g. /var/www/html=https://example.jp/ (repeatable).")
@click.option("--restore", "manifest", metavar="MANIFEST", help="Put back every file of a quarantine's "
              "manifest.json (never over a file that reappeared), instead of quarantining.")
@click.option("--key-file", metavar="FILE", help="The scan's fingerprint key (default: $MYNUMBER_KEY, else the "
              "per-installation key). Each file must have the size, mtime and sha256 the scan kept; a file the scan "
              "kept none of (an older scan) is read again and must give the scan's findings.")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="The rules the scan was made with.")
def quarantine(scan: str | None, target: str | None, apply_: bool, only_public: bool, placeholders: tuple[str, ...],
               url_maps: tuple[str, ...], manifest: str | None, key_file: str | None,
               rules_dirs: tuple[str, ...]) -> None:
    """Move the exposed files of a saved scan into a private folder, keeping path, owner, mode and times, with a
    manifest to restore them; files changed since the scan are refused. A dry run unless --apply. Exit status 0
    every file moved (or would), 1 some were refused (listed with the reason), 2 usage error."""

    def action() -> int:
        from .contain import QuarantineOptions, restore
        from .contain import quarantine as run_quarantine
        from .people import load_key
        from .rules import load_rules
        from .schema import check_scan_document

        if manifest is not None:
            if scan is not None or target is not None or apply_:
                raise UsageError(messages.text("quarantine.restore_alone"))
            outcome = restore(manifest)
        else:
            if scan is None or target is None:
                raise UsageError(messages.text("quarantine.needs_scan_and_target"))
            rules = load_rules(rules_dirs)
            ((name, document),) = _read_documents((scan,))
            check_scan_document(name, document, [item.item_id for item in rules.items])
            options = QuarantineOptions(target, apply_, only_public, placeholders, url_maps, rules_dirs)
            outcome = run_quarantine(name, document, options, load_key(key_file, create=False))
        for line in outcome.lines:  # paths in them already readable: escaped, numbers masked
            click.echo(line)
        return outcome.status

    _run(action)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--poll", type=float, is_flag=False, flag_value=1.0, default=None, metavar="[SECONDS]",
              help="Poll every SECONDS (default 1) instead of inotify: for SMB/CIFS and NFS mounts, where the "
                   "kernel sees no changes made by other machines.")
@click.option("--format", "fmt", type=click.Choice(WATCH_FORMATS), default="jsonl", show_default=True,
              help="One json object per event, or one readable line.")
@click.option("--output", "-o", metavar="FILE", help="Append events to FILE (created 0600), not stdout.")
@click.option("--state", "state_path", metavar="FILE", help="Keep what each file gave and how far each log was "
              "read in FILE (SQLite, 0600): a restart reads only what changed and repeats no event.")
@click.option("--exec", "execute", metavar="CMD", help="Run CMD for each event with the event's json on its "
              "standard input (CMD is split like a shell would, but no shell runs and no file name is put in it).")
@click.option("--syslog", "use_syslog", is_flag=True, help="Also send each event to the system log, at a priority "
              "by event (a reportable assessment is alert), with the watch's own messages: syslog, or the journal "
              "with MYNUMBER_* fields under systemd.")
@click.option("--syslog-facility", default="user", show_default=True, metavar="FACILITY",
              callback=lambda _ctx, _param, value: _facility(value),
              help="The syslog facility: user, daemon, auth, authpriv, local0 ... local7.")
@click.option("--journal/--no-journal", "journal", default=None,
              help="With --syslog: the systemd journal's own protocol (default: when systemd runs mynumber, "
              "JOURNAL_STREAM set), or syslog.")
@click.option("--metrics", "metrics_address", metavar="ADDR:PORT", help="Serve Prometheus metrics at "
              "http://ADDR:PORT/metrics and a health check at /healthz (ADDR defaults to 127.0.0.1; needs "
              "prometheus-client).")
@click.option("--settle", type=click.FloatRange(min=0), default=0.3, show_default=True, metavar="SECONDS",
              help="Wait this long after the last change to a file still being written before reading it.")
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]), default="medium",
              show_default=True)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--include", "includes", multiple=True, metavar="GLOB", help="Watch only files matching GLOB "
              "(repeatable; --exclude wins).")
@click.option("--one-file-system", is_flag=True, help="Leave alone folders and files on another file system than "
              "their PATH's (a share mounted inside the tree), as find -xdev.")
@click.option("--shard", metavar="K/N", help="Watch only the K-th of N stable shares of the files (by their path "
              "under PATH, as scan --shard), for N hosts polling one share.")
@click.option("--public", "public_paths", multiple=True, metavar="PATH",
              help="A folder reachable from outside the organisation (repeatable).")
@click.option("--key-file", metavar="FILE", help="Fingerprint key (default: $MYNUMBER_KEY, else the "
              "per-installation key).")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="Extra rules folder (repeatable).")
@click.option("--baseline", "baseline_path", metavar="FILE", help="Findings FILE accepts (mynumber baseline) are "
              "baselined events, not findings, and run no --exec command; their people are still counted in the "
              "assessment.")
@click.option("-q", "--quiet", is_flag=True, help="No log messages on stderr.")
@click.option("-v", "--verbose", count=True, help="More log messages on stderr (-v the files read, -vv their "
              "times).")
@click.option("--no-ocr", is_flag=True, help="Do not read pictures and image-only PDF pages by OCR.")
@click.option("--ocr-timeout", type=click.FloatRange(min=0.1), metavar="SECONDS", help="Seconds OCR may spend "
              "on one picture (default: picture.max_seconds in rules/limits.toml).")
@click.option("--host-label", metavar="LABEL", callback=lambda _c, _p, v: _host_label(v),
              help="Call this host LABEL in the events (default: this machine's name).")
def watch(paths: tuple[str, ...], poll: float | None, fmt: str, output: str | None, state_path: str | None,
          execute: str | None, use_syslog: bool, syslog_facility: str, journal: bool | None,
          metrics_address: str | None, settle: float, min_confidence: str, exclude: tuple[str, ...],
          includes: tuple[str, ...], one_file_system: bool, shard: str | None,
          public_paths: tuple[str, ...], key_file: str | None, rules_dirs: tuple[str, ...],
          baseline_path: str | None, quiet: bool, verbose: int, no_ocr: bool, ocr_timeout: float | None,
          host_label: str | None) -> None:
    """Watch folders and logs: report findings as files appear and change, files cleared of them, and
    every change of the assessment, until SIGTERM or Ctrl-C (the state is saved first)."""
    _setup_logging(verbose, quiet)
    for path in paths:
        if not os.path.isdir(path):
            _fail(cli_help.message("not_a_folder", path=path), EXIT_USAGE)
    from .locations import check_public_paths

    try:
        check_public_paths(public_paths, paths)
    except MyNumberToolError as exc:
        _fail(exc.localized(), exc.exit_status)

    def action() -> int:
        import signal
        import threading

        from .scan_setup import scan_setup
        from .watch import EventStream, Supervised, Watcher, WatchOptions
        from .watch.system_log import SystemLogHandler, open_system_log

        system_log = open_system_log(syslog_facility, journal) if use_syslog else None
        if system_log is not None:
            logging.getLogger("detector").addHandler(SystemLogHandler(system_log))
        sink = EventStream(output, fmt)
        setup = scan_setup(key_file=key_file, baseline=baseline_path, rules_dirs=rules_dirs, excludes=exclude,
                           public_paths=public_paths, min_confidence=min_confidence, skip_inodes=sink.identities(),
                           includes=includes, one_file_system=one_file_system, shard=shard,
                           ocr=not no_ocr, ocr_timeout=ocr_timeout, host_label=host_label)
        watcher = Watcher(list(paths), WatchOptions(setup.options, poll=poll, settle=settle, state_path=state_path,
                                                    execute=execute, system_log=system_log,
                                                    baseline=setup.baseline), sink.write)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        observer = Supervised(watcher, list(paths), poll)
        metrics = None
        try:
            if metrics_address is not None:
                from .watch.metrics import serve

                metrics = serve(metrics_address, watcher, observer)
            watcher.start()
            logging.getLogger("detector").info("watching %s (%s)", ", ".join(paths),
                                               f"polling every {poll:g} s" if poll else "inotify")
            watcher.run(stop, observer.check)
        finally:
            if metrics is not None:
                metrics.close()
            observer.stop()
            watcher.close()
            sink.close()
        return 0

    _run(action)


@main.command()
@click.argument("number", metavar="NUMBER|-")
@click.option("--rules", "rules_dirs", multiple=True, metavar="DIR", help="Rules folder (for the sample list).")
def check(number: str, rules_dirs: tuple[str, ...]) -> None:
    """Say whether NUMBER is a valid My Number, and if not, why. Give - to read it from standard input
    (keeps it out of the shell history). Exit status 0 valid, 1 not valid."""

    def action() -> int:
        from .mynumber import InvalidNumber, compact, mask, validate
        from .rules import load_rules

        text = sys.stdin.readline().strip() if number == "-" else number
        try:
            digits = validate(text)
        except InvalidNumber as exc:
            digits_only = compact(text)
            shown = mask(digits_only) if digits_only.isdigit() and len(digits_only) >= 4 else "the input"
            click.echo(f"not valid: {shown}: {exc}")
            return 1
        sample = load_rules(rules_dirs).samples.get(digits)
        click.echo(f"valid: {mask(digits)} is a valid My Number (check digit correct)")
        if sample:
            click.echo(f"note: it is a well-known sample number ({sample}); scans report it as a sample, "
                       "not as a person")
        return 0

    _run(action)


def _add_config_option(group: click.Group) -> None:
    """``--config FILE`` after any command too (``mynumber scan --config FILE``), read before its other options."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _add_config_option(command)
        command.params.insert(0, click.Option(["--config"], metavar="FILE", is_eager=True, expose_value=False,
                                              callback=_config_after_command,
                                              help="Defaults for the options from FILE (see mynumber config show)."))


_add_config_option(main)
cli_help.apply(main, cli_help.language())  # summaries, examples, and the help in the user's language


if __name__ == "__main__":  # pragma: no cover
    main()
