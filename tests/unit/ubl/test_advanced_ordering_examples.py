"""Our own Peppol Advanced Ordering examples (fixtures/ubl/peppol/ponte, see SOURCES.md there), written like
the poacc-upgrade-3 scenarios: an order change of a quantity (sc1), one adding a line (sc2), one cancelling a
line (sc3), a cancellation with its reason (sc5, UC5) and an Order Response Advanced moving a delivery (UC4).

Each is valid as written (validate.py --peppol: 0 fatal), and the hub writes it on in both syntaxes: as UBL
of the same transaction (T114, T115, T116) that its own checks and the independent validator accept, as an
EDIFACT ORDCHG or ORDRSP (D.96A and D.01B) that passes its own validation, and each read back gives the same
numbers, dates, parties, lines, quantities, line actions and reasons; through EDIFACT and back to UBL too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Document
from hub.exchanges.outbound import validate_outbound
from hub.rendering import render
from hub.xmlsafe import parse_xml
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.profile import PartnerProfile
from mappings.ubl import parse_ubl
from mappings.ubl.common import text
from tests.support.conformance import counted, oracle_fatal, oracle_module
from tests.unit.fidelity.roundtrip import IDENTITY, from_edifact

OURS = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "peppol" / "ponte"
EXAMPLES = counted(sorted(OURS.glob("*.xml")), 5, "fixtures/ubl/peppol/ponte")
# what each example is: its document type, the EDIFACT message and BGM 1225 it becomes, its transaction
KINDS = {
    "ponte_orderchange_sc1_quantity": ("order_change", "ORDCHG", "4", "order_change:3"),
    "ponte_orderchange_sc2_added_line": ("order_change", "ORDCHG", "4", "order_change:3"),
    "ponte_orderchange_sc3_cancelled_line": ("order_change", "ORDCHG", "4", "order_change:3"),
    "ponte_ordercancellation_sc5_reason": ("order_cancellation", "ORDCHG", "1", "order_cancellation:3"),
    "ponte_orderresponseadvanced_uc4_delivery": ("order_response", "ORDRSP", "4",
                                                 "order_response_advanced:3"),
}
DIRECTORIES = ["D96A", "D01B"]


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def what_matters(doc: Document) -> dict[str, Any]:
    """The canonical fields a partner acts on: numbers, dates, parties, lines, quantities, actions and
    reasons."""
    return {
        "type": doc.doc_type, "number": doc.number, "issued": doc.issued, "currency": doc.currency,
        "order": getattr(doc, "order_number", None), "sequence": getattr(doc, "sequence", None),
        "reason": getattr(doc, "reason", None), "response": getattr(doc, "response", None),
        "delivery": (getattr(doc, "delivery_date", None), getattr(doc, "delivery_end", None)),
        "notes": doc.notes,
        "parties": sorted((p.role.value, tuple(i.value for i in p.ids)) for p in doc.parties),
        "lines": [(ln.number, ln.status, [(q.value, q.unit) for q in ln.quantities], ln.item.gtin,
                   ln.item.supplier_number, [p.amount for p in ln.prices], ln.delivery_date, ln.notes)
                  for ln in doc.lines],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_our_example_is_valid_peppol_as_written(path: Path, peppol_oracle: Any, tmp_path: Path) -> None:
    assert oracle_fatal(peppol_oracle, path.read_bytes(), tmp_path, path.name) == []
    doc = parse_ubl(path.read_bytes())
    assert doc.doc_type == KINDS[path.stem][0]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_written_on_as_ubl_it_stays_its_transaction_valid_and_reads_the_same(
        path: Path, peppol_oracle: Any, tmp_path: Path) -> None:
    source = parse_ubl(path.read_bytes())
    data = render(source, "ubl", profile=PartnerProfile(syntax="ubl"), identity=IDENTITY, control_ref="1",
                  check=False).data
    assert not validate_outbound(data, "ubl").fatal
    assert oracle_fatal(peppol_oracle, data, tmp_path, "out.xml") == []
    customization = text(parse_xml(data), "cbc:CustomizationID") or ""
    assert customization == f"urn:fdc:peppol.eu:poacc:trns:{KINDS[path.stem][3]}"
    assert what_matters(parse_ubl(data)) == what_matters(source)


@pytest.mark.parametrize("directory", DIRECTORIES)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_written_on_as_edifact_it_passes_the_hubs_checks_and_reads_the_same(
        path: Path, directory: str, peppol_oracle: Any, tmp_path: Path) -> None:
    _, message_type, function, transaction = KINDS[path.stem]
    source = parse_ubl(path.read_bytes())
    profile = PartnerProfile(partner_id=f"p-{directory}", directory=directory)
    data = render(source, "edifact", profile=profile, identity=IDENTITY, control_ref="1").data
    assert not validate_outbound(data, "edifact").fatal
    (message,) = parse_interchange(data).messages
    bgm = next(s for s in message.segments if s.tag == "BGM")
    assert (message.type, bgm.elements[2][0]) == (message_type, function)
    again = from_edifact(data, profile)
    assert what_matters(again) == what_matters(source)
    # and on to a UBL partner again: the same transaction, valid
    ubl = render(again, "ubl", profile=PartnerProfile(syntax="ubl"), identity=IDENTITY, control_ref="2",
                 check=False).data
    assert not validate_outbound(ubl, "ubl").fatal
    assert oracle_fatal(peppol_oracle, ubl, tmp_path, "again.xml") == []
    assert text(parse_xml(ubl), "cbc:CustomizationID") == f"urn:fdc:peppol.eu:poacc:trns:{transaction}"


def test_the_examples_say_what_they_are_about() -> None:
    """The scenario each file plays is in its data, as a user reading it would see it."""
    docs = {p.stem: parse_ubl(p.read_bytes()) for p in EXAMPLES}
    sc1 = what_matters(docs["ponte_orderchange_sc1_quantity"])
    assert [(n, s, q[0][0]) for n, s, q, *_ in sc1["lines"]] == [
        ("1", "3", 30), ("2", "4", 50), ("3", "4", 30)]
    sc2 = what_matters(docs["ponte_orderchange_sc2_added_line"])
    assert sc2["lines"][-1][:2] == ("4", "1") and sc2["sequence"] == "2"
    sc3 = what_matters(docs["ponte_orderchange_sc3_cancelled_line"])
    assert sc3["lines"][1][:3] == ("2", "2", [(0, "XBX")])
    cancel = what_matters(docs["ponte_ordercancellation_sc5_reason"])
    assert (cancel["order"], cancel["reason"]) == (
        "PO-2026-1002", "Ward 9 renovation postponed: the order is no longer needed")
    response = what_matters(docs["ponte_orderresponseadvanced_uc4_delivery"])
    assert response["response"] == "accepted_with_changes"
    assert [(n, s, str(d)) for n, s, _, _, _, _, d, _ in response["lines"]] == [
        ("1", "accepted", "2026-03-09"), ("2", "accepted", "2026-03-09"), ("3", "changed", "2026-03-16")]
