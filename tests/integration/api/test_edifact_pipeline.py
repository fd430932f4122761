"""EDIFACT through the whole hub: posted, validated, mapped, persisted, acknowledged, reprocessed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from hub.db import new_session
from hub.models import Document, DocumentLine, Exchange
from mappings.edifact.envelope import parse_interchange
from tests.support.conformance import EDIFACT_CORPUS
from tests.support.exchanges import held_or_sendable, post, process, raw_interchange, rendered, shown

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "edifact"
CORPUS = EDIFACT_CORPUS


def test_demo_order_becomes_a_canonical_order_with_its_lines(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    path = FIXTURES / "demo_orders_d96a_basic.edi"
    exchange_id = post(client, demo, path.read_bytes())
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    assert doc["type"] == "purchase_order" and doc["number"] == "PO-2024-0042"
    got = client.get(doc["links"]["self"], headers=demo.headers).json
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    assert got["document"] == expected
    with app.app_context(), new_session() as session:
        lines = session.scalars(select(DocumentLine).where(DocumentLine.document_id == doc["id"])
                                .order_by(DocumentLine.id)).all()
        stored = session.get(Document, doc["id"])
        assert stored is not None and stored.created_at.tzinfo is not None
    assert len(lines) == len(expected["lines"])
    first = expected["lines"][0]
    assert lines[0].quantity == Decimal(first["quantities"][0]["value"])
    assert lines[0].unit == first["quantities"][0]["unit"]
    assert lines[0].gtin == first["item"].get("gtin")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.edi")))
def test_every_fixture_goes_through_the_hub(app, client, make_partner, name):
    path = FIXTURES / name
    interchange = parse_interchange(path.read_bytes())
    buyers_send = ("ORDERS", "REMADV", "ORDCHG")
    sends = "buyer" if interchange.messages[0].type in buyers_send else "supplier"
    partner = make_partner(name.split("_")[0], edi_id=interchange.sender,
                           qualifier=interchange.sender_qualifier or "", roles=(sends,))
    exchange_id = post(client, partner, path.read_bytes())
    process(app)
    ex = shown(client, partner, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    (doc,) = ex["result"]["documents"]
    got = client.get(doc["links"]["self"], headers=partner.headers).json["document"]
    # the hub applies the partner's stored profile; the fixtures' partners have the generic one
    # here, so compare what no profile changes: type, number, line count
    assert (got["doc_type"], got["number"], len(got.get("lines", []))) == (
        expected["doc_type"], expected["number"], len(expected.get("lines", [])))


def test_a_sender_that_is_not_the_posting_partner_is_rejected(app, client, make_partner):
    other = make_partner("other", edi_id="1111111111116")
    exchange_id = post(client, other, (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes())
    process(app)
    ex = shown(client, other, exchange_id)
    assert ex["state"] == "failed"
    (problem,) = ex["error"]["problems"]
    assert (problem["code"], problem["segment_tag"], problem["element"]) == (
        "UNKNOWN_SENDER", "UNB", "S002/0004")
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


def _with_ack_request(body: bytes) -> bytes:
    text = body.decode("latin-1")
    start = text.index("UNB+")
    end = text.index("'", start)
    unb = text[start:end].split("+")
    unb += [""] * (10 - len(unb))
    unb[9] = "1"  # 0031: acknowledgement requested
    return (text[:start] + "+".join(unb) + text[end:]).encode("latin-1")


def test_ack_request_gets_a_positive_contrl(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    body = _with_ack_request((FIXTURES / "demo_orders_d96a_basic.edi").read_bytes())
    exchange_id = post(client, demo, body)
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "processed"
    (ack_id,) = ex["result"]["acknowledgements"]
    outbound = client.get("/api/v1/exchanges?direction=outbound", headers=demo.headers).json
    assert [x["id"] for x in outbound["items"]] == [ack_id]
    assert outbound["items"][0]["type"] == "CONTRL" and outbound["items"][0]["state"] == "pending"
    contrl = raw_interchange(client, demo, ack_id)
    assert (contrl.sender, contrl.recipient) == ("5498765000017", "5412345000013")
    uci = contrl.messages[0].segments[1]
    assert uci.tag == "UCI" and uci.get(0) == "ORD0001" and uci.get(3) == "7"  # accepted


def test_a_bad_file_is_rejected_with_named_errors_and_a_negative_contrl(app, client,
                                                                         make_partner):
    seller = make_partner("seller", edi_id="005435656", qualifier="1")
    body = _with_ack_request((CORPUS / "staedi" / "invoic_d97b_bad.edi").read_bytes())
    exchange_id = post(client, seller, body)
    process(app)
    ex = shown(client, seller, exchange_id)
    assert ex["state"] == "failed"
    found = {(p["code"], p.get("segment_tag"), p.get("element"), p.get("segment_position"))
             for p in ex["error"]["problems"]}
    assert ("NOT_NUMERIC", "QTY", "C186/6060", 10) in found
    assert ("NOT_NUMERIC", "PRI", "C509/5118", 13) in found
    assert any(code == "TOO_MANY_REPEATS" and tag == "UNS" for code, tag, _, _ in found)
    assert "QTY" in ex["error"]["message"] or "interchange rejected" in ex["error"]["message"]
    (ack_id,) = ex["error"]["acknowledgements"]
    contrl = raw_interchange(client, seller, ack_id)
    tags = [s.tag for s in contrl.messages[0].segments]
    assert "UCS" in tags
    assert contrl.messages[0].segments[1].get(3) == "4"  # UCI: rejected
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_wrong_unt_count_is_rejected_then_tolerated_by_profile_and_reprocessed(
        app, client, runner: FlaskCliRunner, make_partner):
    seller = make_partner("dk-seller", edi_id="5790000274017", qualifier="14",
                          roles=("supplier",))
    body = (CORPUS / "smooks" / "INVOIC_D.03B_Interchange_with_UNA.txt").read_bytes()
    exchange_id = post(client, seller, body)
    process(app)
    ex = shown(client, seller, exchange_id)
    assert ex["state"] == "failed"
    assert [p["code"] for p in ex["error"]["problems"]] == ["UNT_COUNT"]
    assert ex["error"]["problems"][0]["segment_tag"] == "UNT"
    out = runner.invoke(args=["hub", "partner-profile", "dk-seller", "--set",
                              "tolerate_count_mismatch=true"])
    assert out.exit_code == 0 and '"tolerate_count_mismatch": true' in out.output
    out = runner.invoke(args=["hub", "reprocess", exchange_id])
    assert out.exit_code == 0 and "processed" in out.output, out.output
    ex = shown(client, seller, exchange_id)
    assert ex["state"] == "processed" and ex["error"] is None
    assert any(w["code"] == "UNT_COUNT" for w in ex["warnings"])
    assert ex["result"]["documents"][0]["type"] == "invoice"


def test_profile_rejects_unknown_settings(runner: FlaskCliRunner, make_partner):
    make_partner("acme")
    out = runner.invoke(args=["hub", "partner-profile", "acme", "--set", "tolerate_counts=true"])
    assert out.exit_code == 2 and "unknown partner profile settings: tolerate_counts" in out.output


def test_duplicate_order_number_is_a_business_rejection_with_aperak(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    first = (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes()
    post(client, demo, first)
    again = first.replace(b"ORD0001", b"ORD0002")  # a new interchange carrying the same order
    second = post(client, demo, again)
    process(app)
    ex = shown(client, demo, second)
    assert ex["state"] == "failed"
    (problem,) = ex["error"]["problems"]
    assert problem["code"] == "DUPLICATE_ORDER" and "PO-2024-0042" in problem["message"]
    (aperak_id,) = ex["error"]["acknowledgements"]
    aperak = raw_interchange(client, demo, aperak_id)
    message = aperak.messages[0]
    assert message.type == "APERAK"
    assert any(s.tag == "ERC" for s in message.segments)
    assert any(s.tag == "RFF" and s.get(0, 1) == "PO-2024-0042" for s in message.segments)


def test_render_a_document_as_edifact_and_as_ubl(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    post(client, demo, (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes())
    process(app)
    doc = client.get("/api/v1/documents", headers=demo.headers).json["items"][0]
    edi = client.get(f"/api/v1/documents/{doc['id']}/render?syntax=edifact", headers=demo.headers)
    assert edi.status_code == 200 and edi.mimetype == "application/edifact"
    rendered = parse_interchange(edi.data)
    assert rendered.messages[0].type == "ORDERS" and rendered.recipient == "5412345000013"
    ubl = client.get(f"/api/v1/documents/{doc['id']}/render?syntax=ubl", headers=demo.headers)
    assert ubl.status_code == 200 and b"<Order" in ubl.data and b"PO-2024-0042" in ubl.data
    bad = client.get(f"/api/v1/documents/{doc['id']}/render?syntax=x12", headers=demo.headers)
    assert bad.status_code == 400


def test_an_order_for_a_ubl_partner_is_routed_as_ubl(app, client, runner, make_partner, make_user):
    demo = make_partner("demo", edi_id="5412345000013")
    supplier = make_partner("supplier", edi_id="5498765000017")
    runner.invoke(args=["hub", "partner-add", "x", "--edi-id", "1"])  # unrelated partner
    with app.app_context(), new_session() as session:
        from hub.models import Partner
        session.get(Partner, supplier.id).syntax = "ubl"
        session.commit()
    exchange_id = post(client, demo, (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes())
    process(app)
    assert shown(client, demo, exchange_id)["state"] == "processed"
    staff = make_user("ops", "admin")
    outbound = client.get(f"/api/v1/exchanges?direction=outbound&partner_id={supplier.id}",
                          headers=staff).json
    (item,) = outbound["items"]
    assert (item["type"], item["syntax"]) == ("Order", "ubl")
    held_or_sendable(item)
    xml = rendered(app, item)
    from mappings.ubl import parse_ubl
    assert parse_ubl(xml).number == "PO-2024-0042"
    # the buyer does not see what was sent to the supplier
    assert client.get("/api/v1/exchanges?direction=outbound", headers=demo.headers).json["total"] == 0


def test_nothing_is_half_persisted_when_the_second_message_fails(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    text = (FIXTURES / "demo_orders_d96a_basic.edi").read_text(encoding="latin-1")
    start, end = text.index("UNH+"), text.index("UNZ+")
    message = text[start:end]
    broken = message.replace("UNH+1+", "UNH+2+").replace("UNT+", "UNT+").replace(
        "PO-2024-0042", "PO-2024-0043").replace("QTY+21:", "QTY+21:X")
    broken = broken.replace(broken[broken.rindex("UNT+"):], broken[broken.rindex("UNT+"):]
                            .replace("+1'", "+2'"))
    body = text[:end] + broken + text[end:].replace("UNZ+1+", "UNZ+2+")
    exchange_id = post(client, demo, body.encode("latin-1"))
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "failed"
    assert {p.get("message_ref") for p in ex["error"]["problems"]} == {"2"}
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        assert session.get(Exchange, exchange_id).state == "failed"


def test_unknown_item_and_unknown_party_when_the_profile_asks(app, client, runner, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    out = runner.invoke(args=["hub", "partner-profile", "demo", "--set",
                              'extra={"require_known_items": true, "require_known_parties": true}',
                              "--set", 'item_xref={"OTHER-1": "SKU-1"}'])
    assert out.exit_code == 0, out.output
    exchange_id = post(client, demo, (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes())
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "failed"
    codes = {p["code"] for p in ex["error"]["problems"]}
    assert codes == {"UNKNOWN_ITEM", "UNKNOWN_PARTY"}
    unknown_party = next(p for p in ex["error"]["problems"] if p["code"] == "UNKNOWN_PARTY")
    assert "5498765000017" in unknown_party["message"]  # the supplier nobody registered
    (aperak_id,) = ex["error"]["acknowledgements"]
    aperak = raw_interchange(client, demo, aperak_id)
    assert sum(s.tag == "ERC" for s in aperak.messages[0].segments) == len(ex["error"]["problems"])


def test_a_wrong_line_count_in_cnt_is_named_and_tolerable(app, client, runner, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    body = (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes().replace(b"CNT+2:3'", b"CNT+2:5'")
    exchange_id = post(client, demo, body)
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "failed"
    (problem,) = ex["error"]["problems"]
    assert (problem["code"], problem["segment_tag"], problem["element"]) == (
        "CNT_MISMATCH", "CNT", "C270/6066")
    assert "says 5 line items, the message has 3" in problem["message"]
    runner.invoke(args=["hub", "partner-profile", "demo", "--set", "tolerate_count_mismatch=true"])
    assert runner.invoke(args=["hub", "reprocess", exchange_id]).exit_code == 0
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "processed" and [w["code"] for w in ex["warnings"]] == ["CNT_MISMATCH"]


def test_a_file_with_thousands_of_defects_keeps_the_first_and_counts_all(app, client,
                                                                         make_partner):
    from bench.edifact_parse import generate

    sender = make_partner("bench", edi_id="5412345000013")
    body = generate(150, 2).replace(b"QTY+21:", b"QTY+21:X")  # 300 non-numeric quantities
    exchange_id = post(client, sender, body)
    process(app)
    ex = shown(client, sender, exchange_id)
    assert ex["state"] == "failed"
    assert len(ex["error"]["problems"]) == 200 and ex["error"]["problems_total"] == 300
    assert "(and 299 more)" in ex["error"]["message"]


def test_routed_documents_get_consecutive_control_numbers(app, client, make_partner):
    from bench.edifact_parse import generate

    buyer = make_partner("bench", edi_id="5412345000013")
    supplier = make_partner("supplier", edi_id="4012345000009")
    exchange_id = post(client, buyer, generate(5, 1))
    process(app)
    assert shown(client, buyer, exchange_id)["state"] == "processed"
    items = client.get("/api/v1/exchanges?direction=outbound", headers=supplier.headers).json
    refs = sorted(i["control_ref"] for i in items["items"])
    assert refs == [f"H{n:08d}" for n in range(1, 6)]
    again = post(client, buyer, generate(5, 1).replace(b"PO0", b"PX0").replace(b"BENCH1", b"BENCH2"))
    process(app)
    assert shown(client, buyer, again)["state"] == "processed"
    items = client.get("/api/v1/exchanges?direction=outbound&per_page=20",
                       headers=supplier.headers).json
    assert sorted(i["control_ref"] for i in items["items"])[-1] == "H00000010"


def _as_test(body: bytes, *, ack: bool = False) -> bytes:
    """The interchange with UNB 0035 = 1 (a test), and 0031 = 1 when `ack`."""
    text = body.decode("latin-1")
    start = text.index("UNB+")
    end = text.index("'", start)
    unb = text[start:end].split("+")
    unb += [""] * (12 - len(unb))
    unb[11] = "1"  # list index = element position + 1 (the tag is first)
    if ack:
        unb[9] = "1"
    return (text[:start] + "+".join(unb) + text[end:]).encode("latin-1")


def test_a_test_interchange_is_kept_as_test_documents_that_go_nowhere(
        app, client, make_partner, make_user):
    from bench.edifact_parse import generate
    from hub.models import ErpConnector, OutboxEntry

    with app.app_context(), new_session() as session:  # an ERP that would take every document
        session.add(ErpConnector(name="erp", key="poll", settings={}, document_types=[]))
        session.commit()
    buyer = make_partner("bench", edi_id="5412345000013")
    supplier = make_partner("supplier", edi_id="4012345000009")
    exchange_id = post(client, buyer, _as_test(generate(3, 2), ack=True))
    process(app)
    ex = shown(client, buyer, exchange_id)
    assert ex["state"] == "processed", ex["error"]
    assert ex["result"]["test"] is True
    docs = ex["result"]["documents"]
    assert [(d["number"], d["test"]) for d in docs] == [(f"PO{n:08d}", True) for n in (1, 2, 3)]
    (warning,) = [w for w in ex["warnings"] if w["code"] == "TEST_INTERCHANGE"]
    assert (warning["segment_tag"], warning["element"]) == ("UNB", "0035")
    got = client.get(docs[0]["links"]["self"], headers=buyer.headers).json
    assert got["test"] is True and len(got["document"]["lines"]) == 2
    with app.app_context(), new_session() as session:  # nothing queued for the ERP
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    # nothing routed to the supplier; the CONTRL the buyer asked for goes back marked as a test
    assert client.get("/api/v1/exchanges?direction=outbound",
                      headers=supplier.headers).json["items"] == []
    (ack_id,) = ex["result"]["acknowledgements"]
    contrl = raw_interchange(client, buyer, ack_id)
    assert contrl.test and contrl.messages[0].segments[1].get(3) == "7"
    # the same orders sent live afterwards (a new interchange) are new orders, not duplicates,
    # and these do go to the supplier and the ERP
    live = post(client, buyer, generate(3, 2).replace(b"BENCH1", b"BENCH2"))
    process(app)
    ex = shown(client, buyer, live)
    assert ex["state"] == "processed", ex["error"]
    assert [d.get("test") for d in ex["result"]["documents"]] == [None] * 3
    assert len(client.get("/api/v1/exchanges?direction=outbound",
                          headers=supplier.headers).json["items"]) == 3
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 3


def test_a_faulty_test_interchange_fails_like_a_live_one(app, client, make_partner):
    demo = make_partner("demo", edi_id="5412345000013")
    body = (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes().replace(b"QTY+21:", b"QTY+21:x")
    exchange_id = post(client, demo, _as_test(body, ack=True))
    process(app)
    ex = shown(client, demo, exchange_id)
    assert ex["state"] == "failed"
    assert {p["segment_tag"] for p in ex["error"]["problems"]} == {"QTY"}
    (ack_id,) = ex["error"]["acknowledgements"]
    contrl = raw_interchange(client, demo, ack_id)
    assert contrl.test and contrl.messages[0].segments[1].get(3) == "4"
