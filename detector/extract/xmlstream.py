"""Streaming XML from untrusted documents, with expat directly.

Office documents are XML in a zip; a sheet of a million rows is hundreds of MB of XML, so parts are parsed
as a stream of start/end/text events, never as a tree. defusedxml's parsers are the safe choice for small
parts but replace the C tree builder with Python code, many times slower on a large sheet; here expat calls our
handlers directly with the same defences: a document type declaration (the carrier of entity-expansion and
external-entity attacks) is refused, and external entities are never loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO
from xml.parsers import expat

from ..errors import UnscannableFile

READ_SIZE = 256 * 1024
StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


class XmlRefused(UnscannableFile):
    """The XML carries a construct we refuse to process (DTD, entities)."""


def _refuse(*_args: object) -> None:
    raise XmlRefused("XML with a document type declaration or entities is refused (entity-expansion defence)")


def _refuse_external(*_args: object) -> int:
    raise XmlRefused("XML referring to external entities is refused")


def parser(start: StartHandler, end: EndHandler, text: TextHandler | None = None) -> expat.XMLParserType:
    """An expat parser with our handlers and the defences. Tag names keep their prefix (``x:c``): use
    :func:`local` where a document may use a prefix for the main namespace."""
    p = expat.ParserCreate()
    p.buffer_text = True
    p.buffer_size = 65536
    p.StartDoctypeDeclHandler = _refuse
    p.EntityDeclHandler = _refuse
    p.UnparsedEntityDeclHandler = _refuse
    p.ExternalEntityRefHandler = _refuse_external
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler = start
    p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    return p


def feed(p: expat.XMLParserType, stream: IO[bytes], ready: list[object] | None = None) -> Iterator[None]:
    """Parse ``stream`` in pieces; yields after each piece so a caller can hand on what the handlers
    collected (and keep memory flat). Malformed XML raises :class:`UnscannableFile`."""
    try:
        while True:
            data = stream.read(READ_SIZE)
            p.Parse(data, not data)
            yield None
            if not data:
                return
    except expat.ExpatError as exc:
        raise UnscannableFile(f"malformed XML ({expat.ErrorString(exc.code)} at line {exc.lineno})") from None


def local(name: str) -> str:
    """``x:c`` -> ``c``."""
    return name.rpartition(":")[2]


def parse_all(stream: IO[bytes], start: StartHandler, end: EndHandler, text: TextHandler | None = None) -> None:
    """Parse a whole (small) part through the handlers."""
    for _ in feed(parser(start, end, text), stream):
        pass
