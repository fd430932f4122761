"""Business rejections are per message: the message at fault is answered by its APERAK while the
interchange's other messages are stored; syntax and structure errors still reject it whole."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from tests.support.exchanges import post, process, raw_interchange, shown
from tests.support.interchanges import orders_interchange

OTHER_BUYER = "5790000435975"  # a GLN registered for another partner


def numbers(client: Any, partner: Any) -> list[str]:
    items = client.get("/api/v1/documents?per_page=100", headers=partner.headers).json["items"]
    return sorted(item["number"] for item in items)


def aperak_messages(client: Any, partner: Any, exchange_id: str) -> list[Any]:
    ex = shown(client, partner, exchange_id)
    answers = (ex["result"] or {}).get("acknowledgements") or ex["error"]["acknowledgements"]
    (aperak,) = [a for a in answers if shown(client, partner, a)["type"] == "APERAK"]
    return raw_interchange(client, partner, aperak).messages


def references(message: Any) -> set[tuple[str, str]]:
    return {(s.get(0), s.get(0, 1)) for s in message.segments if s.tag == "RFF"}


def test_one_duplicated_order_number_among_ten_rejects_only_that_message(
        app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    orders = [f"PO-{n:03d}" for n in range(1, 11)]
    orders[6] = "PO-003"  # message 7 repeats message 3's order number
    exchange_id = post(client, demo, orders_interchange("R0001", orders))
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    assert ex["result"]["documents_total"] == 9
    assert numbers(client, demo) == sorted(set(orders))
    (rejected,) = ex["result"]["rejected_messages"]
    assert (rejected["position"], rejected["message_ref"], rejected["type"], rejected["number"]) \
        == (7, "7", "purchase_order", "PO-003")
    (problem,) = rejected["problems"]
    assert problem["code"] == "DUPLICATE_ORDER" and "PO-003" in problem["message"]
    assert any(w["code"] == "MESSAGES_REJECTED" and "1 of the interchange's 10" in w["message"]
               for w in ex["warnings"])
    (aperak,) = aperak_messages(client, demo, exchange_id)
    assert aperak.type == "APERAK"
    assert {("ON", "PO-003"), ("ACW", "7")} <= references(aperak)
    assert sum(s.tag == "ERC" for s in aperak.segments) == 1


def test_sender_and_item_rules_reject_their_messages_each_with_an_aperak_message(
        app, client, runner: FlaskCliRunner, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    make_partner("other", edi_id=OTHER_BUYER)
    assert runner.invoke(args=["hub", "partner-profile", "demo", "--set", "ack_contrl=true",
                               "--set", 'extra={"require_known_items": true}', "--set",
                               'item_xref={"778811": "S1", "778812": "S2"}']).exit_code == 0
    body = orders_interchange("R0002", ["PO-A", "PO-B", "PO-C"], replace={
        1: ("NAD+BY+5412345000013", f"NAD+BY+{OTHER_BUYER}"),  # another partner's buyer
        3: ("PIA+1+ACM-1002:SA+778812:IN", "PIA+1+ACM-1002:SA+999999:IN")})  # an unknown item
    exchange_id = post(client, demo, body)
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    assert numbers(client, demo) == ["PO-B"]
    first, third = ex["result"]["rejected_messages"]
    assert (first["position"], first["number"], [p["code"] for p in first["problems"]]) == (
        1, "PO-A", ["SENDER_MISMATCH"])
    mismatch = first["problems"][0]
    assert mismatch["segment_tag"] == "NAD" and OTHER_BUYER in mismatch["message"]
    assert (third["position"], third["number"], [p["code"] for p in third["problems"]]) == (
        3, "PO-C", ["UNKNOWN_ITEM"])
    # one APERAK interchange answers the interchange, a message per rejected message
    one, three = aperak_messages(client, demo, exchange_id)
    assert {("ON", "PO-A"), ("ACW", "1")} <= references(one)
    assert {("ON", "PO-C"), ("ACW", "3")} <= references(three)
    # and the CONTRL accepts the interchange: its syntax was right
    kinds = sorted(shown(client, demo, a)["type"] for a in ex["result"]["acknowledgements"])
    assert kinds == ["APERAK", "CONTRL"]


def test_an_interchange_all_of_whose_messages_are_rejected_fails(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    post(client, demo, orders_interchange("R0003", ["PO-X", "PO-Y"]))
    process(app)
    again = post(client, demo, orders_interchange("R0004", ["PO-Y", "PO-X"]))
    process(app)
    ex = shown(client, demo, again)
    assert ex["state"] == "failed"
    assert [(p["message_ref"], p["code"]) for p in ex["error"]["problems"]] == [
        ("1", "DUPLICATE_ORDER"), ("2", "DUPLICATE_ORDER")]
    first, second = aperak_messages(client, demo, again)
    assert ("ON", "PO-Y") in references(first) and ("ON", "PO-X") in references(second)
    assert numbers(client, demo) == ["PO-X", "PO-Y"]


def test_a_structure_error_still_rejects_the_whole_interchange(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    body = orders_interchange("R0005", ["PO-1", "PO-1", "PO-3"],
                              replace={3: ("QTY+21:24:PCE", "QTY+21:2X4:PCE")})
    exchange_id = post(client, demo, body)
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "failed"
    assert {p["message_ref"] for p in ex["error"]["problems"]} == {"3"}
    assert numbers(client, demo) == []
