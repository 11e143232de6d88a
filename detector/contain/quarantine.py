"""A quarantine run: the plan of a saved scan, shown (the default, a dry run that changes nothing) or applied.

Applied, each file of the plan is moved into ``DIR/files`` under its own absolute path, its manifest entry
written before each step (:mod:`.manifest`), each action logged (:mod:`.actionlog`); then the placeholders are
written, and the times of the folders the moves changed are recorded for the restore.

**The quarantine folder.** ``DIR`` is created 0700 (its ``files`` folder too, whatever ``DIR`` was). An existing
``DIR`` must be a folder of ours that nobody else may write to (a folder another user can write to could be
swapped under us). ``DIR`` may not be inside a root of the scan: the files would stay where the next scan looks
and, in a web root, where the server may serve them; a responder expects them out of reach. Running again into
the same ``DIR`` (first ``--only-public``, then the rest) adds to its manifest.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from typing import Any, NamedTuple

from ..access.urls import UrlMapping
from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..fs.facts import sha256_of
from ..messages import either
from ..messages import text as words
from ..names import readable, shown
from ..scan_setup import scan_setup
from ..times import rfc3339
from .actionlog import ActionLog
from .manifest import (
    COPIED,
    FILES,
    MANIFEST_NAME,
    MOVED,
    MOVING,
    Entry,
    FolderTimes,
    Manifest,
    finding_record,
    stored_parts,
)
from .move import Facts, copy, remove_if_same, rename, same_device
from .paths import Place, Refused, exists, open_file, open_folder, place_of
from .placeholder import (
    KINDS,
    SNIPPETS,
    add_htaccess,
    add_snippet,
    apache_line,
    cannot_place,
    nginx_line,
    url_for,
)
from .plan import Checked, Plan, Refusal, check_key, make_plan, scan_facts, scanner_rescan


class QuarantineOptions(NamedTuple):
    """What ``mynumber quarantine SCAN.json`` was asked to do."""

    target: str  # --to DIR
    apply: bool = False
    only_public: bool = False
    placeholders: tuple[str, ...] = ()  # "apache", "nginx"
    url_maps: tuple[str, ...] = ()  # LOCAL_ROOT=URL_PREFIX
    rules_dirs: tuple[str, ...] = ()


class Outcome(NamedTuple):
    """The lines to show (paths as :func:`detector.names.readable` would: escaped, numbers masked) and the exit
    status: 0 when every file of the plan moved (or would), 1 when some were refused (each listed with why)."""

    lines: list[str]
    status: int


def quarantine(name: str, document: dict[str, Any], options: QuarantineOptions, key: bytes) -> Outcome:
    """Plan, and with ``options.apply`` carry out, the quarantine of the scan ``document`` (read from ``name``,
    checked by the caller). Raises :class:`~detector.errors.UsageError` for what stops the whole run (another
    key, an unsafe DIR); a file that cannot move is listed, never fatal."""
    scan = scan_facts(name, document)
    check_key(scan, key)
    maps = [UrlMapping.parse(text) for text in options.url_maps]
    bad = set(options.placeholders) - set(KINDS)
    if bad:
        raise UsageError(words("placeholder.unknown", kinds=", ".join(sorted(bad)), choices=either(KINDS)))
    if options.placeholders and not maps:
        raise UsageError(words("placeholder.needs_url_map"))
    target = checked_target(options.target, scan.roots)
    # the scan's own confidence and this run's rules, for re-reading a file whose facts the scan did not keep
    rescan = scanner_rescan(scan_setup(key=key, rules_dirs=options.rules_dirs,
                                       min_confidence=scan.min_confidence.label).options)
    plan = _without_quarantined(make_plan(scan, document, options.only_public, rescan), target)
    if not options.apply:
        return _dry_run(plan, target, options, maps)
    return _apply(plan, target, options, maps)


def checked_target(target: str, roots: tuple[str, ...]) -> str:
    """``--to DIR`` made absolute, refused when it is inside a root of the scan or unsafe (see the module)."""
    path = os.path.abspath(target)
    real = os.path.realpath(path)
    for root in roots:
        real_root = os.path.realpath(root)
        if real == real_root or real.startswith(real_root.rstrip("/") + "/"):
            raise UsageError(words("quarantine.target_in_root", path=shown(target), root=shown(root)))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise UsageError(words("quarantine.target_not_folder", path=shown(target)))
    if st.st_uid != os.geteuid():
        raise UsageError(words("quarantine.target_other_owner", path=shown(target), uid=st.st_uid))
    if st.st_mode & 0o022:
        mode = f"{stat.S_IMODE(st.st_mode):04o}"
        raise UsageError(words("quarantine.target_writable", path=shown(target), mode=mode))
    return path


def _without_quarantined(plan: Plan, target: str) -> Plan:
    """The plan with the files an earlier run moved into ``target`` set apart: they are gone from their place
    because they are in the quarantine already, which is no refusal."""
    manifest_path = os.path.join(target, MANIFEST_NAME)
    if not os.path.lexists(manifest_path):
        return plan
    there = {entry.path for entry in Manifest.load(manifest_path).entries if entry.state in (MOVED, COPIED)}
    already = [r.path for r in plan.refused if os.path.abspath(r.path) in there and r.reason.startswith("no longer")]
    refused = [r for r in plan.refused if r.path not in already]
    return plan._replace(refused=refused, already=tuple(already))


def _dry_run(plan: Plan, target: str, options: QuarantineOptions, maps: list[UrlMapping]) -> Outcome:
    lines = _checks_note(plan)
    for item in plan.moves:
        lines.append(f"would move: {readable(item.path)} ({_about(item, plan.facts_kept)}) -> "
                     f"{readable(os.path.join(target, FILES, *stored_parts(item.path)))}")
    lines += [f"refused: {readable(refusal.path)}: {refusal.reason}" for refusal in plan.refused]
    lines += [f"already in the quarantine: {readable(path)}" for path in plan.already]
    lines += _placeholder_plan(plan.moves, options, maps)
    lines.append(f"dry run: {len(plan.moves)} files would move, {len(plan.refused)} refused"
                 + (f", {plan.not_selected} not public left" if plan.not_selected else "")
                 + "; nothing was changed (add --apply to move them)")
    return Outcome(lines, EXIT_FINDINGS if plan.refused else EXIT_CLEAN)


def _apply(plan: Plan, target: str, options: QuarantineOptions, maps: list[UrlMapping]) -> Outcome:
    _make_folder(target)
    _make_folder(os.path.join(target, FILES))
    manifest_path = os.path.join(target, MANIFEST_NAME)
    run = _Run(target, Manifest.load(manifest_path) if os.path.lexists(manifest_path) else Manifest(target))
    run.start(plan, options)
    lines, moved, refused = _checks_note(plan), [], list(plan.refused)
    for refusal in plan.refused:
        run.log.record("refuse", refusal.path, reason=refusal.reason)
    for item in plan.moves:
        try:
            entry = run.move(item)
        except Refused as refusal:
            refused.append(Refusal(item.path, refusal.reason))
            run.log.record("refuse", item.path, reason=refusal.reason)
            continue
        except OSError as exc:
            reason = f"could not be moved: {exc.strerror or exc}"
            refused.append(Refusal(item.path, reason))
            run.log.record("fail", item.path, reason=reason)
            continue
        moved.append(item)
        lines.append(f"moved: {readable(item.path)} ({_about(item, plan.facts_kept)}, {entry.method})")
    lines += [f"refused: {readable(refusal.path)}: {refusal.reason}" for refusal in refused]
    lines += [f"already in the quarantine: {readable(path)}" for path in plan.already]
    if options.placeholders:
        lines += run.placeholders(moved, options.placeholders, maps)
    run.manifest.save()
    run.log.record("end", moved=len(moved), refused=len(refused))
    path = readable(run.manifest.path)
    lines.append(f"{len(moved)} files moved to {readable(target)}, {len(refused)} refused; manifest: {path} "
                 f"(restore with: mynumber quarantine --restore {path})")
    return Outcome(lines, EXIT_FINDINGS if refused else EXIT_CLEAN)


class _Run:
    """One applied run into the quarantine folder ``target``: its manifest, its id and its action log."""

    def __init__(self, target: str, manifest: Manifest) -> None:
        self.target = target
        self.manifest = manifest
        self.run = time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        self.log = ActionLog(target, self.run)

    def start(self, plan: Plan, options: QuarantineOptions) -> None:
        self.manifest.runs.append({"run": self.run, "time": rfc3339(),
                                   "scan": {"file": shown(plan.scan.name), "scan_id": plan.scan.scan_id,
                                            "key_id": plan.scan.key_id},
                                   "only_public": options.only_public, "placeholders": list(options.placeholders)})
        self.manifest.save()
        self.log.record("start", scan=shown(plan.scan.name), scan_id=plan.scan.scan_id, files=len(plan.moves),
                        refused=len(plan.refused), only_public=options.only_public)

    def move(self, item: Checked) -> Entry:
        """One file into the quarantine (see :mod:`.move`), each step in the manifest before it is taken."""
        with place_of(item.exposed.root, item.path) as source:
            fd = open_file(source)
            try:
                facts = Facts.of(os.fstat(fd))
                if not facts.same_file(item.facts):
                    raise Refused("it changed since it was checked")
                sha256 = sha256_of(fd)
                if item.exposed.read is not None and item.exposed.read.sha256 not in (None, sha256):
                    raise Refused("changed since the scan: its sha256 differs from the scan's")
                parts = stored_parts(item.path)
                folder = open_folder(os.path.join(self.target, FILES), parts[:-1], create=True)
                try:
                    return self._carry(item, source, fd, Place(folder, parts[-1]), sha256)
                finally:
                    os.close(folder)
            finally:
                os.close(fd)

    def _carry(self, item: Checked, source: Place, fd: int, target: Place, sha256: str) -> Entry:
        """Renamed (the entry ``moving`` first), or copied and verified (the entry ``copied`` before the original
        is removed); ``moved`` after, with the source folder's times before and after."""
        if exists(target):
            raise Refused("a file of that name is already in the quarantine")
        facts = Facts.of(os.fstat(fd))  # the same file as checked (Run.move), its access time as it is now
        times = self._folder_times(os.path.dirname(item.path), os.fstat(source.folder))
        method = "rename" if same_device(source, target) else "copy"
        entry = Entry(item.path, item.exposed.root, MOVING if method == "rename" else COPIED, method, sha256, facts,
                      self.run, item.exposed.public, [finding_record(f) for f in item.exposed.findings])
        if method == "rename":
            self.manifest.put(entry)
            rename(source, target)
        else:
            entry.not_kept = copy(fd, facts, sha256, target)
            self.manifest.put(entry)
            self.log.record("copy", item.path, sha256=sha256, verified=True, not_kept=entry.not_kept)
            remove_if_same(source, facts)
        entry.state = MOVED
        self.manifest.put(entry)
        times.after_mtime_ns = os.fstat(source.folder).st_mtime_ns
        self.manifest.put(times)
        self.log.record("move", item.path, method=method, sha256=sha256, size=facts.size,
                        public=item.exposed.public, findings=len(entry.findings))
        if facts.nlink > 1:
            self.log.record("warn", item.path, reason=f"it had {facts.nlink - 1} other hard links: the content "
                                                      "stays readable under those names")
        return entry

    def _folder_times(self, path: str, now: os.stat_result) -> FolderTimes:
        """The record of a folder's times before this quarantine first changed it."""
        times = self.manifest.times_of(path)
        if times is None:
            times = FolderTimes(path, now.st_atime_ns, now.st_mtime_ns)
            self.manifest.put(times)
        return times

    def placeholders(self, moved: list[Checked], kinds: tuple[str, ...], maps: list[UrlMapping]) -> list[str]:
        """The 410 rules of the moved files' URLs (see :mod:`.placeholder`), each recorded for the restore."""
        by_root, lines = _placeholder_urls(moved, maps)
        marker = f"mynumber quarantine {self.run}"
        for local_root, urls in by_root.items():
            if "apache" in kinds:
                times = self._folder_times(local_root, os.stat(local_root))
                record = add_htaccess(local_root, [apache_line(url) for url in urls], marker)
                times.after_mtime_ns = os.stat(local_root).st_mtime_ns
                self.manifest.put(times)
                self.manifest.put(record)
                self.manifest.put(add_snippet(self.target, "apache-conf", [apache_line(url) for url in urls], marker))
                snippet = readable(os.path.join(self.target, SNIPPETS["apache-conf"]))
                lines.append(f"placeholder: {len(urls)} URLs answer 410 Gone by {readable(record.path)} (Apache "
                             f"reads it where AllowOverride allows FileInfo; else Include {snippet})")
            if "nginx" in kinds:
                record = add_snippet(self.target, "nginx-conf", [nginx_line(url) for url in urls], marker)
                self.manifest.put(record)
                lines.append(f"placeholder: {len(urls)} URLs in {readable(record.path)}: add 'include "
                             f"{readable(record.path)};' to the server block and reload nginx")
            self.log.record("placeholder", local_root, kinds=list(kinds), urls=len(urls))
        return lines


def _placeholder_urls(moves: list[Checked], maps: list[UrlMapping]) -> tuple[dict[str, list[bytes]], list[str]]:
    """The URL paths of the moved files by the local root they are served from, and the notes on those that get
    no placeholder."""
    by_root: dict[str, list[bytes]] = {}
    notes = []
    for item in moves:
        found = url_for(maps, item.path)
        if found is None:
            notes.append(f"no placeholder: {readable(item.path)}: not under a --url-map root")
            continue
        reason = cannot_place(found[1])
        if reason is not None:
            notes.append(f"no placeholder: {readable(item.path)}: {reason}")
            continue
        by_root.setdefault(found[0].local_root, []).append(found[1])
    return by_root, notes


def _placeholder_plan(moves: list[Checked], options: QuarantineOptions, maps: list[UrlMapping]) -> list[str]:
    if not options.placeholders:
        return []
    by_root, notes = _placeholder_urls(moves, maps)
    lines = [f"would answer 410 Gone: {readable(url.decode('utf-8', 'surrogateescape'))} ({kind})"
             for urls in by_root.values() for url in urls for kind in options.placeholders]
    return lines + notes


def _make_folder(path: str) -> None:
    """A folder of ours, 0700, created if missing (its parent must exist)."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        return
    except OSError as exc:
        raise UsageError(words("quarantine.cannot_create", path=shown(path), reason=exc.strerror)) from None
    os.chmod(path, 0o700)


def _about(item: Checked, facts_kept: bool) -> str:
    count = len(item.exposed.findings)
    return (f"{count} finding{'s' if count != 1 else ''}" + (", public" if item.exposed.public else "")
            + (", checked without the scan's facts" if item.exposed.read is None and facts_kept else ""))


# How a file the scan kept no facts of is checked (plan.check_findings), said once a run.
_AS_BEFORE = ("checked as before: its modification time against the scan's start, and read again for the scan's "
              "findings (a change that keeps both is not seen)")


def _checks_note(plan: Plan) -> list[str]:
    """The line that says files are checked without the scan's facts (size, mtime, sha256), and why."""
    if not plan.without_facts:
        return []
    if not plan.facts_kept:
        return [f"note: {readable(plan.scan.name)} keeps no size, time or hash of its files (a scan written before "
                f"mynumber kept them): each file is {_AS_BEFORE}"]
    count = plan.without_facts
    return [f"note: {count} file{'s' if count != 1 else ''} with no size, time or hash in the scan (their facts "
            f"could not be read when it ran): {_AS_BEFORE}"]
