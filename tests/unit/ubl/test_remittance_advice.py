"""UBL 2.1 RemittanceAdvice read and written: the same canonical RemittanceAdvice as REMADV (invoice
numbers and amounts per line, payer, payment date), both ways, and valid against the UBL 2.1 schema."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import PartyRole, RemittanceAdvice
from hub.domain.errors import MappingError
from hub.rendering import Identity, render
from mappings.edifact import registry
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.outbound_validation import validate_interchange
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.ubl import parse_ubl, render_ubl
from mappings.ubl.outbound_validation import validate_document
from tests.support.conformance import oracle_fatal
from tests.unit.edifact._util import parse_file

ROOT = Path(__file__).resolve().parents[3]
UBL_FIXTURE = ROOT / "fixtures" / "ubl" / "ponte_remittanceadvice.xml"
REMADV_FIXTURE = ROOT / "fixtures" / "edifact" / "demo_remadv_d96a_basic.edi"
D = Decimal


def _payer_ids(doc: RemittanceAdvice) -> list[str]:
    party = doc.party(PartyRole.payer)
    assert party is not None
    return [i.value for i in party.ids]


def _essentials(doc: RemittanceAdvice) -> tuple[Any, ...]:
    """What reconciliation reads: number, payment date, total, payer, and per line the invoice and amounts."""
    lines = [(r.invoice_number, r.paid, r.invoice_amount, r.adjustment, r.adjustment_reason, r.invoice_date)
             for r in doc.remittances]
    return doc.number, doc.payment_date, doc.total_paid, doc.currency, _payer_ids(doc), lines


def test_one_payment_of_three_invoices_one_in_part() -> None:
    doc = parse_ubl(UBL_FIXTURE.read_bytes())
    assert isinstance(doc, RemittanceAdvice)
    assert [(r.invoice_number, r.paid, r.invoice_amount) for r in doc.remittances] == [
        ("INV-2024-7781", D("123.23"), D("125.74")), ("INV-2024-7799", D("540.00"), D("540.00")),
        ("INV-2024-7840", D("1000.00"), D("2480.50"))]
    assert doc.remittances[0].adjustment == D("-2.51")  # the deduction the payer took
    assert sum(r.paid for r in doc.remittances) == doc.total_paid == D("1663.23")
    assert _payer_ids(doc) == ["5412345000013"] and str(doc.payment_date) == "2024-05-21"


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_ubl_and_remadv_give_the_same_canonical_remittance_advice(directory: str) -> None:
    doc = parse_ubl(UBL_FIXTURE.read_bytes())
    assert isinstance(doc, RemittanceAdvice)
    _through_remadv(doc, directory)


def _through_remadv(doc: RemittanceAdvice, directory: str) -> tuple[bytes, RemittanceAdvice]:
    """`doc` written as a REMADV of `directory` (valid) and read back the same: the bytes, what was read."""
    profile = PartnerProfile(directory=directory)
    rendered = render(doc, "edifact", profile=profile, identity=Identity("A", "14", "B", "14"),
                      control_ref="R1")
    assert [p for p in validate_interchange(rendered.data).problems if p.severity == "error"] == []
    (message,) = parse_interchange(rendered.data).messages
    back = registry.lookup("REMADV", directory).parse(message, profile)
    assert isinstance(back, RemittanceAdvice)
    assert _essentials(back) == _essentials(doc)
    return rendered.data, back


def test_a_remadv_written_as_ubl_reads_back_the_same(oracle: Any, tmp_path: Path) -> None:
    (doc,) = parse_file(REMADV_FIXTURE, GENERIC)
    assert isinstance(doc, RemittanceAdvice)
    data = render_ubl(doc)  # validated against the UBL 2.1 schema
    assert validate_document(data).problems == []
    assert oracle_fatal(oracle, data, tmp_path, "remittance.xml") == []  # the independent OASIS XSD
    back = parse_ubl(data)
    assert isinstance(back, RemittanceAdvice)
    assert _essentials(back) == _essentials(doc)
    assert {(p.role, p.name) for p in back.parties} == {(p.role, p.name) for p in doc.parties}
    assert [(r.kind, r.number) for r in back.references] == [(r.kind, r.number) for r in doc.references]


def test_ubl_remittance_advice_is_registered_both_ways() -> None:
    doc = parse_ubl(UBL_FIXTURE.read_bytes())
    rendered = render(doc, "ubl", profile=GENERIC, identity=Identity("A", "14", "B", "14"), control_ref="R")
    assert rendered.message_type == "RemittanceAdvice"
    assert parse_ubl(rendered.data).remittances == doc.remittances  # type: ignore[attr-defined]


def test_a_line_without_an_amount_is_refused_naming_it() -> None:
    data = UBL_FIXTURE.read_bytes().replace(
        b'<cbc:DebitLineAmount currencyID="EUR">540.00</cbc:DebitLineAmount>', b"")
    with pytest.raises(MappingError) as caught:
        parse_ubl(data)
    (problem,) = caught.value.problems
    assert problem.element == "/RemittanceAdvice/cac:RemittanceAdviceLine[2]/cbc:DebitLineAmount"
    assert "INV-2024-7799" in problem.message


def test_a_remittance_advice_without_currency_is_not_written() -> None:
    doc = parse_ubl(UBL_FIXTURE.read_bytes())
    doc.currency = None
    with pytest.raises(MappingError) as caught:
        render_ubl(doc)
    assert caught.value.problems[0].element == "/RemittanceAdvice/cbc:DocumentCurrencyCode"


CREDIT_NOTES_UBL = ROOT / "fixtures" / "ubl" / "ponte_remittanceadvice_credit_notes.xml"
CREDIT_NOTES_REMADV = ROOT / "fixtures" / "edifact" / "demo_remadv_d96a_credit_notes.edi"
DEDUCTED = [("INV-2026-000501", D("1000.00")), ("CN-2026-000001", D("-100.00")),
            ("INV-2026-000502", D("250.00")), ("CN-2026-000002", D("-50.00"))]


def test_a_credit_note_line_deducts_whether_or_not_the_sender_signed_it() -> None:
    """REMADV DOC+381 with MOA+12:-100.00 (EANCOM signs it) and with MOA+12:50.00 (some senders do
    not); UBL CreditNoteDocumentReference with a CreditLineAmount, and with a DebitLineAmount: each a
    negative line, the total what the payer paid."""
    (remadv,) = parse_file(CREDIT_NOTES_REMADV, GENERIC)
    ubl = parse_ubl(CREDIT_NOTES_UBL.read_bytes())
    for doc in (remadv, ubl):
        assert isinstance(doc, RemittanceAdvice)
        assert [(r.invoice_number, r.paid) for r in doc.remittances] == DEDUCTED
        assert [r.invoice_amount for r in doc.remittances] == [D("1000.00"), D("-100.00"), D("250.00"),
                                                               D("-50.00")]
        assert sum(r.paid for r in doc.remittances) == doc.total_paid == D("1100.00")


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_a_deduction_is_written_as_a_credit_note_both_ways(directory: str, oracle: Any,
                                                           tmp_path: Path) -> None:
    """Written, a negative line names a credit note: DOC+381 with the signed amount in REMADV,
    CreditNoteDocumentReference with a CreditLineAmount in UBL (valid against the OASIS schema); each
    reads back the same."""
    doc = parse_ubl(CREDIT_NOTES_UBL.read_bytes())
    assert isinstance(doc, RemittanceAdvice)
    written, back = _through_remadv(doc, directory)
    text = written.decode().replace("\n", "")
    assert "DOC+381+CN-2026-000001'MOA+12:-100" in text and "DOC+380+INV-2026-000501'" in text
    data = render_ubl(back)
    assert oracle_fatal(oracle, data, tmp_path, "remittance.xml") == []
    assert data.count(b"<cac:CreditNoteDocumentReference>") == 2
    assert b"<cbc:CreditLineAmount currencyID=\"EUR\">50.00</cbc:CreditLineAmount>" in data
    assert _essentials(parse_ubl(data)) == _essentials(doc)  # type: ignore[arg-type]
