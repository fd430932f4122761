"""A partner's UBL ApplicationResponse (Peppol MLR, Invoice Response) read like an APERAK."""

from __future__ import annotations

import pytest

from hub.domain.acknowledgements import AckStatus
from hub.domain.errors import ValidationError
from mappings.ubl import read_application_response


def test_a_peppol_invoice_response_under_query_reads_its_reasons() -> None:
    xml = b"""<ApplicationResponse
      xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
      xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
      xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
      <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:invoice_response:3</cbc:CustomizationID>
      <cbc:ID>IMR-7</cbc:ID><cbc:IssueDate>2026-11-22</cbc:IssueDate>
      <cac:SenderParty><cbc:EndpointID schemeID="0088">5498765000017</cbc:EndpointID></cac:SenderParty>
      <cac:ReceiverParty><cbc:EndpointID schemeID="0088">5412345000013</cbc:EndpointID></cac:ReceiverParty>
      <cac:DocumentResponse>
        <cac:Response><cbc:ResponseCode>UQ</cbc:ResponseCode>
          <cac:Status><cbc:StatusReasonCode>REF</cbc:StatusReasonCode>
            <cbc:StatusReason>Order reference missing</cbc:StatusReason></cac:Status>
        </cac:Response>
        <cac:DocumentReference><cbc:ID>INV-42</cbc:ID><cbc:DocumentTypeCode>380</cbc:DocumentTypeCode>
        </cac:DocumentReference>
      </cac:DocumentResponse></ApplicationResponse>"""
    ack = read_application_response(xml)
    assert (ack.number, ack.status, ack.response, ack.source) == (
        "IMR-7", AckStatus.received, "UQ", "ApplicationResponse")
    assert ack.references == [("DocumentReference", "INV-42")]
    assert [(e.code, e.text) for e in ack.errors] == [("REF", "Order reference missing")]
    with pytest.raises(ValidationError):  # an Invoice is no answer
        read_application_response(xml.replace(b"ApplicationResponse", b"Invoice"))
