"""A 410 Gone placeholder for the URLs of quarantined files, in the forms real web servers honour.

A file moved out of a web root answers 404 Not Found, which a search engine may take for a passing error and a
cache may keep serving around. 410 Gone says the resource is gone for good (RFC 9110 section 15.5.11), so
crawlers drop the URL. A web server answers 410 only where its configuration says so; a file cannot. So:

- **Apache** (``--placeholder apache``): a marked block of ``RedirectMatch gone "^...$"`` lines (mod_alias, one
  per URL path, an exact match) appended to the web root's ``.htaccess``, created if missing. Apache reads it
  only where the folder allows it (``AllowOverride FileInfo`` or ``All``; Debian's default for ``/var/www`` is
  ``None``), so the same lines are also written to ``DIR/apache-410.conf`` for an ``Include`` in the virtual
  host. The URL path is matched as Apache decodes it, each byte other than letters, digits, ``/``, ``_`` and
  ``-`` written ``\\xHH`` (PCRE), so any name (spaces, quotes, Shift_JIS bytes) matches itself and nothing else.
- **nginx** (``--placeholder nginx``): nginx has no per-folder files; ``DIR/nginx-410.conf`` holds one
  ``location = "..." { return 410; }`` a URL path, for an ``include`` inside the ``server`` block and a reload.

A URL is mapped from a file's path with ``--url-map LOCAL_ROOT=URL_PREFIX`` (as ``mynumber exposure`` takes it):
``/var/www/html=https://example.jp/`` maps ``/var/www/html/a/b.csv`` to ``/a/b.csv``. A URL whose path holds a
number (a file named with one) gets no placeholder: the rule would write the number into the server's
configuration; it answers 404. Restore removes each block it added, and an ``.htaccess`` it created; a snippet
stays (empty of rules) so that the ``include`` naming it still loads, until the administrator removes both.
"""

from __future__ import annotations

import os
import re

from ..access.urls import UrlMapping
from ..names import mask_numbers
from .manifest import PlaceholderRecord
from .move import Facts, keep_metadata
from .paths import FILE_FLAGS, open_quietly

KINDS = ("apache", "nginx")
HTACCESS = ".htaccess"
SNIPPETS = {"apache-conf": "apache-410.conf", "nginx-conf": "nginx-410.conf"}
_PLAIN_BYTE = re.compile(rb"[A-Za-z0-9/_-]")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def url_of(mapping: UrlMapping, path: str) -> bytes | None:
    """The URL path a file under the mapping's root is served under (the file system's bytes, as Apache and nginx
    decode a request to them), or None when the file is not under it."""
    relative = mapping.relative(path)
    return None if relative is None else mapping.prefix_path + b"/" + os.fsencode(relative)


def url_for(maps: list[UrlMapping], path: str) -> tuple[UrlMapping, bytes] | None:
    """The longest matching map's URL path for a file."""
    found = [(m, url) for m in maps if (url := url_of(m, path)) is not None]
    return max(found, key=lambda pair: len(pair[0].local_root)) if found else None


def cannot_place(url: bytes) -> str | None:
    """Why a URL gets no placeholder, or None."""
    text = url.decode("utf-8", "surrogateescape")
    if mask_numbers(text) != text:
        return "its URL holds a number: no rule is written for it (it answers 404)"
    return None


def apache_line(url: bytes) -> bytes:
    pattern = b"".join(bytes((byte,)) if _PLAIN_BYTE.fullmatch(bytes((byte,))) else b"\\x%02x" % byte
                       for byte in url)
    return b'RedirectMatch gone "^' + pattern + b'$"\n'


def nginx_line(url: bytes) -> bytes:
    if re.search(rb"[\x00-\x1f\x7f]", url):
        return b"# a URL with a control character has no nginx rule: it answers 404\n"
    quoted = url.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return b'location = "' + quoted + b'" { return 410; }\n'


def block(marker: str, lines: list[bytes]) -> bytes:
    head = f"# BEGIN {marker} (410 Gone for quarantined files; mynumber quarantine --restore removes it)\n"
    return head.encode() + b"".join(lines) + f"# END {marker}\n".encode()


def add_htaccess(local_root: str, lines: list[bytes], marker: str) -> PlaceholderRecord:
    """The block appended to ``local_root/.htaccess`` (created 0644 when missing: the web server's user must read
    it), never through a link."""
    path = os.path.join(local_root, HTACCESS)
    before = None
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | _NOFOLLOW)
        st = os.fstat(fd)
        before = Facts.of(st)
        existing = os.pread(fd, 1, st.st_size - 1) if st.st_size else b"\n"
        data = (b"" if existing == b"\n" else b"\n") + block(marker, lines)
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        os.fchmod(fd, 0o644)
        data = block(marker, lines)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return PlaceholderRecord("htaccess", path, before is None, marker, len(lines), before)


def add_snippet(folder: str, kind: str, lines: list[bytes], marker: str) -> PlaceholderRecord:
    """The block appended to the snippet ``kind`` in the quarantine folder (created 0600)."""
    path = os.path.join(folder, SNIPPETS[kind])
    created = not os.path.lexists(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
    try:
        os.write(fd, block(marker, lines))
        os.fsync(fd)
    finally:
        os.close(fd)
    return PlaceholderRecord(kind, path, created, marker, len(lines))


def remove(record: PlaceholderRecord) -> str:
    """The block of ``record`` taken out of its file; an ``.htaccess`` the quarantine created and left empty is
    removed, an existing one gets its times back. Returns what was done, for the record."""
    try:
        fd = open_quietly(record.path, FILE_FLAGS)
    except FileNotFoundError:
        return "already gone"
    try:
        content = _read_all(fd)
    finally:
        os.close(fd)
    kept = _without_block(content, record.marker, record.before.size if record.before else None)
    if kept == content:
        return "its block was no longer there"
    if record.kind == "htaccess" and record.created and not kept.strip():
        os.unlink(record.path)
        return "removed (the quarantine had created it)"
    fd = os.open(record.path, os.O_WRONLY | os.O_TRUNC | _NOFOLLOW)
    try:
        os.write(fd, kept)
        os.fsync(fd)
        if record.before is not None and len(kept) == record.before.size:  # as it was: its times back too
            keep_metadata(fd, record.before, {})
    finally:
        os.close(fd)
    return "its block removed"


def _without_block(content: bytes, marker: str, size_before: int | None) -> bytes:
    """``content`` without the block of ``marker``, and without the newline added before it where the file did
    not end with one (the block then starts one byte after the file's size before)."""
    begin = content.find(f"# BEGIN {marker} ".encode())
    end_line = f"# END {marker}\n".encode()
    end = content.find(end_line, begin)
    if begin < 0 or end < 0:
        return content
    start = size_before if size_before is not None and begin == size_before + 1 else begin
    return content[:start] + content[end + len(end_line):]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
