"""The good files of the shared corpus map to canonical documents with the facts a user would check."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.documents import Invoice, PartyRole, PurchaseOrder
from hub.domain.errors import MappingError, Problem
from mappings.edifact import invoic
from mappings.edifact.profile import GENERIC
from tests.unit.edifact._adapter import load
from tests.unit.edifact._profiles import CORPUS
from tests.unit.edifact._util import parse_file


def _one(name: str, warnings: list[Problem] | None = None) -> PurchaseOrder | Invoice:
    (doc,) = parse_file(CORPUS / name, GENERIC, warnings)
    assert isinstance(doc, PurchaseOrder | Invoice)
    return doc


def _gln(doc: PurchaseOrder | Invoice, role: PartyRole) -> str | None:
    party = doc.party(role)
    return party.id_of(party.ids[0].scheme) if party and party.ids else None


def test_pydifact_eancom_order() -> None:
    doc = _one("pydifact/order.edi")
    assert isinstance(doc, PurchaseOrder)
    assert doc.number == "801715918011"
    assert doc.issued == datetime(2015, 8, 3, tzinfo=UTC)
    assert doc.delivery_date == datetime(2015, 8, 6, tzinfo=UTC)
    assert _gln(doc, PartyRole.buyer) == "8711576000012"
    assert _gln(doc, PartyRole.supplier) == "5020436000004"
    assert [ln.item.gtin for ln in doc.lines] == ["5020436373085", "5020436373108"]
    assert [q.value for ln in doc.lines for q in ln.quantities] == [8, 8]


def test_pydifact_plain_order() -> None:
    doc = _one("pydifact/order2.edi")
    assert (doc.number, len(doc.lines)) == ("PO123456", 1)
    line = doc.lines[0]
    assert line.item.buyer_number == "ABC123"
    assert line.prices[0].amount == Decimal("25.00")
    assert line.quantity("ordered") is not None


def test_wikipedia_order_with_unstructured_party() -> None:
    doc = _one("pydifact/wikipedia_de.edi")
    assert doc.number == "B10001"
    assert doc.issued == date(2006, 6, 20)  # DTM 4, the order date, when there is no DTM 137
    buyer = doc.party(PartyRole.buyer)
    assert buyer is not None and buyer.name == "Bestellername" and buyer.address is not None
    assert (buyer.address.city, buyer.address.postcode) == ("Stadt", "23436")
    assert doc.lines[0].item.supplier_number == "Produkt Schrauben"


def test_pydifact_credit_note_d97a() -> None:
    warnings: list[Problem] = []
    doc = _one("pydifact/invoice1.edi", warnings)
    assert isinstance(doc, Invoice)
    assert doc.number == "1060113800026" and doc.is_credit_note
    assert doc.currency == "EUR"
    assert doc.lines[0].line_amount == Decimal("1960.29")
    assert doc.lines[0].quantity("despatched").value == 54  # type: ignore[union-attr]  # QTY+12
    assert any(r.kind == "order" and r.number == "X18V00003" for r in doc.lines[0].references)
    assert doc.totals.tax_inclusive == Decimal("1960.29")
    supplier = doc.party(PartyRole.supplier)
    assert supplier is not None and supplier.tax_ids[0].value == "123844750"
    # DTM+137:199910060000:102 is a 12-digit value labelled 102: read as 203, with a warning
    assert doc.issued == datetime(1999, 10, 6, tzinfo=UTC)
    assert {w.code for w in warnings} == {"DATE_FORMAT_MISMATCH"}


def test_staedi_d93a_with_decimal_comma() -> None:
    warnings: list[Problem] = []
    doc = _one("staedi/invoic_d93a_una.edi", warnings)
    assert isinstance(doc, Invoice)
    assert doc.number == "9908001" and len(doc.lines) == 3
    assert [ln.line_amount for ln in doc.lines] == [Decimal(750), Decimal("19.9"), Decimal("7.5")]
    assert (doc.totals.line_total, doc.totals.tax_total, doc.totals.tax_inclusive) == (
        Decimal("777.4"), Decimal("124.38"), Decimal("901.78"))
    assert doc.tax_subtotals[0].rate == 16
    assert doc.reference("order").number == "O0010001"  # type: ignore[union-attr]
    # the order date under RFF+ON is 19999715: the reference keeps no date, the exchange a warning
    assert [(w.code, w.segment_position, w.element) for w in warnings] == [("BAD_DATE", 5, "C507/2380")]


def test_staedi_d97b_invoice() -> None:
    doc = _one("staedi/invoic_d97b.edi")
    assert isinstance(doc, Invoice)
    assert (doc.number, doc.currency, len(doc.lines)) == ("342459", "USD", 2)
    assert doc.lines[0].quantity().value == 1020  # type: ignore[union-attr]
    assert doc.lines[0].quantity().unit == "EA"  # type: ignore[union-attr]
    assert doc.lines[0].prices[0].amount == Decimal("1.179")
    assert [(a.is_charge, a.amount) for a in doc.allowances_charges] == [(True, Decimal(525))]
    assert doc.totals.tax_inclusive == Decimal("2137.58")


def test_staedi_order_in_functional_group() -> None:
    doc = _one("staedi/orders-with-group.edi")
    assert doc.number == "C1441747"
    assert _gln(doc, PartyRole.buyer) == "5400110000009"
    assert doc.party(PartyRole.supplier).name == "COMPANY ABC"  # type: ignore[union-attr]
    assert doc.lines[0].item.gtin == "5400111864181"
    assert doc.lines[0].quantity("ordered").value == 288  # type: ignore[union-attr]


def test_smooks_d03b_invoice_and_order() -> None:
    inv = _one("smooks/INVOIC_D.03B_Interchange_with_UNA.txt")
    assert isinstance(inv, Invoice)
    assert (inv.number, len(inv.lines)) == ("539602", 2)
    assert _gln(inv, PartyRole.buyer) == "5708601000836"
    assert inv.totals.tax_inclusive == Decimal(362)
    assert inv.lines[0].item.description.startswith("Collectors edition of The Hobbit")  # type: ignore[union-attr]
    order = _one("smooks/ORDERS_D.03B_Interchange.txt")
    assert order.number == "BKOD99"
    assert [q.value for ln in order.lines for q in ln.quantities] == [25, 25, 16, 10]
    assert order.lines[1].notes == ["The Hobbit"]


@pytest.mark.parametrize(("name", "number", "lines", "payable"), [
    ("EDIFACT_EXAMPLE0.TXT", "12115118", 1, Decimal("22.00")),
    ("EDIFACT_EXAMPLE1.TXT", "12115118", 20, Decimal("250.33")),
    ("EDIFACT_EXAMPLE2.TXT", "TOSL108", 5, Decimal("801.78")),
    ("EDIFACT_EXAMPLE3.TXT", "TOSL108", 1, Decimal("1125")),
])
def test_en16931_d14b_invoices(name: str, number: str, lines: int, payable: Decimal) -> None:
    doc = _one(f"en16931-invoic-d14b/{name}")
    assert isinstance(doc, Invoice)
    assert (doc.number, len(doc.lines), doc.totals.payable) == (number, lines, payable)
    assert doc.profile["customization_id"] == "urn:cen.eu:en16931:2017"
    assert doc.tax_subtotals and doc.payment_terms


def test_en16931_example_with_binary_object_maps_its_invoice() -> None:
    """EXAMPLE2 carries a PDF in a UNO/UNP package after UNT: the invoice itself still maps."""
    doc = _one("en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT")
    assert isinstance(doc, Invoice)
    assert doc.totals.prepaid == Decimal(1000)
    assert [s.rate for s in doc.tax_subtotals] == [Decimal(25), Decimal(15), Decimal(0)]
    # the seller's account (FII+RB under NAD+SE) is paid to by the means the second PAT group names
    assert [(t.means_code, t.account_id) for t in doc.payment_terms if t.account_id] == [
        ("30", "NO9386011117947")]
    seller = doc.party(PartyRole.supplier)
    assert seller is not None and seller.ids[0].scheme.value == "gln"


def test_staedi_bad_invoice_names_the_non_numeric_quantity() -> None:
    interchange = load(CORPUS / "staedi/invoic_d97b_bad.edi")
    with pytest.raises(MappingError) as info:
        invoic.parse(interchange.messages[0])
    (problem,) = info.value.problems
    assert (problem.code, problem.segment_position, problem.segment_tag, problem.element) == (
        "NOT_NUMERIC", 10, "QTY", "C186/6060")
    assert problem.message_ref == "00000000000117" and "1020A" in problem.message


def test_corpus_files_give_the_same_segments_through_pydifact() -> None:
    """The mappings get the same input from the pydifact adapter as from the hub's envelope parser."""
    from tests.unit.edifact._adapter import pydifact_messages

    path = CORPUS / "pydifact/order.edi"
    ours = load(Path(path)).messages[0]
    theirs = pydifact_messages(path.read_text("latin-1"))[0]
    assert [(s.tag, s.elements) for s in ours.segments] == [(s.tag, s.elements) for s in theirs.segments]
