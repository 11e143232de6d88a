"""What a scan selects beyond the walk's rules, as administrators select work: ``--include GLOB`` (only matching
files are read), ``--shard K/N`` (a stable share of the files, for cron jobs on several hosts) and the names of
``--files-from FILE`` (a list made by ``find``, a backup tool or a previous run).

A shard is decided by a hash of the path *relative to its root*, not the absolute path: hosts that mount the share
at different points (``/mnt/share`` here, ``/srv/nas`` there) put each file in the same shard, so the N shards of
one tree read each file exactly once. The hash is CRC-32 of the path's bytes: stable across runs, hosts and
Python versions (``hash()`` is salted per process), and spread evenly enough over file names.

A list of names is read as bytes, a chunk at a time (a list of 30 million names is never held whole): separated by
NUL when the list holds one (``find -print0``, ``rsync --from0``), else by newlines. Names become ``str`` as the
walk's do (``os.fsdecode``: undecodable bytes, such as a Shift_JIS name on a UTF-8 system, kept as surrogates
and given back unchanged to the system).
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from .errors import UsageError
from .globs import GlobError, glob_to_regex
from .messages import text as message
from .rules import PathRule

__all__ = ["Selection", "Shard", "first_listings", "include_rules", "listed_names", "relative_to"]

CHUNK = 64 * 1024
PATH_MAX = 4096  # bytes of a path, its terminating NUL included (Linux's limits.h)


class Shard(NamedTuple):
    """``--shard K/N``: this run reads the files whose relative path hashes to K-1 modulo N (K counts from 1)."""

    shard: int  # K, from 1
    shards: int  # N

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` with 1 <= K <= N; anything else is a usage error naming the option."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None:
            raise UsageError(message("shard.syntax", value=text))
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise UsageError(message("shard.range", value=text))
        return cls(index, count)

    def owns(self, relative: str) -> bool:
        """Whether a file (its path relative to its root, as the walk names it) is this shard's."""
        return zlib.crc32(os.fsencode(relative)) % self.shards == self.shard - 1

    def __str__(self) -> str:
        return f"{self.shard}/{self.shards}"


def include_rules(globs: Iterable[str]) -> tuple[PathRule, ...]:
    """``--include GLOB`` options as path rules (the syntax of ``--exclude``: :mod:`detector.globs`)."""
    return option_rules("--include", globs, "included on the command line", "include.bad_glob")


def option_rules(option: str, globs: Iterable[str], meaning: str, bad_glob: str) -> tuple[PathRule, ...]:
    """A glob option's values (``--include``, ``--exclude``) as path rules named after the option; a glob that
    cannot mean anything is a usage error naming it (the catalogue's ``bad_glob`` message)."""
    rules = []
    for glob in globs:
        try:
            regex = glob_to_regex(glob)
        except GlobError as exc:
            raise UsageError(message(bad_glob, glob=glob, error=exc)) from None
        rules.append(PathRule(f"{option} {glob}", glob, meaning, regex))
    return tuple(rules)


def relative_to(root: str, absolute: str) -> str:
    """``absolute``'s path under the folder ``root`` (both absolute), as a shard hashes it: ``a/b.txt``."""
    if root == "/":
        return absolute[1:]
    return absolute[len(root) + 1:]


class Selection(NamedTuple):
    """Which of the files the walk finds are read: those an ``--include`` glob matches (every file when there is
    none) and, with ``--shard``, those of this shard. Excludes are decided before and win over an include."""

    includes: tuple[PathRule, ...] = ()
    shard: Shard | None = None

    @property
    def everything(self) -> bool:
        return not self.includes and self.shard is None

    def owns(self, relative: str) -> bool:
        """Whether an entry that is not read (excluded, not a regular file, not listable) is this run's to report:
        with a shard, only one of the N runs lists it, so their results merge into the whole tree's."""
        return self.shard is None or self.shard.owns(relative)

    def folder_included(self, absolute_dir: str) -> bool:
        """Whether an include glob matches the folder or one above it: then every file in it is included."""
        return not self.includes or any(rule.matches(absolute_dir) for rule in self.includes)

    def chosen(self, absolute_dir: str, relative_dir: str, names: list[str]) -> list[str]:
        """The names (files of one folder) this run reads, in their order."""
        if self.everything:
            return names
        chosen = names
        if not self.folder_included(absolute_dir):
            prefix = absolute_dir + "/" if absolute_dir != "/" else "/"
            chosen = [name for name in chosen if any(rule.matches(prefix + name) for rule in self.includes)]
        if self.shard is not None:
            owns, prefix = self.shard.owns, relative_dir + "/" if relative_dir else ""
            chosen = [name for name in chosen if owns(prefix + name)]
        return chosen

    def reads(self, absolute: str, relative: str) -> bool:
        """Whether one entry that is not a folder's regular file is read or listed: a file given as a root, a name
        of ``--files-from``, a link or special file in a folder, a file ``watch`` hears of."""
        if self.includes and not any(rule.matches(absolute) for rule in self.includes):
            return False
        return self.owns(relative)


def listed_names(stream: BinaryIO) -> Iterator[str]:
    """The names of a list, in order: NUL-separated when the list holds a NUL (a name never does), else one a line
    (an empty line is skipped; ``\\r\\n`` line ends are not stripped of the ``\\r``, since a name may end in one:
    write such lists with ``-print0``). Read a chunk at a time."""
    # Which separator: a NUL list holds one within its first PATH_MAX bytes (no path is longer), so the list is
    # read until a NUL or that many bytes have come (a pipe may give a few bytes a read).
    head = b""
    while b"\0" not in head and len(head) <= PATH_MAX:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        head += chunk
    separator = b"\0" if b"\0" in head else b"\n"
    rest, chunk = b"", head
    while chunk:
        parts = (rest + chunk).split(separator)
        rest = parts.pop()
        for part in parts:
            if part:
                yield os.fsdecode(part)
        chunk = stream.read(CHUNK)
    if rest:
        yield os.fsdecode(rest)


def first_listings(names: Iterable[str]) -> Iterator[str]:
    """The names of a list, each file once: a name listed again (as is, or spelt otherwise: ``a`` and ``./a``, the
    same absolute path) is left out, so a list joined from several runs of ``find`` reads each file once. What is
    kept of each name is a 128-bit digest of its absolute path, about 100 bytes a name in the set whatever the
    path's length (a set of the paths themselves takes 130 bytes a name for 35-character paths, more for longer
    ones); two paths share a digest with a chance of about n^2/2^129, nil for any list."""
    seen: set[int] = set()
    for name in names:
        digest = int.from_bytes(hashlib.blake2b(os.fsencode(os.path.abspath(name)), digest_size=16).digest())
        if digest not in seen:
            seen.add(digest)
            yield name
