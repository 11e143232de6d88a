"""Outlook messages (.msg): the MAPI properties of an OLE2 compound file (MS-OXMSG), read with olefile.

What a person sees of a message is read: the headers (subject, sender, To, Cc, Bcc), the body, and every
attachment, handed back as a member so that a workbook attached to a message is read like a workbook on the
share. The body is the plain text Outlook stores (``PR_BODY``); where a message has none, its HTML body
(``PR_HTML``) or its compressed RTF body (``PR_RTF_COMPRESSED``, decompressed with compressed_rtf and read as
RTF) is read instead, so the same text is not counted twice. Locations are those of mail:
``{"part": "headers"}``, ``{"part": "body", "line": n}``, and attachments as ``{"member": "給与.xlsx", ...}``.
A message attached to a message is read in turn (``{"member": "転送.msg", "part": "body", "line": n}`` and
``{"member": "転送.msg/名簿.xlsx", ...}``).

Strings are UTF-16 (``001F`` properties) or 8-bit in the message's code page (``001E``: ``PR_MESSAGE_CODEPAGE``,
CP932 for Japanese Outlook), decoded as mail is when the code page is missing or wrong.

extract-msg was measured as the alternative: it reads the same properties but is GPL-3.0 (this project is MIT),
pins an exact olefile version and brings seven more packages; the properties needed here are a few stream
names, so olefile (already needed for xls and for identifying OLE2 files) reads them directly.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import Any

from ..errors import UnscannableFile
from ..model import Location
from . import Item, Member, Skipped, Source, TextUnit

MAX_MSG_BYTES = 512 * 1024 * 1024
_MAX_EMBEDDED = 8  # messages inside messages inside...: deeper ones are listed, not read
_STRING, _STRING8, _BINARY, _LONG = "001F", "001E", "0102", "0003"
_HEADERS = (("0037", "Subject"), ("0C1A", "From"), ("0E04", "To"), ("0E03", "Cc"), ("0E02", "Bcc"))
_BODY, _HTML, _RTF = "1000", "1013", "1009"
_ATTACH_DATA, _ATTACH_LONG_NAME, _ATTACH_NAME, _ATTACH_DISPLAY = "3701", "3707", "3704", "3001"
_ATTACH_METHOD, _ATTACH_EMBEDDED, _ATTACH_OLE = 0x3705, 5, 6
_MESSAGE_CODEPAGE, _INTERNET_CPID = 0x3FFD, 0x3FDE
_PROPERTIES = "__properties_version1.0"
_CODEPAGES = {932: "cp932", 50220: "iso2022_jp_ext", 50221: "iso2022_jp_ext", 50222: "iso2022_jp_ext",
              51932: "euc_jp", 20932: "euc_jp", 65001: "utf-8", 1200: "utf-16-le"}


class MsgExtractor:
    kinds: tuple[str, ...] = ("msg",)

    def extract(self, source: Source) -> Iterator[Item]:
        import olefile  # only when a message is met

        data = source.read_whole(MAX_MSG_BYTES, "Outlook message")
        try:
            ole = olefile.OleFileIO(data)
        except Exception as exc:  # olefile raises many kinds of error on damaged files
            raise UnscannableFile(f"corrupt Outlook message ({type(exc).__name__})") from None
        with ole:
            yield from _Message(ole, [], "", 0).items()


class _Message:
    """One message: the top-level one (``path`` empty), or one embedded in an attachment's storage."""

    def __init__(self, ole: Any, path: list[str], name: str, depth: int) -> None:
        self.ole, self.path, self.name, self.depth = ole, path, name, depth
        properties = _fixed_properties(ole, [*path, _PROPERTIES], 32 if not path else 24)
        codepage = properties.get(_MESSAGE_CODEPAGE) or properties.get(_INTERNET_CPID)
        self.codepage = _CODEPAGES.get(codepage or 0, f"cp{codepage}" if codepage else "cp932")

    def items(self) -> Iterator[Item]:
        headers = "\n".join(f"{label}: {value}" for key, label in _HEADERS
                            if (value := self.text(self.path, key)))
        if headers:
            yield self.unit(headers, "headers", None)
        body = self.body()
        if body:
            yield self.unit(body, "body", 1)
        yield from self.attachments()

    def unit(self, text: str, part: str, first_line: int | None) -> TextUnit:
        return TextUnit(text=text, first_line=first_line, location=Location(part=part, member=self.name or None))

    def body(self) -> str:
        """The plain body; else the HTML body; else the RTF body as text."""
        plain = self.text(self.path, _BODY)
        if plain:
            return plain
        html = self.stream([*self.path, _stream_name(_HTML, _BINARY)])
        if html:
            return _decode(html, _html_charset(html) or self.codepage)
        html_text = self.text(self.path, _HTML)
        if html_text:
            return html_text
        compressed = self.stream([*self.path, _stream_name(_RTF, _BINARY)])
        if compressed:
            return _rtf_body(compressed)
        return ""

    def attachments(self) -> Iterator[Item]:
        storages = sorted({entry[len(self.path)] for entry in self.ole.listdir(streams=True, storages=True)
                           if len(entry) > len(self.path) and entry[:len(self.path)] == self.path
                           and entry[len(self.path)].startswith("__attach_version1.0_#")})
        for number, storage in enumerate(storages, start=1):
            where = [*self.path, storage]
            name = (self.text(where, _ATTACH_LONG_NAME) or self.text(where, _ATTACH_NAME)
                    or self.text(where, _ATTACH_DISPLAY) or f"attachment {number}")
            shown = f"{self.name}/{name}" if self.name else name
            embedded = [*where, _stream_name(_ATTACH_DATA, "000D")]
            if self.ole.exists("/".join(embedded)) and self.ole.get_type("/".join(embedded)) == 1:
                yield from self._embedded(embedded, where, shown)
                continue
            data = self.stream([*where, _stream_name(_ATTACH_DATA, _BINARY)])
            if data:
                yield Member(shown, io.BytesIO(data), len(data), None)

    def _embedded(self, storage: list[str], attachment: list[str], shown: str) -> Iterator[Item]:
        method = _fixed_properties(self.ole, [*attachment, _PROPERTIES], 8).get(_ATTACH_METHOD)
        if method == _ATTACH_OLE or not self.ole.exists("/".join([*storage, _PROPERTIES])):
            yield Skipped(shown, "embedded OLE object in an Outlook message, not read")
            return
        if self.depth >= _MAX_EMBEDDED:
            yield Skipped(shown, f"message nested deeper than {_MAX_EMBEDDED} messages, not read")
            return
        yield from _Message(self.ole, storage, shown, self.depth + 1).items()

    def text(self, where: list[str], key: str) -> str:
        """A string property: UTF-16, or 8-bit in the message's code page."""
        data = self.stream([*where, _stream_name(key, _STRING)])
        if data:
            return data.decode("utf-16-le", "replace").rstrip("\x00")
        data = self.stream([*where, _stream_name(key, _STRING8)])
        return _decode(data, self.codepage).rstrip("\x00") if data else ""

    def stream(self, where: list[str]) -> bytes:
        name = "/".join(where)
        try:
            if not self.ole.exists(name) or self.ole.get_type(name) != 2:
                return b""
            return bytes(self.ole.openstream(name).read())
        except Exception as exc:  # a damaged sector chain
            raise UnscannableFile(f"corrupt Outlook message ({type(exc).__name__} reading a property)") from None


def _stream_name(key: str, kind: str) -> str:
    return f"__substg1.0_{key}{kind}"


def _fixed_properties(ole: Any, where: list[str], header: int) -> dict[int, int]:
    """The 32-bit properties of a property stream: a header, then 16-byte entries (type, id, flags, value)."""
    name = "/".join(where)
    try:
        if not ole.exists(name):
            return {}
        data = bytes(ole.openstream(name).read())
    except Exception:
        return {}
    out: dict[int, int] = {}
    for offset in range(header, len(data) - 15, 16):
        kind, key, _flags, value = struct.unpack_from("<HHIi", data, offset)
        if kind == int(_LONG, 16):
            out[key] = value
    return out


def _decode(data: bytes, codepage: str) -> str:
    """8-bit text in its code page; a wrong or unknown one is decoded as Japanese mail usually is."""
    for candidate in (codepage, "utf-8", "cp932", "euc_jp"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp932", "replace")


def _html_charset(html: bytes) -> str | None:
    import re

    match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]{2,40})", html[:4096])
    if match is None:
        return None
    charset = match.group(1).decode("ascii").lower()
    return "cp932" if charset in ("shift_jis", "shift-jis", "sjis", "windows-31j") else charset


def _rtf_body(compressed: bytes) -> str:
    """A compressed RTF body (MS-OXRTFCP) as text."""
    from compressed_rtf import decompress

    from .rtf import rtf_text

    try:
        rtf = decompress(compressed)
    except Exception as exc:  # compressed_rtf raises plain exceptions on damaged data
        raise UnscannableFile(f"corrupt Outlook message (RTF body: {type(exc).__name__})") from None
    return rtf_text(bytes(rtf))
