"""Mail: single messages (.eml) and mbox mailboxes, with the standard library's email package.

Headers (Subject, From, To... decoded from their encoded words), every text body in its transfer encoding
and charset (ISO-2022-JP, Shift_JIS, UTF-8; base64, quoted-printable), and every attachment, handed back as
a member so that a workbook attached to a mail is read like a workbook on the share. ISO-2022-JP is told by
its escape sequences, whatever the label: old mailers sent it with no charset at all (RFC 1468), in headers
too, and Windows mailers label CP50221 (① and ㈱ included) as iso-2022-jp. Locations:

* in a single message: ``{"part": "body", "line": n}``, ``{"part": "headers"}``, and attachments as
  ``{"member": "給与.xlsx", ...}``;
* in a mailbox: ``{"part": "message 3 body", "line": n}`` and ``{"member": "message 3/給与.xlsx", ...}``.

A mailbox is read one message at a time; a message larger than the in-memory limit is listed as unscanned.
"""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from email.message import Message
from typing import BinaryIO

from ..decode import decode_jis, jis_encoding
from ..model import Location
from . import Item, Member, Skipped, Source, TextUnit

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
_HEADERS = ("Subject", "From", "To", "Cc", "Reply-To", "Sender", "Comments", "Keywords")
_TEXT_TYPES = ("text/plain", "text/html", "text/enriched", "text/csv", "text/tab-separated-values")


class EmailExtractor:
    kinds: tuple[str, ...] = ("email",)

    def extract(self, source: Source) -> Iterator[Item]:
        yield from message_items(source.read_whole(MAX_MESSAGE_BYTES, "mail message"), "")


class MboxExtractor:
    kinds: tuple[str, ...] = ("mbox",)

    def extract(self, source: Source) -> Iterator[Item]:
        for number, data in enumerate(_mbox_messages(source.from_start()), start=1):
            if data is None:
                yield Skipped(f"message {number}", f"message over {MAX_MESSAGE_BYTES} bytes")
            else:
                yield from message_items(data, f"message {number}")


def _mbox_messages(stream: BinaryIO) -> Iterator[bytes | None]:
    """Messages of an mbox, split at "From " lines that follow a blank line (or start the file)."""
    lines: list[bytes] = []
    size = 0
    too_big = False
    previous_blank = True
    for line in _lines(stream):
        if line.startswith(b"From ") and previous_blank:
            if lines or too_big:
                yield None if too_big else b"".join(lines)
            lines, size, too_big = [], 0, False
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if too_big:
            continue
        if line.startswith(b">From "):
            line = line[1:]  # mboxrd quoting
        size += len(line)
        if size > MAX_MESSAGE_BYTES:
            too_big, lines = True, []
            continue
        lines.append(line)
    if lines or too_big:
        yield None if too_big else b"".join(lines)


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines (of at most 1 MiB each), buffered: a raw file's own readline reads a byte at a time."""
    buffered: BinaryIO = stream
    if not isinstance(stream, io.BufferedIOBase):
        buffered = io.BufferedReader(stream, 1 << 20)  # type: ignore[type-var]
    while True:
        line = buffered.readline(1 << 20)
        if not line:
            return
        yield line


def message_items(data: bytes, prefix: str) -> Iterator[Item]:
    """Units and members of one message; ``prefix`` names the message inside a mailbox."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    label = f"{prefix} " if prefix else ""
    headers = "\n".join(f"{name}: {_header_text(value)}" for name in _HEADERS for value in message.get_all(name, []))
    if headers:
        yield TextUnit(text=headers, first_line=None, location=Location(part=f"{label}headers"))
    attachments = 0
    bodies = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        content_type = part.get_content_type()
        if filename or part.get_content_disposition() == "attachment" or content_type not in _TEXT_TYPES:
            attachments += 1
            if content_type == "message/rfc822":
                continue  # walk() already descends into an attached message
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload:
                continue
            name = filename or f"attachment {attachments} ({content_type})"
            yield Member(f"{prefix}/{name}" if prefix else name, io.BytesIO(payload), len(payload), None)
            continue
        bodies += 1
        text = _text_of(part)
        if text:
            where = "body" if bodies == 1 else f"body {bodies}"
            yield TextUnit(text=text, first_line=1, location=Location(part=f"{label}{where}"))


def _text_of(part: Message) -> str:
    """A text part decoded from its transfer encoding and charset; a wrong or unknown charset is decoded
    as Japanese mail usually is, never dropped."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    jis = jis_encoding(payload)
    if jis is not None:  # 7-bit text would "decode" as ASCII or UTF-8, escape sequences and all
        return decode_jis(payload, jis)
    charset = part.get_content_charset() or "us-ascii"
    for candidate in (charset, "utf-8", "cp932", "iso-2022-jp", "euc-jp"):
        try:
            return payload.decode(_python_charset(candidate))
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _header_text(value: str) -> str:
    """A header value, with raw ISO-2022-JP in it (no encoded words, as old mailers wrote it) decoded."""
    if "\x1b" not in value or not value.isascii():
        return value
    raw = value.encode("ascii")
    jis = jis_encoding(raw)
    return decode_jis(raw, jis) if jis is not None else value


def _python_charset(charset: str) -> str:
    """Mail charsets that Python knows under another name, or that mean a superset in practice."""
    lowered = charset.lower()
    if lowered in ("shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j"):
        return "cp932"  # mailers label CP932 text as Shift_JIS
    if lowered == "iso-2022-jp":
        return "iso2022_jp_ext"
    return lowered

