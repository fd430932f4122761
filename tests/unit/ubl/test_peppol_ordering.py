"""The official Peppol ordering examples (fixtures/ubl/peppol, see SOURCES.md) are read and written back as
Peppol UBL the independent validator accepts with its Peppol rules."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Document, Identifier, IdScheme, OrderCancellation, OrderChange, PurchaseOrder
from hub.domain.states import ExchangeState
from hub.exchanges.outbound import record_validation, validate_outbound
from hub.models import Exchange
from hub.rendering import render
from hub.xmlsafe import parse_xml
from mappings.edifact.profile import PartnerProfile
from mappings.ubl import parse_ubl, render_ubl
from mappings.ubl.common import NS
from tests.support.conformance import counted, oracle_module
from tests.unit.fidelity.roundtrip import IDENTITY, from_edifact, to_edifact
from tests.unit.ubl.conftest import oracle_fatal

PEPPOL = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "peppol"
EXAMPLES = counted(sorted(PEPPOL.glob("*.xml")), 5, "fixtures/ubl/peppol")
# Two official examples break their own transaction's rules, and the hub writes back what it read: it does
# not invent data, and none of these is a value the rules compute (a check digit belongs to the number, a
# postal address and an organisation number are the partner's, a line's action is the buyer's intent).
# So it refuses to send them, naming each rule and XPath (the outbound exchange is held `invalid`).
# What the hub can translate unambiguously it does (schemeID "GLN" becomes ICD 0088, the legal entity
# is written from the party's name), which is why the rules named differ from the input's own findings:
# - OrderCancellation_Example: the seller has no postal address (B06002), and the EndpointIDs have GLNs
#   with wrong check digits: written back as the partner sent them they break R040; through EDIFACT, which
#   carries no EndpointID, the seller (whose only GLN was its endpoint) is left with none (B06001);
# - OrderChange_Example: an invalid Swedish organisation number as endpoint (R049), lines with no action
#   code (LineStatusCode, B23102), by either route.
SOURCE_DEFECTS = {("OrderCancellation_Example", "ubl"): {"PEPPOL-COMMON-R040", "PEPPOL-T115-B06002"},
                  ("OrderCancellation_Example", "edifact"): {"PEPPOL-T115-B06001", "PEPPOL-T115-B06002"},
                  ("OrderChange_Example", "ubl"): {"PEPPOL-COMMON-R049", "PEPPOL-T114-B23102"},
                  ("OrderChange_Example", "edifact"): {"PEPPOL-COMMON-R049", "PEPPOL-T114-B23102"}}


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def _fatal_ids(findings: list[str]) -> set[str]:
    return {f.split()[0] for f in findings}


def _through_edifact(doc: Document) -> Document:
    """UBL -> EDIFACT (which must pass the hub's own validation) -> canonical, as a UBL partner's document
    reaches an EDIFACT partner and comes back."""
    return from_edifact(to_edifact(doc))


ROUTES = {"ubl": lambda doc: doc, "edifact": _through_edifact}


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_official_example_renders_back_with_0_fatal_or_is_refused_naming_its_own_defects(
        path: Path, route: str, peppol_oracle: Any, tmp_path: Path) -> None:
    doc = ROUTES[route](parse_ubl(path.read_bytes()))
    data = render(doc, "ubl", profile=PartnerProfile(), identity=IDENTITY, control_ref="1", check=False).data
    assert parse_xml(data).find("cbc:UBLVersionID", NS) is None  # not in the Peppol ordering data model
    expected = SOURCE_DEFECTS.get((path.stem, route), set())
    fatal = oracle_fatal(peppol_oracle, data, tmp_path, path.name)
    assert _fatal_ids(fatal) == expected, fatal  # 0 fatal, or only the input's own defects
    checked = validate_outbound(data, "ubl")
    assert {p.code for p in checked.fatal} == expected  # the hub's own check agrees: it refuses those
    assert all(p.element and p.element.startswith("/") for p in checked.fatal)  # each names its XPath
    if expected:  # the official file itself breaks the rules: the defects are not the hub's rendering
        assert oracle_fatal(peppol_oracle, path.read_bytes(), tmp_path, "in.xml")
        exchange = Exchange(result={})
        assert record_validation(exchange, checked) == ExchangeState.invalid
        assert exchange.error is not None and {p["code"] for p in exchange.error["problems"]} == expected


def test_order_keeps_what_peppol_requires_through_the_round_trip() -> None:
    original = parse_ubl((PEPPOL / "Order_Example.xml").read_bytes())
    assert isinstance(original, PurchaseOrder)
    again = parse_ubl(render_ubl(original))
    assert isinstance(again, PurchaseOrder)
    assert [(a.is_charge, a.amount, a.tax_category) for a in again.allowances_charges] == [
        (True, Decimal("400.00"), "Z"), (False, Decimal("652.50"), "S")]
    assert again.totals == original.totals
    assert again.validity_end == date(2013, 1, 31)
    assert (again.delivery_date, again.delivery_end) == (date(2012, 10, 10), date(2012, 10, 20))
    assert [line.notes for line in again.lines] == [["Freetext note on line 1"], ["Freetext note on line 2"]]
    assert again.lines[0].delivery_end == date(2010, 2, 25)
    assert {r.kind: r.number for r in again.references} == {r.kind: r.number for r in original.references}
    assert again.parties == original.parties


def test_order_change_is_written_as_ubl_23_t114(peppol_oracle: Any, tmp_path: Path) -> None:
    order = parse_ubl((PEPPOL / "Order_Example.xml").read_bytes())
    assert isinstance(order, PurchaseOrder)
    change = OrderChange(**{f.name: getattr(order, f.name) for f in fields(order)}, order_number="34",
                         sequence="1")
    change.number, change.profile = "34-C1", {}
    for line in change.lines:
        line.status = "3"  # UNCL 1229: changed
    data = render_ubl(change)
    assert parse_xml(data).tag.endswith("}OrderChange")
    assert oracle_fatal(peppol_oracle, data, tmp_path, "change.xml") == []
    again = parse_ubl(data)
    assert isinstance(again, OrderChange)
    assert (again.order_number, again.sequence) == ("34", "1")
    assert again.allowances_charges == order.allowances_charges
    assert [line.notes for line in again.lines] == [line.notes for line in order.lines]


def test_order_cancellation_names_the_order_and_the_reason(peppol_oracle: Any, tmp_path: Path) -> None:
    doc = parse_ubl((PEPPOL / "OrderCancellation_Example.xml").read_bytes())
    assert isinstance(doc, OrderCancellation)
    assert (doc.order_number, doc.reason) == ("34", "With reference to phone call")
    order = parse_ubl((PEPPOL / "Order_Example.xml").read_bytes())
    fixed = replace(doc, parties=order.parties)  # parties with valid GLNs and addresses
    data = render_ubl(fixed)
    assert oracle_fatal(peppol_oracle, data, tmp_path, "cancel.xml") == []
    again = parse_ubl(data)
    assert isinstance(again, OrderCancellation)
    assert (again.order_number, again.reason) == ("34", "With reference to phone call")


def test_edifact_style_party_with_only_a_gln_gets_its_endpoint_and_legal_name() -> None:
    doc = parse_ubl((PEPPOL / "OrderResponse_sc4.xml").read_bytes())
    for party in doc.parties:
        party.endpoint, party.legal_only = None, False  # as an EDIFACT NAD gives it: ids and a name
        party.ids[0] = Identifier("7300010000001", IdScheme.gln, raw_scheme="9")
    root = parse_xml(render_ubl(doc))
    seller = root.find("cac:SellerSupplierParty/cac:Party", NS)
    assert seller is not None
    endpoint = seller.find("cbc:EndpointID", NS)
    assert endpoint is not None and (endpoint.text, endpoint.get("schemeID")) == ("7300010000001", "0088")
    assert seller.find("cac:PartyName", NS) is None  # T76 has no PartyName: the name is the legal one
    assert seller.findtext("cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS) == "The Supplier AB"
