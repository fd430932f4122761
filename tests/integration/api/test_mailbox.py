"""A partner's mailbox: what the hub has for it, oldest first, served as a download and acknowledged
(idempotently) so its exchange becomes `sent`; another partner's files stay out of reach."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from bench.edifact_parse import generate
from hub.db import new_session, utcnow
from hub.domain.validation import Validation
from hub.exchanges.mailbox import flag_not_taken
from hub.exchanges.outbound import add_outbound
from hub.models import AuditEvent, Exchange
from tests.support.exchanges import post, process

SUPPLIER = "4012345000009"


def outbound_file(app: Flask, partner_id: int, body: bytes, *, state_invalid: bool = False) -> str:
    """An outbound exchange for the partner, as the hub queues a CONTRL or a routed document."""
    checked = Validation()
    if state_invalid:
        from hub.domain.errors import Problem
        checked.add("test rules", [Problem(code="BROKEN", message="held")])
    with app.app_context(), new_session() as session:
        exchange, _ = add_outbound(session, partner_id, doc_type="CONTRL", syntax="edifact", raw=body,
                                   content_type="application/EDIFACT", control_ref="C1", sender=None,
                                   recipient=None, reply_to=None, actor="test", validation=checked)
        session.commit()
        return exchange.id


def test_the_mailbox_lists_serves_and_acknowledges_a_routed_order(app, client, make_partner):
    buyer = make_partner("buyer", edi_id="5412345000013")
    supplier = make_partner("supplier", edi_id=SUPPLIER)
    post(client, buyer, generate(2, 1))
    process(app)

    listed = client.get("/api/v1/mailbox", headers=supplier.headers)
    assert listed.status_code == 200
    items = listed.json["items"]
    assert len(items) == 2 and listed.json["next_cursor"] is None
    sendable = items
    assert [i["control_ref"] for i in sendable] == ["H00000001", "H00000002"]  # oldest first
    first = sendable[0]
    got = client.get(first["links"]["file"], headers=supplier.headers)
    assert got.status_code == 200 and got.data.lstrip()[:3] in (b"UNA", b"UNB")
    assert got.headers["Content-Disposition"] == f'attachment; filename="{first["id"]}.edi"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["X-Content-SHA256"] == hashlib.sha256(got.data).hexdigest() == first["sha256"]

    ack = client.post("/api/v1/mailbox/ack", json={"ids": [first["id"]]}, headers=supplier.headers)
    assert ack.json == {"acknowledged": [first["id"]], "unknown": []}
    again = client.post("/api/v1/mailbox/ack", json={"ids": [first["id"]]}, headers=supplier.headers)
    assert again.status_code == 200 and again.json == ack.json  # a second ack is harmless
    left = client.get("/api/v1/mailbox", headers=supplier.headers).json["items"]
    assert [i["id"] for i in left] == [sendable[1]["id"]]

    shown = client.get(f"/api/v1/exchanges/{first['id']}", headers=supplier.headers).json
    assert shown["state"] == "sent"
    assert shown["result"]["picked_up"]["by"] == "partner:supplier"
    with app.app_context(), new_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == first["id"],
                                                          AuditEvent.action == "exchange.state_changed")
                                .order_by(AuditEvent.id))
        assert [(e.details["from"], e.details["to"], e.details.get("via")) for e in events] == [
            ("pending", "sending", "mailbox"), ("sending", "sent", "mailbox")]  # acked twice, moved once


def test_another_partners_file_is_404_and_unknown_to_ack(app, client, make_partner):
    mine = make_partner("mine")
    other = make_partner("other")
    theirs = outbound_file(app, other.id, b"UNB+UNOC:3+X+Y'")
    assert client.get(f"/api/v1/mailbox/{theirs}", headers=mine.headers).status_code == 404
    ack = client.post("/api/v1/mailbox/ack", json={"ids": [theirs]}, headers=mine.headers)
    assert ack.json == {"acknowledged": [], "unknown": [theirs]}
    assert client.get(f"/api/v1/exchanges/{theirs}", headers=other.headers).json["state"] == "pending"
    assert [i["id"] for i in client.get("/api/v1/mailbox", headers=other.headers).json["items"]] == [
        theirs]
    # an inbound file of the partner's own is not in its mailbox either
    inbound = post(client, mine, generate(1, 1))
    assert client.get(f"/api/v1/mailbox/{inbound}", headers=mine.headers).status_code == 404


def test_invalid_files_are_never_listed_nor_acknowledged(app, client, make_partner):
    partner = make_partner("p")
    held = outbound_file(app, partner.id, b"UNB+held'", state_invalid=True)
    assert client.get("/api/v1/mailbox", headers=partner.headers).json["items"] == []
    ack = client.post("/api/v1/mailbox/ack", json={"ids": [held]}, headers=partner.headers)
    assert ack.json["unknown"] == [held]


def test_cursor_pages_through_the_mailbox_oldest_first(app, client, make_partner):
    partner = make_partner("p")
    ids = [outbound_file(app, partner.id, f"UNB+{n}'".encode()) for n in range(5)]
    seen, cursor = [], ""
    for _ in range(4):
        page = client.get(f"/api/v1/mailbox?limit=2&cursor={cursor}", headers=partner.headers).json
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    bad = client.get("/api/v1/mailbox?cursor=nonsense", headers=partner.headers)
    assert bad.status_code == 400 and "cursor" in bad.json["error"]["message"]


def test_staff_and_erp_tokens_are_refused_with_the_kind_expected(app, client, make_user):
    staff = make_user("ops", "operator")
    resp = client.get("/api/v1/mailbox", headers=staff)
    assert resp.status_code == 403 and "partner API key" in resp.json["error"]["message"]


def test_bad_ack_bodies_name_the_fix(app, client, make_partner):
    partner = make_partner("p")
    for body in ({"ids": "x"}, {"nope": []}, [1]):
        resp = client.post("/api/v1/mailbox/ack", json=body, headers=partner.headers)
        assert resp.status_code == 400 and "ids" in resp.json["error"]["message"]


def test_files_not_taken_in_time_are_flagged_once(app, client, make_partner):
    partner = make_partner("p")
    old = outbound_file(app, partner.id, b"UNB+old'")
    fresh = outbound_file(app, partner.id, b"UNB+fresh'")
    with app.app_context(), new_session() as session:
        session.get(Exchange, old).received_at = utcnow() - timedelta(hours=30)
        session.commit()
        assert flag_not_taken(session, older_than=timedelta(hours=24)) == 1
        session.commit()
        assert flag_not_taken(session, older_than=timedelta(hours=24)) == 0  # once
    items = {i["id"]: i for i in client.get("/api/v1/mailbox", headers=partner.headers).json["items"]}
    assert items[old]["overdue"] is True and items[fresh]["overdue"] is False
    shown = client.get(f"/api/v1/exchanges/{old}", headers=partner.headers).json
    assert [w["code"] for w in shown["warnings"]] == ["MAILBOX_NOT_TAKEN"]


def test_a_polling_erp_gets_the_document_rendered_in_base64(app, client, make_partner, make_user):
    from hub.erp.connectors import ConnectorSpec, add_connector, issue_connector_token

    with app.app_context(), new_session() as session:
        row = add_connector(session, ConnectorSpec(name="erp", key="poll"), actor="test",
                            secret_key=app.config["HUB_SETTINGS"].secret_key)
        _, token = issue_connector_token(session, row, actor="test")
        session.commit()
    buyer = make_partner("buyer", edi_id="5412345000013")
    post(client, buyer, generate(1, 1))
    process(app)
    headers = {"Authorization": f"Bearer {token}"}
    (item,) = client.get("/api/v1/outbox", headers=headers).json["items"]
    rendered = base64.b64decode(item["rendered"])
    assert rendered.startswith(b"UNB+UNOC:3+PONTEHUB:ZZ+erp:ZZ") and b"UNH+1+ORDERS:D:96A" in rendered
    assert item["content_type"] == "application/edifact"
    again = client.get(f"/api/v1/outbox/documents/{item['id']}", headers=headers).json
    assert again["rendered"] == item["rendered"]  # rendered once, kept
