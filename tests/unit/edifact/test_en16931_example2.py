"""EDIFACT_EXAMPLE2 (the EN 16931 INVOIC D14B binding example) routed out as Peppol BIS 3 UBL.

Under each NAD it gives the party's legal registration (RFF+GN: EN 16931 BT-30, BT-47, BT-61) and, under
the buyer, the buyer's accounting reference (RFF+AOU, BT-19); each line its accounting reference (RFF+AWQ,
BT-133), a price discount (ALC+A with MOA+509, BT-147) and the payment terms text in FTX+AAB (BT-20). The
hub used to write the registrations as second party identifiers (UBL-SR-16, UBL-SR-20), the discounts as
line allowances of 0 with no reason (BR-42, BR-CO-23) and the terms as a second note (PEPPOL-EN16931-R002).
What is still refused is the file's own: VAT numbers with no country prefix (BR-CO-09).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Invoice, PartyRole
from hub.exchanges.outbound import validate_outbound
from hub.rendering import render
from hub.xmlsafe import parse_xml
from mappings.edifact.profile import GENERIC
from mappings.ubl import parse_ubl
from tests.support.conformance import corpus_file, oracle_fatal, oracle_module
from tests.unit.edifact._util import parse_file
from tests.unit.fidelity.roundtrip import IDENTITY

EXAMPLE2 = "edifact/en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT"
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
LEGAL_IDS = {PartyRole.supplier: "123456789", PartyRole.buyer: "987654321", PartyRole.payee: "989823401"}
LINE_COSTS = [f"BookingCode00{n}" for n in range(1, 6)]


def _example2() -> Invoice:
    (doc,) = parse_file(corpus_file(EXAMPLE2), GENERIC)
    assert isinstance(doc, Invoice)
    return doc


def _fields(doc: Invoice) -> dict[str, Any]:
    """The fields this mapping is about, as a user would compare them."""
    return {
        "legal": {p.role: p.legal_id.value for p in doc.parties if p.legal_id is not None},
        "ids": {p.role: [i.value for i in p.ids] for p in doc.parties},
        "cost": doc.accounting_cost,
        "line_costs": [ln.accounting_cost for ln in doc.lines],
        "gross": [next((p.amount for p in ln.prices if p.kind == "gross"), None) for ln in doc.lines],
        "line_allowances": [[(a.is_charge, a.amount) for a in ln.allowances_charges] for ln in doc.lines],
        "terms": next((t.description for t in doc.payment_terms if t.description), None),
        "notes": doc.notes,
    }


def test_registrations_accounting_references_discounts_and_terms_are_read_where_en16931_puts_them() -> None:
    fields = _fields(_example2())
    assert fields["legal"] == LEGAL_IDS
    # the GLN of the NAD is each party's one identifier: no RFF beside it
    assert fields["ids"][PartyRole.buyer] == ["3456789012098"]
    assert fields["ids"][PartyRole.payee] == ["2298740918237"]
    assert fields["cost"] == "Project cost code 123"
    assert fields["line_costs"] == LINE_COSTS
    # line 1: net 1273 and a 225 discount is a gross price of 1498; line 3 states its gross (PRI+AAB 2.75)
    assert fields["gross"] == [Decimal(1498), None, Decimal("2.75"), None, None]
    assert fields["line_allowances"][0] == [(False, Decimal(12)), (True, Decimal(12))]  # Damage, Testing
    assert fields["line_allowances"][2] == []
    assert fields["terms"] == "2 % discount if paid within 2 days\nPenalty percentage 10% from due date"
    assert fields["notes"] == ["Ordered in our booth at the convention"]


@pytest.fixture(scope="module")
def ubl() -> bytes:
    return render(_example2(), "ubl", profile=GENERIC, identity=IDENTITY, control_ref="C1", check=False).data


def test_the_ubl_places_them_as_peppol_does(ubl: bytes) -> None:
    root = parse_xml(ubl)
    for path, value in (("cac:AccountingSupplierParty/cac:Party", "123456789"),
                        ("cac:AccountingCustomerParty/cac:Party", "987654321"),
                        ("cac:PayeeParty", "989823401")):
        party = root.find(path, NS)
        assert party is not None
        assert len(party.findall("cac:PartyIdentification", NS)) == 1, path  # UBL-SR-16, UBL-SR-20
        assert party.findtext("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS) == value
    assert root.find("cac:PayeeParty/cac:PartyLegalEntity/cbc:RegistrationName", NS) is None  # UBL-CR-275
    assert root.findtext("cbc:AccountingCost", namespaces=NS) == "Project cost code 123"
    assert [e.text for e in root.findall("cac:InvoiceLine/cbc:AccountingCost", NS)] == LINE_COSTS
    discount = root.findtext("cac:InvoiceLine[1]/cac:Price/cac:AllowanceCharge/cbc:Amount", namespaces=NS)
    assert discount == "225"
    assert len(root.findall("cbc:Note", NS)) == 1  # PEPPOL-EN16931-R002
    assert root.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS).startswith("2 % discount")


def test_only_the_files_own_vat_numbers_keep_it_from_being_sent(ubl: bytes, tmp_path: Path) -> None:
    """Both validators refuse it for BR-CO-09 alone: 123456789MVA, 987654321MVA and 967611265MVA come
    without the NO prefix (the UBL twin of the example has NO123456789MVA; with it, the seller's number
    would still fail NO-R-001, since 123456789 is no valid organisation number)."""
    verdict = validate_outbound(ubl, "ubl")
    assert {p.code for p in verdict.fatal} == {"BR-CO-09"}
    official = oracle_fatal(oracle_module().Validator(peppol=True), ubl, tmp_path, "example2.xml")
    assert official and {f.split()[0] for f in official} == {"BR-CO-09"}
    assert all("PartyTaxScheme" in f for f in official)


def test_both_syntaxes_give_the_same_fields_back(ubl: bytes, tmp_path: Path) -> None:
    source = _fields(_example2())
    from_ubl = parse_ubl(ubl)
    assert isinstance(from_ubl, Invoice)
    edifact = render(_example2(), "edifact", profile=GENERIC, identity=IDENTITY, control_ref="C1").data
    assert not validate_outbound(edifact, "edifact").fatal
    assert b"RFF+GN:987654321" in edifact and b"RFF+AOU:Project cost code 123" in edifact
    (tmp_path / "example2.edi").write_bytes(edifact)
    (from_edifact,) = parse_file(tmp_path / "example2.edi", GENERIC)
    assert isinstance(from_edifact, Invoice)
    assert _fields(from_edifact) == source
    assert _fields(from_ubl) == source
