"""UTF-16 and UTF-32 XML, with a byte order mark or an encoding declaration, is read like UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.domain.errors import ValidationError
from hub.exchanges.sniff import sniff
from hub.xmlsafe import parse_xml
from mappings.ubl import parse_ubl

INVOICE = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "ponte_invoice_peppol.xml"
CODECS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


def _recoded(codec: str, *, declared: bool = True) -> bytes:
    """The fixture invoice in `codec`: declared in its XML declaration, or with only a BOM."""
    text = INVOICE.read_text(encoding="utf-8")
    body = text.split("?>", 1)[1].lstrip()
    if declared:
        return f"<?xml version='1.0' encoding='{codec.upper()}'?>\n{body}".encode(codec)
    return body.encode(codec)  # Python's utf-16 and utf-32 codecs write a BOM


@pytest.mark.parametrize("codec", CODECS)
def test_a_wide_invoice_is_sniffed_and_mapped_as_its_utf8_original(codec):
    data = _recoded(codec)
    found = sniff(data)
    assert (found.syntax, found.doc_type) == ("xml", "Invoice")
    assert found.control_ref == sniff(INVOICE.read_bytes()).control_ref
    assert parse_ubl(data) == parse_ubl(INVOICE.read_bytes())


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_byte_order_mark_alone_is_enough(codec):
    assert sniff(_recoded(codec, declared=False)).syntax == "xml"
    assert parse_xml(_recoded(codec, declared=False)).tag.endswith("Invoice")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32-be"])
def test_a_doctype_is_refused_in_any_encoding(codec):
    data = "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>".encode(codec)
    with pytest.raises(ValidationError) as caught:
        parse_xml(data)
    assert caught.value.problems[0].code == "XML_DOCTYPE"
