"""Bad UBL input is rejected with an error that says what and where."""

from __future__ import annotations

import pytest

from hub.domain.errors import UnsupportedContent, ValidationError
from mappings.ubl import detect, parse_ubl, render_ubl
from mappings.ubl.schema import XSD_DIR, schema_for
from tests.unit.ubl import samples

INVOICE = render_ubl(samples.invoice(2))


def _error(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        parse_ubl(data)
    return info.value


def test_non_ubl_root_is_rejected_naming_the_root() -> None:
    error = _error(b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    assert error.problems[0].code == "UBL_NOT_UBL"
    assert "html" in error.message


def test_unknown_ubl_document_is_rejected_by_name() -> None:
    data = b'<Waybill xmlns="urn:oasis:names:specification:ubl:schema:xsd:Waybill-2"/>'
    with pytest.raises(UnsupportedContent) as info:
        parse_ubl(data)
    assert "Waybill" in info.value.message


def test_schema_invalid_document_names_line_and_xpath() -> None:
    data = INVOICE.replace(b"<cbc:IssueDate>2024-03-01</cbc:IssueDate>",
                           b"<cbc:IssueDate>1st March</cbc:IssueDate>")
    error = _error(data)
    problem = error.problems[0]
    assert problem.code == "XML_SCHEMA"
    assert "IssueDate" in problem.message and "IssueDate" in (problem.element or "")
    assert problem.segment_position == data[: data.index(b"1st March")].count(b"\n") + 1


def test_missing_mandatory_element_is_a_schema_error() -> None:
    data = INVOICE.replace(b"<cbc:ID>INV-2024-1001</cbc:ID>", b"")
    assert "ID" in _error(data).problems[0].message


def test_invoice_whose_totals_do_not_add_up_names_the_totals() -> None:
    doc = samples.invoice(2)
    assert doc.totals.tax_inclusive is not None and doc.totals.payable is not None
    doc.totals.tax_inclusive += 1
    doc.totals.payable += 1
    error = _error(render_ubl(doc))
    assert [p.code for p in error.problems] == ["UBL_TOTALS"]
    assert "TaxInclusiveAmount" in error.problems[0].message
    assert error.problems[0].element == "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"


def test_line_sum_different_from_line_extension_amount_is_rejected() -> None:
    doc = samples.invoice(2)
    doc.lines[0].line_amount = (doc.lines[0].line_amount or 0) + 5
    error = _error(render_ubl(doc))
    assert "LineExtensionAmount" in error.problems[0].message and "BR-CO-10" in error.problems[0].message


def test_doctype_in_ubl_is_rejected_before_anything_else() -> None:
    evil = b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice '
    data = INVOICE.replace(b"<Invoice ", evil, 1)
    assert _error(data).problems[0].code == "XML_DOCTYPE"


def test_xinclude_in_ubl_is_not_expanded_and_fails_the_schema() -> None:
    data = INVOICE.replace(
        b"<cbc:Note>", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'
        b"<cbc:Note>", 1)
    error = _error(data)
    assert error.problems[0].code == "XML_SCHEMA"
    assert "root:" not in str(error.as_dict())


def test_detect_reports_kind_version_and_peppol_ids() -> None:
    from hub.xmlsafe import parse_xml

    found = detect(parse_xml(INVOICE))
    assert found.kind == "Invoice" and found.version is None
    assert found.customization_id and "peppol" in found.customization_id
    assert found.profile_id == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def test_packaged_schemas_are_small_and_compile_offline() -> None:
    assert max(p.stat().st_size for p in XSD_DIR.rglob("*.xsd")) < 1024 * 1024
    assert not any(b"<!DOCTYPE" in p.read_bytes() for p in XSD_DIR.rglob("*.xsd"))
    assert schema_for("OrderCancellation") is schema_for("OrderCancellation")  # compiled once, cached


def test_schema_import_outside_the_package_is_not_fetched() -> None:
    from lxml import etree

    from mappings.ubl.schema import _schema_parser

    evil = (b'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
            b'<xsd:import namespace="urn:y" schemaLocation="file:///etc/passwd"/></xsd:schema>')
    with pytest.raises(etree.XMLSchemaParseError):  # a plain parser reads /etc/passwd and chokes on it
        etree.XMLSchema(etree.fromstring(evil, etree.XMLParser(no_network=True)))
    etree.XMLSchema(etree.fromstring(evil, _schema_parser()))  # ours serves an empty schema instead
