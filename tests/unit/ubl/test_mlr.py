"""The hub's Message Level Response (T71): each problem a LineResponse with its XPath (or NA) and the
Peppol status reason (SV syntax, BV business rule, BW warning); valid by the independent T71 rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Identifier, IdScheme
from hub.domain.errors import Problem
from hub.xmlsafe import parse_xml
from mappings.ubl.common import NS
from mappings.ubl.mlr import Refused, refused_in, render_mlr, status_reason
from mappings.ubl.outbound_validation import validate_document
from tests.support.conformance import oracle_fatal, oracle_module

INVOICE = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "ponte_invoice_peppol.xml"
HUB = Identifier("5412345000013", IdScheme.gln, "0088")
PROBLEMS = [
    Problem(code="XML_SCHEMA", message="not valid", element="/Invoice/cbc:Bogus", segment_position=7),
    Problem(code="SENDER_MISMATCH", message="seller is another partner",
            element="/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"),
    Problem(code="DUPLICATE_DOCUMENT", message="number already received"),
    Problem(code="SENDER_PARTY_UNKNOWN", message="unknown seller", severity="warning"),
]


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def test_each_problem_is_a_line_response_with_its_status_reason(peppol_oracle: Any, tmp_path: Path) -> None:
    refused = refused_in(INVOICE.read_bytes(), None)
    assert (refused.document_id, refused.kind) == ("INV-2024-1001", "Invoice")
    data = render_mlr("M00000007", datetime(2026, 12, 2, 10, 0, tzinfo=UTC), refused, PROBLEMS,
                      sender=HUB, receiver=None)
    assert oracle_fatal(peppol_oracle, data, tmp_path, "mlr.xml") == []
    assert validate_document(data).rules[-1] == "OpenPeppol 2026.5 T71"
    assert not validate_document(data).fatal
    root = parse_xml(data)
    lines = [(ln.findtext("cac:LineReference/cbc:LineID", namespaces=NS),
              ln.findtext("cac:Response/cac:Status/cbc:StatusReasonCode", namespaces=NS))
             for ln in root.iterfind("cac:DocumentResponse/cac:LineResponse", NS)]
    assert lines == [("/Invoice/cbc:Bogus", "SV"),
                     ("/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "BV"),
                     ("NA", "BV"), ("NA", "BW")]
    assert root.findtext("cac:DocumentResponse/cac:DocumentReference/cbc:DocumentTypeCode",
                         namespaces=NS) == "380"
    assert "(line 7)" in (root.findtext("cac:DocumentResponse/cac:LineResponse/cac:Response/cbc:Description",
                                        namespaces=NS) or "")


def test_an_unreadable_file_is_answered_by_its_control_reference() -> None:
    refused = refused_in(b"<broken", "REF-1")
    assert refused == Refused("REF-1")
    assert refused_in(b"", None).document_id == "NA"


def test_status_reasons() -> None:
    assert [status_reason(p) for p in PROBLEMS] == ["SV", "BV", "BV", "BW"]
    assert status_reason(Problem(code="XML_DOCTYPE", message="doctype")) == "SV"
