"""Hypothesis: canonical documents with references of every kind the 1153 table maps, parties of every
role, units of Rec 20 and taxes with or without a rate render as EDIFACT (D.96A and D.01B) that the hub's
own validation accepts and that reads back with the same kinds, roles, units and taxes, and as UBL that
passes the UBL 2.1 schema (render_ubl checks it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.documents import (
    Identifier,
    IdScheme,
    Invoice,
    Item,
    Line,
    Party,
    PartyRole,
    PurchaseOrder,
    Quantity,
    Reference,
    TaxSubtotal,
    Totals,
)
from mappings import codelists
from mappings.edifact.profile import PartnerProfile
from mappings.ubl import render_ubl
from tests.unit.edifact.test_rendered_codes import errors_read_back, read_back, render_edifact

KINDS = sorted(set(codelists.load("edifact_1153").to_canonical.values()) - {"order"})
ROLES = [r for r in PartyRole if r != PartyRole.tax_representative]  # LC: one per document
UNITS = ["C62", "KGM", "LTR", "MTR", "XCT", "XBX", "H87", "EA", "PR", "HUR"]
PROFILES = [PartnerProfile(partner_id="p96"), PartnerProfile(partner_id="p01", directory="D01B")]

numbers = st.text(alphabet="ABCDEFGHJK0123456789-", min_size=1, max_size=12)
# one reference of a kind: UBL Order holds one quotation, one originator document, ...
references = st.lists(st.builds(Reference, kind=st.sampled_from(KINDS), number=numbers), max_size=6,
                      unique_by=lambda r: r.kind)
parties = st.lists(st.sampled_from(ROLES), min_size=1, max_size=6, unique=True).map(lambda roles: [
    Party(role, [Identifier(f"57900000{n:05d}", IdScheme.gln, "0088")], name=f"Party {n}")
    for n, role in enumerate(roles)])
categories = st.sampled_from(["S", "E", "O", "Z"])
lines = st.lists(st.tuples(st.sampled_from(UNITS), st.integers(1, 999), categories), min_size=1, max_size=4)


def _order(refs: list[Reference], people: list[Party], spec: list[tuple[str, int, str]]) -> PurchaseOrder:
    return PurchaseOrder(number="PO-H", issued=date(2024, 5, 2), currency="EUR", references=refs,
                         parties=people, lines=[
                             Line(str(n), Item(gtin="4000862141404", description="Bolt"),
                                  [Quantity(Decimal(qty), unit, "ordered")], tax_category=cat,
                                  tax_rate=Decimal(25) if cat == "S" else None)
                             for n, (unit, qty, cat) in enumerate(spec, 1)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(references, parties, lines, st.sampled_from(PROFILES))
def test_any_order_renders_in_codes_both_ways(refs: list[Reference], people: list[Party],
                                              spec: list[tuple[str, int, str]],
                                              profile: PartnerProfile) -> None:
    doc = _order(refs, people, spec)
    data = render_edifact(doc, profile)
    assert errors_read_back(data) == []
    back = read_back(data, profile)
    assert [(r.kind, r.number) for r in back.references] == [(r.kind, r.number) for r in refs]
    assert [p.role for p in back.parties] == [p.role for p in people]
    assert [(ln.quantities[0].unit, ln.tax_category, ln.tax_rate) for ln in back.lines] == \
        [(ln.quantities[0].unit, ln.tax_category, ln.tax_rate) for ln in doc.lines]
    render_ubl(doc)  # schema-valid, every unitCode and tax category from its code list


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["S", "E", "O", "Z", "AE", "K", "G"]), min_size=1, max_size=4, unique=True),
       st.sampled_from(PROFILES))
def test_any_tax_breakdown_with_or_without_a_rate_renders_as_invoic(categories: list[str],
                                                                     profile: PartnerProfile) -> None:
    subs = [TaxSubtotal(cat, Decimal(25) if cat == "S" else None, Decimal("10.00"),
                        Decimal("2.50") if cat == "S" else Decimal("0.00")) for cat in categories]
    net = Decimal(10) * len(subs)
    tax = sum((s.tax_amount for s in subs), Decimal(0))
    doc = Invoice(number="INV-H", issued=date(2024, 5, 2), currency="EUR", tax_subtotals=subs,
                  totals=Totals(line_total=net, tax_exclusive=net, tax_total=tax, tax_inclusive=net + tax,
                                payable=net + tax),
                  lines=[Line("1", quantities=[Quantity(Decimal(1), "C62", "invoiced")],
                              line_amount=Decimal("10.00"), tax_category=categories[0])])
    data = render_edifact(doc, profile)
    assert errors_read_back(data) == []
    back = read_back(data, profile)
    assert isinstance(back, Invoice)
    assert [(s.category, s.rate) for s in back.tax_subtotals] == [(s.category, s.rate) for s in subs]
