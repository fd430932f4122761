"""The one safe XML parser of the hub: no entities, no DTDs, no network, no XInclude, bounded size.

Every XML document the hub reads (UBL, SOAP payloads, bank statements) goes through `parse_xml`.
The document is fed to the parser a chunk at a time and its elements and depth are counted as
they are read, so a flood of tiny elements is refused long before its tree fills the memory.
UTF-8, UTF-16 and UTF-32 (with a byte order mark or an XML declaration) are read.
Pure: lxml only, no Flask.
"""

from __future__ import annotations

import re

from lxml import etree

from hub.domain.errors import Problem, ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ELEMENTS = 500_000
DEFAULT_MAX_DEPTH = 100  # a UBL invoice nests about 10 deep
_CHUNK = 1 << 16

# A DOCTYPE or ENTITY declaration may hide after a BOM, the XML declaration or comments; any occurrence
# anywhere is refused (a literal "<!DOCTYPE" inside a CDATA section is not worth the risk).
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WIDE_DTD_MARKERS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# How a document in a wide encoding starts: a byte order mark, or "<?" of its XML declaration.
# UTF-32's marks come first: a UTF-32 little-endian mark begins with UTF-16's.
_WIDE_STARTS = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
)
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def wide_encoding(data: bytes) -> str | None:
    """The Python codec of a UTF-16 or UTF-32 XML document (by its BOM or declaration), else None."""
    head = bytes(data[:4])
    return next((codec for start, codec in _WIDE_STARTS if head.startswith(start)), None)


def parser_input(data: bytes) -> bytes:
    """The bytes to give lxml: a UTF-32 byte order mark dropped (its incremental parser does not
    read one; the "<" after it shows the byte order, and lxml reads UTF-32 from it)."""
    return bytes(data[4:] if data[:4] in _UTF32_BOMS else data)


def _parser(**events: object) -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe and keep state (error logs, resolvers).
    factory = etree.XMLPullParser if events else etree.XMLParser
    return factory(
        **events,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        decompress=False,
        remove_pis=True,
        remove_comments=False,
        collect_ids=False,
    )


def _reject(code: str, message: str, line: int | None = None, column: int | None = None) -> ValidationError:
    # For XML the line number goes in segment_position and the column in component.
    problem = Problem(code=code, message=message, segment_position=line, component=column)
    return ValidationError(message, problems=[problem])


def _has_dtd_marker(data: bytes) -> bool:
    if _DTD_MARKERS.search(data):
        return True
    # UTF-16 and UTF-32 input hide the ASCII marker between zero bytes.
    codec = wide_encoding(data)
    if codec is not None:
        try:
            return bool(_WIDE_DTD_MARKERS.search(data.decode(codec)))
        except UnicodeDecodeError:
            return True
    return False


def parse_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_elements: int = DEFAULT_MAX_ELEMENTS,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> etree._Element:
    """Parse untrusted XML bytes safely; raise ValidationError (XML_*) naming what is wrong and where.

    More than `max_elements` elements or a nesting deeper than `max_depth` is refused while the
    document is read (XML_TOO_MANY_ELEMENTS, XML_TOO_DEEP)."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_xml takes bytes, not str: the XML declaration names the encoding")
    if len(data) > max_bytes:
        raise _reject("XML_TOO_LARGE", f"XML document is {len(data)} bytes, the limit is {max_bytes}")
    if not data.strip():
        raise _reject("XML_EMPTY", "XML document is empty")
    if _has_dtd_marker(bytes(data)):
        raise _reject("XML_DOCTYPE", "XML documents with a DOCTYPE or ENTITY declaration are not accepted")
    try:
        root = _read(parser_input(data), max_elements, max_depth)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise _reject(
            "XML_SYNTAX",
            f"XML is not well-formed: {exc.msg} (line {line}, column {column})",
            line,
            column,
        ) from None
    if root is None:
        raise _reject("XML_EMPTY", "XML document has no root element")
    if root.getroottree().docinfo.doctype:
        raise _reject("XML_DOCTYPE", "XML documents with a DOCTYPE are not accepted")
    return root


def _read(data: bytes, max_elements: int, max_depth: int) -> etree._Element | None:
    """Feed the parser a chunk at a time, counting elements and depth from its events."""
    parser = _parser(events=("start", "end"))
    counts = [0, 0]  # elements so far, current depth
    view = memoryview(data)
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.feed(bytes(view[offset:offset + _CHUNK]))
            _count(parser, counts, max_elements, max_depth)
        root: etree._Element | None = parser.close()
    except etree.XMLSyntaxError:
        # libxml2 stops at a depth of its own (256): what it read before says if ours was passed
        _count(parser, counts, max_elements, max_depth)
        raise
    return root


def _count(parser: etree.XMLPullParser, counts: list[int], max_elements: int,
           max_depth: int) -> None:
    count, depth = counts
    for event, _element in parser.read_events():
        if event == "end":
            depth -= 1
            continue
        count += 1
        depth += 1
        if count > max_elements:
            raise _reject("XML_TOO_MANY_ELEMENTS",
                          f"XML document has more than {max_elements} elements")
        if depth > max_depth:
            raise _reject("XML_TOO_DEEP", f"XML elements are nested more than {max_depth} deep")
    counts[:] = count, depth
