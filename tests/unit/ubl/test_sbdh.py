"""The Peppol envelope (SBDH): written around UBL with the sender, receiver and the DOCUMENTID,
PROCESSID and COUNTRY_C1 scopes, read back, and checked against the document it carries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.errors import ValidationError
from hub.exchanges.sniff import sniff
from hub.xmlsafe import parse_xml
from mappings.ubl import sbdh

INVOICE = (Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "ponte_invoice_peppol.xml").read_bytes()
CREATED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DOCUMENT_ID = ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
               "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1")


def _wrapped(data: bytes = INVOICE) -> bytes:
    return sbdh.wrap(parse_xml(data), created=CREATED, instance_id="4b1c7a0e-5d2f-4a8e-9c61-0f3d2b7e8a11")


def test_an_invoice_is_wrapped_and_read_back_with_its_scopes() -> None:
    envelope, payload = sbdh.unwrap(parse_xml(_wrapped()))
    assert envelope == sbdh.Envelope(sender="0088:5790000435975", receiver="0088:5798000416604",
                                     instance_id="4b1c7a0e-5d2f-4a8e-9c61-0f3d2b7e8a11",
                                     document_id=DOCUMENT_ID,
                                     process_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", country="DK")
    assert payload.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID") \
        == "INV-2024-1001"
    assert sbdh.check(envelope, payload) == []


def test_the_sniffer_takes_the_carried_document_and_the_instance_identifier() -> None:
    found = sniff(_wrapped())
    assert (found.syntax, found.doc_type, found.control_ref) == (
        "xml", "Invoice", "4b1c7a0e-5d2f-4a8e-9c61-0f3d2b7e8a11")


@pytest.mark.parametrize(("old", "new", "code", "element"), [
    (b"0088:5798000416604", b"0088:5790000000005", "SBDH_RECEIVER_MISMATCH",
     "/StandardBusinessDocument/StandardBusinessDocumentHeader/Receiver/Identifier"),
    (b"0088:5790000435975</", b"0088:5790000000005</", "SBDH_SENDER_MISMATCH",
     "/StandardBusinessDocument/StandardBusinessDocumentHeader/Sender/Identifier"),
    (b"Invoice-2::Invoice##", b"Invoice-2::CreditNote##", "SBDH_DOCUMENT_MISMATCH",
     "/StandardBusinessDocument/StandardBusinessDocumentHeader/BusinessScope/Scope"),
    (b">urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</InstanceIdentifier>",
     b">urn:fdc:peppol.eu:poacc:bis:ordering:3</InstanceIdentifier>", "SBDH_PROCESS_MISMATCH",
     "/StandardBusinessDocument/StandardBusinessDocumentHeader/BusinessScope/Scope")])
def test_a_header_that_disagrees_with_its_document_is_named(old: bytes, new: bytes, code: str,
                                                           element: str) -> None:
    data = _wrapped()
    assert old in data
    envelope, payload = sbdh.unwrap(parse_xml(data.replace(old, new, 1)))
    assert [(p.code, p.element) for p in sbdh.check(envelope, payload)] == [(code, element)]


def test_an_envelope_without_exactly_one_document_is_refused() -> None:
    data = _wrapped()
    empty = data[:data.index(b"<Invoice")] + b"</StandardBusinessDocument>"
    with pytest.raises(ValidationError) as caught:
        sbdh.unwrap(parse_xml(empty))
    assert caught.value.problems[0].code == "SBDH_PAYLOAD"


def test_a_document_with_no_endpoint_gets_no_envelope() -> None:
    bare = INVOICE.replace(b'<cbc:EndpointID schemeID="0088">5798000416604</cbc:EndpointID>', b"")
    bare = bare.replace(b'<cbc:ID schemeID="0088">5798000416604</cbc:ID>', b"<cbc:ID>LOCAL-7</cbc:ID>")
    bare = bare.replace(b"DK87654321", b"XX87654321")
    with pytest.raises(ValidationError) as caught:
        _wrapped(bare)
    assert caught.value.problems[0].code == "SBDH_NO_ENDPOINT" and "receiver" in caught.value.message


_VALUE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(sender=_VALUE, receiver=_VALUE, instance=_VALUE, document=_VALUE, process=_VALUE)
def test_any_header_values_are_read_or_named_never_a_crash(sender: str, receiver: str, instance: str,
                                                           document: str, process: str) -> None:
    data = _wrapped()
    for old, new in ((b"0088:5790000435975<", sender), (b"0088:5798000416604<", receiver),
                     (b"4b1c7a0e-5d2f-4a8e-9c61-0f3d2b7e8a11<", instance),
                     (DOCUMENT_ID.encode() + b"<", document),
                     (b"urn:fdc:peppol.eu:2017:poacc:billing:01:1.0<", process)):
        data = data.replace(old, escape(new).encode() + b"<", 1)
    envelope, payload = sbdh.unwrap(parse_xml(data))
    assert (envelope.sender, envelope.instance_id) == (sender.strip() or None, instance.strip() or None)
    for problem in sbdh.check(envelope, payload):
        assert problem.code.startswith("SBDH_") and (problem.element or "").startswith(sbdh.HEADER)
