"""Hostile XML is refused by the one safe parser, with a code that says what was wrong."""

from __future__ import annotations

import pytest

from hub.domain.errors import ValidationError
from hub.xmlsafe import parse_xml


def _code(data: bytes, **limits: int) -> str:
    with pytest.raises(ValidationError) as info:
        parse_xml(data, **limits)
    return info.value.problems[0].code


def test_plain_document_parses() -> None:
    root = parse_xml(b"<?xml version='1.0'?><a><b>x</b></a>")
    assert root.findtext("b") == "x"


def test_xxe_to_local_file_is_refused_and_nothing_leaks() -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<r>&x;</r>")
    with pytest.raises(ValidationError) as info:
        parse_xml(xxe)
    assert info.value.problems[0].code == "XML_DOCTYPE"
    assert "root:" not in str(info.value.as_dict())


def test_billion_laughs_is_refused() -> None:
    lol = b'<!DOCTYPE l [<!ENTITY a "lol">' + b"".join(
        b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10)
        for i in range(8)) + b"]><l>&i;</l>"
    assert _code(lol) == "XML_DOCTYPE"


def test_any_doctype_is_refused_even_after_comments_and_in_utf16() -> None:
    assert _code(b"<?xml version='1.0'?><!-- hi --><!DOCTYPE a><a/>") == "XML_DOCTYPE"
    assert _code('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16")) == "XML_DOCTYPE"


def test_parameter_entity_to_network_is_refused() -> None:
    data = b'<!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><a/>'
    assert _code(data) == "XML_DOCTYPE"


def test_xinclude_is_left_inert_never_expanded() -> None:
    data = (b'<a xmlns:xi="http://www.w3.org/2001/XInclude">'
            b'<xi:include href="file:///etc/passwd" parse="text"/></a>')
    root = parse_xml(data)
    assert "root:" not in "".join(root.itertext())
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"  # still an inert element


def test_oversized_document_is_refused_before_parsing() -> None:
    assert _code(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000) == "XML_TOO_LARGE"


def test_too_many_elements_is_refused() -> None:
    assert _code(b"<a>" + b"<b/>" * 200 + b"</a>", max_elements=100) == "XML_TOO_MANY_ELEMENTS"


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(ValidationError) as info:
        parse_xml(b"<a>\n  <b></c>\n</a>")
    problem = info.value.problems[0]
    assert problem.code == "XML_SYNTAX"
    assert problem.segment_position == 2  # the line
    assert problem.component is not None  # the column
    assert "line 2" in problem.message


def test_empty_input_and_str_input() -> None:
    assert _code(b"  ") == "XML_EMPTY"
    with pytest.raises(TypeError):
        parse_xml("<a/>")  # type: ignore[arg-type]


def test_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<a><?evil do-something?><b/></a>")
    assert [child.tag for child in root] == ["b"]


def test_nesting_past_the_depth_limit_is_refused_by_name():
    assert _code(b"<a>" * 11 + b"</a>" * 11, max_depth=10) == "XML_TOO_DEEP"
    assert parse_xml(b"<a>" * 10 + b"</a>" * 10, max_depth=10) is not None
    # past libxml2's own limit (256) it is still ours that is named
    assert _code(b"<a>" * 300 + b"</a>" * 300) == "XML_TOO_DEEP"


def test_the_element_limit_is_checked_while_the_document_is_read():
    # the count stops the parse early: the elements after the limit are never read
    data = b"<a>" + b"<b/>" * 1000 + b"<b>" + b"</a>"  # not well-formed past the limit
    assert _code(data, max_elements=100) == "XML_TOO_MANY_ELEMENTS"
