"""Our Peppol Advanced Ordering examples through the hub, end to end: a UBL buyer posts its order changes
and cancellation (T114, T115), a UBL supplier its Order Response Advanced (T116); each is stored, routed to
the other party in the syntax that party prefers (EDIFACT ORDCHG / ORDRSP, or UBL of the same
transaction), the file in its mailbox passes the hub's outbound checks (and, as UBL, the independent
validator with its Peppol rules), and read back it gives what the sender sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.exchanges.outbound import validate_outbound
from hub.xmlsafe import parse_xml
from mappings.edifact.envelope import parse_interchange
from mappings.ubl import parse_ubl
from mappings.ubl.common import text
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process, shown, use_syntax
from tests.unit.fidelity.roundtrip import from_edifact
from tests.unit.ubl.test_advanced_ordering_examples import EXAMPLES, KINDS, what_matters

BUYER, SUPPLIER = "7312345000007", "7359990000006"  # the hospital and its supplier in the examples


@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_posted_routed_valid_and_read_back_the_same(app, client, make_partner, path: Path, syntax: str,
                                                   tmp_path: Path) -> None:
    doc_type, message_type, _, transaction = KINDS[path.stem]
    buyer = use_syntax(app, make_partner("Nordlys Hospital", edi_id=BUYER), "ubl")
    supplier = make_partner("Ponte Medical Supplies", edi_id=SUPPLIER, roles=("supplier",))
    use_syntax(app, supplier, "ubl")
    sender, receiver = (supplier, buyer) if doc_type == "order_response" else (buyer, supplier)
    use_syntax(app, receiver, syntax)
    body = path.read_bytes()

    exchange_id = post(client, sender, body)
    process(app)
    ex = shown(client, sender, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    assert doc["type"] == doc_type

    (item,) = client.get("/api/v1/mailbox", headers=receiver.headers).json["items"]
    sent = client.get(item["links"]["file"], headers=receiver.headers).data
    assert not validate_outbound(sent, syntax).fatal
    if syntax == "edifact":
        (message,) = parse_interchange(sent).messages
        assert message.type == message_type
        again = from_edifact(sent)
    else:
        assert text(parse_xml(sent), "cbc:CustomizationID") == f"urn:fdc:peppol.eu:poacc:trns:{transaction}"
        oracle = oracle_module().Validator(peppol=True)
        assert oracle_fatal(oracle, sent, tmp_path, "sent.xml") == []
        again = parse_ubl(sent)
    assert what_matters(again) == what_matters(parse_ubl(body))
