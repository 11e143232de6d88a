"""Local paths to the URLs a web server serves them at, and request targets to the paths they ask for.

``--url-map LOCAL_ROOT=URL_PREFIX`` says that the file ``LOCAL_ROOT/a/b.csv`` is served at
``URL_PREFIX/a/b.csv``. Both sides meet as bytes of a decoded URL path: a file's path below its root as the file
system holds it (a UTF-8 name as UTF-8; a Shift_JIS name copied from Windows as its raw bytes, and also as the
UTF-8 of its CP932 reading, which is what a server that decodes names serves), and a request's target with its
query string and fragment cut, percent-encoding decoded (``%E7%B5%A6`` and ``%e7%b5%a6`` alike), dot segments
resolved and repeated slashes merged, as nginx and Apache resolve them before they serve a file. Only the path
of ``URL_PREFIX`` matters: access logs seldom say which host was asked.

A file whose name holds a My Number is known to the scan only masked (``********9018.pdf``): its URL is matched
with any digit in place of each ``*``, and shown masked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

from ..errors import UsageError
from ..messages import text as words
from ..names import display

# A digit where the scan masked one: ASCII or full-width (UTF-8 EF BC 90-99).
_MASKED_DIGIT = rb"(?:[0-9]|\xef\xbc[\x90-\x99])"
_ABSOLUTE_FORM = re.compile(rb"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*")
_SHORTEST_NEEDLE = 4


@dataclass(frozen=True)
class UrlMapping:
    """One ``--url-map``: the local folder (absolute, normalised) and the URL prefix, with its path as bytes."""

    local_root: str
    url_prefix: str
    prefix_path: bytes  # decoded, without a trailing slash ("" for a site's root)

    @classmethod
    def parse(cls, text: str) -> UrlMapping:
        local, sep, prefix = text.partition("=")
        if not sep or not local or not prefix:
            raise UsageError(words("url_map.syntax", value=text))
        parts = urlsplit(prefix)
        if parts.query or parts.fragment:
            raise UsageError(words("url_map.query", value=text))
        path = parts.path if parts.scheme or parts.netloc else prefix
        if not path.startswith("/"):
            path = "/" + path
        return cls(local_key(local), prefix.rstrip("/"), request_path(path.encode("utf-8")).rstrip(b"/"))

    def relative(self, local: str) -> str | None:
        """``local`` (absolute, normalised) below this mapping's root, or None."""
        root = self.local_root.rstrip("/") + "/"
        return local[len(root):] if local.startswith(root) else None


def local_key(path: str) -> str:
    """A path of the scan (as a finding holds it, read back from the json) as an absolute, normalised local path:
    a relative path is taken from the current folder, as the scan that wrote it took it."""
    return os.path.normpath(os.path.abspath(path))


@dataclass(frozen=True)
class ExposedUrl:
    """A public file of the scan as its URL: ``url`` to show (masked as the scan's path is), ``paths`` the decoded
    URL paths that name it (one, or two for a Shift_JIS name), ``pattern`` for a masked name."""

    path: str  # the scan's path, as a finding holds it (a number in it masked)
    url: str
    paths: tuple[bytes, ...]
    pattern: re.Pattern[bytes] | None = None  # for a name the scan masked: any digit for each *

    def needles(self) -> set[bytes]:
        """Byte strings one of which every log line asking for this file holds, in the forms logs write a target
        in (percent-encoded, as the client sent it; raw; escaped ``\\xHH`` as nginx and Apache write raw bytes),
        to be matched without regard to case: the file's name, or for a masked name its longest unmasked part
        (the parent folder's name when that part is too short to look for)."""
        out: set[bytes] = set()
        for path in self.paths:
            parent, _, name = path.rpartition(b"/")
            pieces = _literal_pieces(name)
            if self.pattern is not None and max(map(len, pieces), default=0) < _SHORTEST_NEEDLE:
                pieces = _literal_pieces(parent.rpartition(b"/")[2]) or [b"/"]
            for form in _forms(pieces or [b"/"]):
                needle = max(form, key=len)
                if b"\n" not in needle:  # a log line holds no raw line end; the percent-encoded form is kept
                    out.add(needle)
        return out


def _literal_pieces(name: bytes) -> list[bytes]:
    """The parts of a (decoded) name between masked digits."""
    return [piece for piece in name.split(b"*") if piece]


def _forms(pieces: list[bytes]) -> list[list[bytes]]:
    """Each piece as logs write it: percent-encoded, raw, and with ``\\xHH`` escapes."""
    encoded = [quote_from_bytes(piece, safe="/").encode("ascii") for piece in pieces]
    escaped = [b"".join(b"\\x%02X" % byte if byte > 0x7E else bytes([byte]) for byte in piece) for piece in pieces]
    return [encoded, pieces, escaped]


def exposed_url(path: str, mappings: list[UrlMapping]) -> ExposedUrl | None:
    """The URL the scan's ``path`` is served at, by the longest mapping that holds it; None when none does."""
    local = local_key(path)
    best = max((m for m in mappings if m.relative(local) is not None), key=lambda m: len(m.local_root),
               default=None)
    if best is None:
        return None
    relative = best.relative(local)
    assert relative is not None
    raw = relative.encode("utf-8", "surrogateescape")
    paths = [best.prefix_path + b"/" + raw]
    readable = display(relative)
    if readable is not None:  # a Shift_JIS name: also served as the UTF-8 of its reading
        paths.append(best.prefix_path + b"/" + readable.encode("utf-8", "surrogateescape"))
    url = best.url_prefix + "/" + quote_from_bytes(raw, safe="/*")
    pattern = None
    if b"*" in raw:
        pattern = re.compile(b"|".join(re.escape(p).replace(rb"\*", _MASKED_DIGIT) for p in paths), re.DOTALL)
    return ExposedUrl(path, url, tuple(paths), pattern)


def request_path(target: bytes) -> bytes:
    """The decoded path a request target asks for: the scheme and host of an absolute URL cut, the query string
    and fragment cut, percent-encoding decoded, dot segments resolved (never above the root) and repeated
    slashes merged."""
    target = _ABSOLUTE_FORM.sub(b"", target, count=1)
    for mark in (b"?", b"#"):
        cut = target.find(mark)
        if cut >= 0:
            target = target[:cut]
    decoded = unquote_to_bytes(target)
    segments: list[bytes] = []
    for segment in decoded.split(b"/"):
        if segment == b"..":
            if segments:
                segments.pop()
        elif segment and segment != b".":
            segments.append(segment)
    path = b"/" + b"/".join(segments)
    return path + b"/" if decoded.endswith(b"/") and segments else path


class UrlIndex:
    """The exposed URLs by decoded path, for the lines the filter let through: an exact look-up, the masked
    names' patterns after it, and without regard to case for servers that serve names so (IIS)."""

    def __init__(self, urls: list[ExposedUrl]) -> None:
        self.urls = urls
        self._exact = {path: url for url in urls for path in url.paths}
        self._caseless = {path.lower(): url for url in urls for path in url.paths}
        self._masked = [url for url in urls if url.pattern is not None]

    def find(self, path: bytes, caseless: bool = False) -> ExposedUrl | None:
        found = self._caseless.get(path.lower()) if caseless else self._exact.get(path)
        if found is not None:
            return found
        for url in self._masked:
            assert url.pattern is not None
            flags = re.DOTALL | (re.IGNORECASE if caseless else 0)
            if re.fullmatch(url.pattern.pattern, path, flags):
                return url
        return None

    def needles(self) -> set[bytes]:
        return {needle for url in self.urls for needle in url.needles()}


def shown_url(url: str) -> str:
    """A URL for people: percent-encoded UTF-8 shown as its characters where it decodes."""
    path = unquote_to_bytes(url)
    try:
        return path.decode("utf-8")
    except UnicodeDecodeError:
        return url
