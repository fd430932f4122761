"""The message forms of issue 13 through the hub. ORDCHG: a buyer's order change and cancellation in
EDIFACT are read, stored as order_change / order_cancellation and routed to an EDIFACT supplier as a
validated ORDCHG, and to a Peppol supplier as UBL OrderChange / OrderCancellation. A UBL
RemittanceAdvice is stored as a REMADV is."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings.edifact.envelope import parse_interchange
from tests.support.exchanges import post, process, shown, use_syntax

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "edifact"
BUYER, SUPPLIER = "5412345000013", "5498765000017"
FILES = {"demo_ordchg_d96a_change.edi": ("order_change", b"+4'"),
         "acme_ordchg_d01b_cancel.edi": ("order_cancellation", b"+1'")}


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
def test_a_buyers_ordchg_is_stored_and_routed_in_the_suppliers_syntax(app, client, make_partner, name,
                                                                     syntax):
    doc_type, function = FILES[name]
    buyer = make_partner("buyer", edi_id=BUYER)
    supplier = use_syntax(app, make_partner("supplier", edi_id=SUPPLIER, roles=("supplier",)), syntax)
    exchange_id = post(client, buyer, (FIXTURES / name).read_bytes())
    process(app)
    ex = shown(client, buyer, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    assert doc["type"] == doc_type and doc["number"].startswith("PO-2024-0042-")
    (item,) = client.get("/api/v1/mailbox", headers=supplier.headers).json["items"]
    sent = client.get(item["links"]["file"], headers=supplier.headers).data
    if syntax == "edifact":
        (message,) = parse_interchange(sent).messages
        assert message.type == "ORDCHG"
        bgm = next(s for s in message.segments if s.tag == "BGM")
        assert bgm.elements[0][0] == "230" and bgm.elements[2][0] == function.strip(b"+'").decode()
    else:
        root = "OrderChange" if doc_type == "order_change" else "OrderCancellation"
        assert f"<{root} ".encode() in sent and b"PO-2024-0042" in sent


def test_a_payers_ubl_remittance_advice_is_stored_like_a_remadv(app, client, make_partner):
    payer = make_partner("payer", edi_id=BUYER)
    body = (FIXTURES.parent / "ubl" / "ponte_remittanceadvice.xml").read_bytes()
    ex = shown(client, payer, post(client, payer, body))
    process(app)
    ex = shown(client, payer, ex["id"])
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    assert doc["type"] == "remittance_advice" and doc["number"] == "PAY-2024-0091"
    canonical = client.get(doc["links"]["self"], headers=payer.headers).json["document"]
    assert [(r["invoice_number"], r["paid"]) for r in canonical["remittances"]] == [
        ("INV-2024-7781", "123.23"), ("INV-2024-7799", "540.00"), ("INV-2024-7840", "1000.00")]
