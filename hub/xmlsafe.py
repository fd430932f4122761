"""The one safe XML parser of the hub: no entities, no DTDs, no network, no XInclude, bounded size.

Every XML document the hub reads (UBL, SOAP payloads, bank statements) goes through `parse_xml`.
Pure: lxml only, no Flask.
"""

from __future__ import annotations

import re

from lxml import etree

from hub.domain.errors import Problem, ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ELEMENTS = 500_000

# A DOCTYPE or ENTITY declaration may hide after a BOM, the XML declaration or comments; any occurrence
# anywhere is refused (a literal "<!DOCTYPE" inside a CDATA section is not worth the risk).
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_UTF16_DTD_MARKERS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe and keep state (error logs, resolvers).
    return etree.XMLParser(
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
    # UTF-16 input hides the ASCII marker between zero bytes.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        try:
            return bool(_UTF16_DTD_MARKERS.search(data.decode("utf-16")))
        except UnicodeDecodeError:
            return True
    return False


def parse_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_elements: int = DEFAULT_MAX_ELEMENTS
) -> etree._Element:
    """Parse untrusted XML bytes safely; raise ValidationError (XML_*) naming what is wrong and where."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_xml takes bytes, not str: the XML declaration names the encoding")
    if len(data) > max_bytes:
        raise _reject("XML_TOO_LARGE", f"XML document is {len(data)} bytes, the limit is {max_bytes}")
    if not data.strip():
        raise _reject("XML_EMPTY", "XML document is empty")
    if _has_dtd_marker(bytes(data)):
        raise _reject("XML_DOCTYPE", "XML documents with a DOCTYPE or ENTITY declaration are not accepted")
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
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
    _check_element_count(root, max_elements)
    return root


def _check_element_count(root: etree._Element, max_elements: int) -> None:
    for count, _ in enumerate(root.iter(), start=1):
        if count > max_elements:
            raise _reject(
                "XML_TOO_MANY_ELEMENTS",
                f"XML document has more than {max_elements} elements",
            )
