"""What the hub writes as EDIFACT speaks the code lists and passes the hub's own inbound structure
validation when read back: from EDIFACT fixtures, from UBL documents, and for the cases the issue found
(internal names in RFF and NAD, a UBL ICD as agency, a UUID in BGM, a long region, DESADV notes, units)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.documents import (
    Address,
    DespatchAdvice,
    Document,
    Identifier,
    IdScheme,
    Invoice,
    Line,
    Party,
    PartyRole,
    PurchaseOrder,
    Quantity,
    Reference,
    TaxSubtotal,
    Totals,
)
from hub.domain.errors import MappingError, Problem
from mappings.codelists import CodeListError
from mappings.edifact import registry
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from mappings.edifact.structure import validate_message
from mappings.ubl import parse_ubl, render_ubl
from tests.unit.edifact._profiles import FIXTURES, profile_for
from tests.unit.edifact._util import parse_file

ROOT = Path(__file__).resolve().parents[3]
UBL_FILES = sorted((ROOT / "fixtures" / "ubl").glob("*.xml"))
EDI_FILES = sorted(FIXTURES.glob("*.edi"))
TYPES = {"purchase_order": "ORDERS", "order_response": "ORDRSP", "despatch_advice": "DESADV",
         "invoice": "INVOIC", "remittance_advice": "REMADV", "catalogue": "PRICAT",
         "inventory_report": "INVRPT", "order_change": "ORDCHG", "order_cancellation": "ORDCHG"}
D96A, D01B = PartnerProfile(partner_id="d96a"), PartnerProfile(partner_id="d01b", directory="D01B")


def render_edifact(doc: Document, profile: PartnerProfile) -> bytes:
    """The document as one interchange in the profile's directory."""
    mtype = TYPES[doc.doc_type]
    mapping = registry.lookup(mtype, profile.directory, registry.OUTBOUND, profile.partner_id)
    directory = profile.directory
    message = Message("1", mtype, directory[0], directory[1:], "UN", profile.association,
                      mapping.render(doc, profile))
    return render_interchange(Envelope("SENDER", "RECIPIENT", "CR1"), [message])


def errors_read_back(data: bytes) -> list[Problem]:
    """Every error the hub's inbound envelope and structure validation finds in data."""
    interchange = parse_interchange(data)
    found = [p for p in interchange.problems if p.severity == "error"]
    for message in interchange.messages:
        found += [p for p in validate_message(message) if p.severity == "error"]
    return found


def read_back(data: bytes, profile: PartnerProfile) -> Document:
    """The one document in data, as the hub reads it."""
    (message,) = parse_interchange(data).messages
    return registry.lookup(message.type, message.directory).parse(message, profile)


def segments(data: bytes, tag: str) -> list[Segment]:
    (message,) = parse_interchange(data).messages
    return [s for s in message.segments if s.tag == tag]


@pytest.mark.parametrize("path", EDI_FILES, ids=[p.name for p in EDI_FILES])
@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_an_edifact_fixture_rendered_again_passes_the_hubs_own_validation(path: Path, directory: str) -> None:
    profile = replace(profile_for(path), directory=directory)
    for doc in parse_file(path, profile):
        assert errors_read_back(render_edifact(doc, profile)) == []


@pytest.mark.parametrize("path", UBL_FILES, ids=[p.name for p in UBL_FILES])
@pytest.mark.parametrize("profile", [D96A, D01B], ids=["D96A", "D01B"])
def test_a_ubl_document_rendered_as_edifact_passes_the_hubs_own_validation(path: Path,
                                                                             profile: PartnerProfile) -> None:
    doc = parse_ubl(path.read_bytes())
    data = render_edifact(doc, profile)
    assert errors_read_back(data) == []
    back = read_back(data, profile)
    # every reference keeps its kind and every party its role through the code lists (the seller's
    # order number goes out as VN and comes back as the order response it identifies)
    # an invoice's payment id (BT-83) goes out as RFF+PQ and comes back as its payment terms' payment
    # reference, its buyer reference (BT-10) as RFF+CR and back
    same = {"order", "sales_order", "order_response"}
    assert [(r.kind, r.number) for r in back.references if r.kind not in same] == \
        [(r.kind, r.number) for r in doc.references if r.kind not in same]
    paid_by = [t.payment_reference for t in getattr(doc, "payment_terms", []) if t.payment_reference][:1]
    assert [t.payment_reference for t in getattr(back, "payment_terms", []) if t.payment_reference] == paid_by
    assert getattr(back, "buyer_reference", None) == getattr(doc, "buyer_reference", None)
    assert sorted(p.role for p in back.parties) == sorted(p.role for p in doc.parties)


def test_a_peppol_order_speaks_1153_3035_and_3055_not_internal_names() -> None:
    doc = parse_ubl((ROOT / "fixtures" / "ubl" / "ponte_order_peppol.xml").read_bytes())
    doc.references += [Reference("tender", "T-1"), Reference("quotation", "Q-9")]
    doc.parties.append(Party(PartyRole.other, [Identifier("5790000435999", IdScheme.gln, "0088")],
                             raw_role="OriginatorCustomerParty"))
    data = render_edifact(doc, D96A)
    qualifiers = {s.elements[0][0] for s in segments(data, "RFF")}
    assert {"CR", "AAG", "ABO"} <= qualifiers and not {"buyer_reference", "quotation", "tender"} & qualifiers
    nads = {s.elements[0][0]: s.elements[1] for s in segments(data, "NAD")}
    assert nads["BY"] == ["5798000416604", "", "9"] and "OB" in nads  # GLN: agency 9, not ICD 0088
    assert "OriginatorCustomerParty" not in nads
    assert errors_read_back(data) == []


def _order(**changes: object) -> PurchaseOrder:
    line = Line("1", quantities=[Quantity(Decimal(5), "C62", "ordered")])
    doc = PurchaseOrder(number="PO-1", issued=date(2024, 5, 2), currency="EUR", lines=[line],
                        parties=[Party(PartyRole.buyer, [Identifier("5798000416604", IdScheme.gln, "0088")])])
    for name, value in changes.items():
        setattr(doc, name, value)
    return doc


def test_a_reference_kind_without_a_1153_code_is_refused_naming_segment_and_list() -> None:
    with pytest.raises(CodeListError) as caught:
        render_edifact(_order(references=[Reference("framework_deal", "F-1")]), D96A)
    (problem,) = caught.value.problems
    assert (problem.segment_tag, problem.element) == ("RFF", "C506/1153")
    assert "'framework_deal'" in problem.message and "UN/EDIFACT 1153" in problem.message


def test_a_uuid_number_loses_its_hyphens_in_bgm_and_a_long_number_is_refused() -> None:
    uuid = "3f2b5c1e-8a9d-4e7f-b6c5-1d2e3f4a5b6c"
    data = render_edifact(_order(number=uuid), D96A)
    assert segments(data, "BGM")[0].elements[1] == [uuid.replace("-", "")]
    assert errors_read_back(data) == []
    with pytest.raises(MappingError) as caught:
        render_edifact(_order(number="ORDER-" + "X" * 40), D96A)
    assert (caught.value.problems[0].segment_tag, caught.value.problems[0].element) == ("BGM", "1004")


def test_a_region_longer_than_d96a_3229_is_a_street_line_there_and_c819_from_d01b() -> None:
    buyer = Party(PartyRole.buyer, [Identifier("5798000416604", IdScheme.gln)],
                  address=Address(["Street 1"], "Oslo", "0150", "Midt-Jylland Region", "NO"))
    data = render_edifact(_order(parties=[buyer]), D96A)
    assert errors_read_back(data) == []
    address = read_back(data, D96A).parties[0].address
    assert address is not None and address.street == ["Street 1", "Midt-Jylland Region"]
    buyer.address.street = ["1", "2", "3", "4"]  # type: ignore[union-attr]
    with pytest.raises(MappingError) as caught:  # no room left: refused, never cut
        render_edifact(_order(parties=[buyer]), D96A)
    assert (caught.value.problems[0].segment_tag, caught.value.problems[0].element) == ("NAD", "3229")
    buyer.address.street = ["Street 1"]  # type: ignore[union-attr]
    data = render_edifact(_order(parties=[buyer]), D01B)
    assert errors_read_back(data) == []
    assert read_back(data, D01B).parties[0].address.region == "Midt-Jylland Region"  # type: ignore[union-attr]


@pytest.mark.parametrize("profile", [D96A, D01B], ids=["D96A", "D01B"])
def test_despatch_advice_notes_go_where_desadv_has_ftx(profile: PartnerProfile) -> None:
    line = Line("1", quantities=[Quantity(Decimal(2), "C62", "despatched")], notes=["fragile"])
    doc = DespatchAdvice(number="DES-1", notes=["ring the bell"], order_number="PO-1", lines=[line])
    data = render_edifact(doc, profile)
    assert errors_read_back(data) == []
    back = read_back(data, profile)
    assert back.notes == ["ring the bell"] and back.lines[0].notes == ["fragile"]


D01B_GBND = ("UNA:+.? 'UNB+UNOC:3+SENDER:14+RECIPIENT:14+240101:1200+1'UNH+1+ORDERS:D:01B:UN'"
             "BGM+220+PO-9+9'DTM+137:20240101:102'NAD+BY+5798000416604::9'LIN+1++4000862141404:SRV'"
             "QTY+21:3:GBND'UNS+S'UNT+8+1'UNZ+1+1'")


def test_a_four_character_unit_from_d01b_is_kept_and_translated_where_the_profile_says_so() -> None:
    data = D01B_GBND.encode()
    assert errors_read_back(data) == []
    doc = read_back(data, D01B)
    assert doc.lines[0].quantities[0].unit == "GBND"
    # the same partner writing it back: its profile lists the unit
    own = PartnerProfile(partner_id="gebinde", directory="D01B", unit_codes={"GBND": "GBND"})
    assert segments(render_edifact(doc, own), "QTY")[0].elements[0] == ["21", "3", "GBND"]
    # a partner whose profile translates it to a Rec 20 bundle
    translated = read_back(data, PartnerProfile(partner_id="t", directory="D01B", unit_codes={"GBND": "XBE"}))
    assert translated.lines[0].quantities[0].unit == "XBE"
    assert segments(render_edifact(translated, D96A), "QTY")[0].elements[0] == ["21", "3", "XBE"]


def test_an_unusable_unit_is_refused_naming_segment_element_and_line() -> None:
    doc = read_back(D01B_GBND.encode(), D01B)
    with pytest.raises(CodeListError) as caught:  # not Rec 20 and unknown to the receiving partner
        render_edifact(doc, D01B)
    (problem,) = caught.value.problems
    assert (problem.segment_tag, problem.element) == ("QTY", "C186/6411") and "line 1" in problem.message
    too_long = PartnerProfile(partner_id="old", unit_codes={"GBND": "GBND"})  # D.96A: 6411 is an..3
    with pytest.raises(CodeListError, match="longer than the 3 characters D96A allows in QTY C186/6411"):
        render_edifact(doc, too_long)
    with pytest.raises(CodeListError, match="'GBND' has no code in UN/ECE Recommendation 20"):
        render_ubl(doc)


def _exempt_invoice(category: str) -> Invoice:
    line = Line("1", quantities=[Quantity(Decimal(1), "C62", "invoiced")], line_amount=Decimal("100.00"),
                tax_category=category)
    return Invoice(number="INV-E", issued=date(2024, 5, 2), currency="EUR", lines=[line], tax_subtotals=[
        TaxSubtotal(category, None, Decimal("100.00"), Decimal("0.00"), exemption_reason="Exempt")],
        totals=Totals(line_total=Decimal("100.00"), tax_exclusive=Decimal("100.00"),
                      tax_total=Decimal("0.00"), tax_inclusive=Decimal("100.00"), payable=Decimal("100.00")))


@pytest.mark.parametrize("category", ["E", "O"])
@pytest.mark.parametrize("profile", [D96A, D01B], ids=["D96A", "D01B"])
def test_tax_without_a_rate_renders_as_invoic_and_reads_back(category: str, profile: PartnerProfile) -> None:
    data = render_edifact(_exempt_invoice(category), profile)
    assert errors_read_back(data) == []
    back = read_back(data, profile)
    assert isinstance(back, Invoice)
    assert [(s.category, s.rate, s.taxable_amount) for s in back.tax_subtotals] == \
        [(category, None, Decimal("100.00"))]
    assert (back.lines[0].tax_category, back.lines[0].tax_rate) == (category, None)


def test_long_notes_and_descriptions_fit_d96a_without_losing_text() -> None:
    note, description = "word " * 150, "a long item description " * 8
    doc = _order(notes=[note.strip()])
    doc.lines[0].item.description = description.strip()
    data = render_edifact(doc, D96A)
    assert errors_read_back(data) == []
    back = read_back(data, D96A)
    assert " ".join(back.notes) == note.strip()  # 750 characters: two FTX of up to 5 x 70
    line = back.lines[0]
    assert " ".join([line.item.description or "", *line.notes]) == description.strip()
