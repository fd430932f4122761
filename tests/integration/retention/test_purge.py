"""`flask hub purge` and the daily job: old final files go, the rest stays, and it all still reads."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from hub.db import new_session
from hub.invoicing.models import IssuedInvoice
from hub.models import (
    AuditEvent,
    Document,
    DocumentLine,
    ErpConnector,
    Exchange,
    OutboundDelivery,
    OutboxEntry,
)
from hub.partners.models import Company
from hub.retention import jobs
from hub.retention.domain import RetentionPolicy
from tests.conftest import ON_POSTGRES
from tests.support.admin import enrolled_user, sign_in
from tests.support.exchanges import post, process

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
INVOIC = (ROOT / "fixtures" / "edifact" / "acme_invoic_d01b_allowances.edi").read_bytes()
DEMO_GLN, ACME_GLN = "5412345000013", "5498765000017"


def _age(app: Flask, days: int, ids: list[str] | None = None) -> None:
    """Move exchanges (all, or these) and their documents `days` into the past."""
    back = datetime.now(UTC) - timedelta(days=days)
    with app.app_context(), new_session() as session:
        where = [Exchange.id.in_(ids)] if ids else []
        session.execute(update(Exchange).where(*where).values(received_at=back))
        docs = [Document.exchange_id.in_(ids)] if ids else []
        session.execute(update(Document).where(*docs).values(created_at=back))
        session.commit()


def _exchange(app: Flask, exchange_id: str) -> Exchange:
    with app.app_context(), new_session() as session:
        row = session.get(Exchange, exchange_id)
        assert row is not None
        _ = row.raw
        session.expunge(row)
        return row


def _outbound(app: Flask) -> list[str]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(Exchange.id).where(Exchange.direction == "outbound")))


@pytest.fixture
def community(app: Flask, client: FlaskClient, make_partner: Any) -> dict[str, Any]:
    """A processed order (routed to acme, pending there), a processed invoice and a waiting order."""
    demo = make_partner("demo", edi_id=DEMO_GLN, roles=("buyer",))
    acme = make_partner("acme", edi_id=ACME_GLN, roles=("supplier",))
    order = post(client, demo, ORDERS)
    invoice = post(client, acme, INVOIC)
    process(app)
    waiting = post(client, demo, ORDERS.replace(b"ORD0001", b"ORD0002"))
    return {"demo": demo, "acme": acme, "order": order, "invoice": invoice, "waiting": waiting,
            "routed": _outbound(app)}


def test_old_processed_files_go_and_everything_not_final_or_young_stays(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, community: dict[str, Any]) -> None:
    c = community
    assert c["routed"], "the order to acme is queued for acme"
    before = _exchange(app, c["order"])
    _age(app, 200)

    result = runner.invoke(args=["hub", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    header, *rows = [line.split("\t") for line in result.output.splitlines() if "\t" in line]
    assert header[:3] == ["class", "older than", "purged"]
    counts = {row[0]: row for row in rows}
    assert counts["raw"][2] == "1" and counts["documents"][2] == "1"

    order = _exchange(app, c["order"])
    assert order.purged_at is not None and order.raw == b""
    assert (order.sha256, order.size, order.state) == (before.sha256, before.size, "processed")
    shown = client.get(f"/api/v1/exchanges/{c['order']}", headers=c["demo"].headers)
    assert shown.status_code == 200 and shown.json["purged_at"] and shown.json["sha256"] == before.sha256
    raw = client.get(f"/api/v1/exchanges/{c['order']}/raw", headers=c["demo"].headers)
    assert raw.status_code == 410 and raw.json["error"]["code"] == "PURGED", raw.json
    assert before.sha256 in raw.json["error"]["message"]

    # the received invoice is younger than five years; the waiting order and the routed file not final
    for kept in (c["invoice"], c["waiting"], *c["routed"]):
        assert _exchange(app, kept).purged_at is None and _exchange(app, kept).raw
    with app.app_context(), new_session() as session:
        docs = {d.exchange_id: d for d in session.scalars(select(Document))}
        order_doc = docs[c["order"]]
        assert order_doc.purged_at is not None and order_doc.canonical == {}
        assert order_doc.number == "PO-2024-0042"
        assert not session.scalars(select(DocumentLine).where(DocumentLine.document_id == order_doc.id)).all()
        assert docs[c["invoice"]].purged_at is None and docs[c["invoice"]].canonical
        assert all(docs[r].purged_at is None for r in c["routed"] if r in docs)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).all()
    assert len(events) == 1 and events[0].details["classes"]["raw"]["purged"] == 1
    assert events[0].details["classes"]["raw"]["legal_minimum"] == 1
    assert events[0].details["classes"]["raw"]["not_final"] == 1
    document = client.get(f"/api/v1/documents/{order_doc.id}", headers=c["demo"].headers)
    assert document.status_code == 200 and document.json["document"] is None and document.json["purged_at"]
    assert client.get(f"/api/v1/documents/{order_doc.id}/render",
                      headers=c["demo"].headers).status_code == 410

    verified = runner.invoke(args=["hub", "audit-verify"])
    assert verified.exit_code == 0, verified.output
    assert "audit trail intact" in verified.output

    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    page = client.get(f"/admin/exchanges/{c['order']}")
    assert page.status_code == 200 and 'id="purged"' in page.get_data(as_text=True)
    assert client.get(f"/admin/exchanges/{c['order']}/raw").status_code == 410


def test_invoices_go_only_past_the_legal_minimum(app: Flask, runner: FlaskCliRunner,
                                                 community: dict[str, Any]) -> None:
    _age(app, 4 * 365, [community["invoice"]])
    runner.invoke(args=["hub", "purge", "--older-than", "30d", "--class", "raw"])
    assert _exchange(app, community["invoice"]).purged_at is None
    _age(app, 5 * 365 + 2, [community["invoice"]])
    result = runner.invoke(args=["hub", "purge", "--older-than", "30d", "--class", "raw"])
    assert result.exit_code == 0, result.output
    assert _exchange(app, community["invoice"]).purged_at is not None


def test_a_dry_run_counts_and_changes_nothing(app: Flask, runner: FlaskCliRunner,
                                              community: dict[str, Any]) -> None:
    _age(app, 200)
    result = runner.invoke(args=["hub", "purge", "--older-than", "90d", "--dry-run"])
    assert result.exit_code == 0 and "would purge" in result.output
    assert _exchange(app, community["order"]).purged_at is None
    with app.app_context(), new_session() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).all()


def _issued(app: Flask, partner_id: int, number: str, state: str) -> str:
    """An issued invoice whose file went out, as invoicing leaves it (rows only)."""
    with app.app_context(), new_session() as session:
        company = session.scalars(select(Company)).first()
        if company is None:
            company = Company(name="Ponte Seller SA", country="BE")
            session.add(company)
            session.flush()
        exchange = Exchange(direction="outbound", partner_id=partner_id, state="sent", syntax="ubl",
                            doc_type="Invoice", sha256=number.ljust(64, "0"), size=10, raw=b"<Invoice/>")
        session.add(exchange)
        session.flush()
        session.add(IssuedInvoice(company_id=company.id, buyer_id=partner_id, number=number, state=state,
                                  currency="EUR", issued=date(2020, 1, 2), payable=Decimal("10.00"),
                                  syntax="ubl", exchange_id=exchange.id, source="test", request={},
                                  canonical={}, history=[]))
        session.commit()
        return exchange.id


def test_an_unpaid_issued_invoice_is_kept_whatever_its_age(app: Flask, runner: FlaskCliRunner,
                                                           make_partner: Any) -> None:
    buyer = make_partner("buyer", edi_id="5790000435968")
    unpaid = _issued(app, buyer.id, "INV-2020-000001", "overdue")
    paid = _issued(app, buyer.id, "INV-2020-000002", "paid")
    _age(app, 6 * 365)
    result = runner.invoke(args=["hub", "purge", "--older-than", "1y", "--class", "rendered"])
    assert result.exit_code == 0, result.output
    assert _exchange(app, unpaid).purged_at is None
    assert _exchange(app, paid).purged_at is not None
    assert "rendered\t365d\t1\t10\t0\t0\t1\t0" in result.output  # 1 purged (10 bytes), 1 kept unpaid


def test_the_daily_job_runs_once_a_day_under_the_policy(app: Flask, community: dict[str, Any]) -> None:
    app.config["HUB_SETTINGS"].retention = RetentionPolicy(raw_days=90)
    _age(app, 200)
    now = datetime.now(UTC)
    report = jobs.purge(app, now)
    assert report is not None and report["classes"]["raw"]["purged"] == 1
    assert list(report["classes"]) == ["raw"]  # documents and rendered files have no policy: kept
    assert jobs.purge(app, now + timedelta(minutes=5)) is None
    assert _exchange(app, community["order"]).purged_at is not None


def test_without_a_policy_or_an_age_purge_says_what_to_pass(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["hub", "purge"])
    assert result.exit_code == 2
    assert "--older-than" in result.output


@pytest.mark.skipif(ON_POSTGRES, reason="the file shrinks on SQLite; PostgreSQL reuses the space itself")
def test_the_sqlite_file_shrinks(app: Flask, runner: FlaskCliRunner, make_partner: Any) -> None:
    partner = make_partner("bulk")
    with app.app_context(), new_session() as session:
        for n in range(40):
            session.add(Exchange(direction="inbound", partner_id=partner.id, state="processed",
                                 syntax="edifact", sha256=f"{n:064d}", size=100_000,
                                 raw=os.urandom(100_000)))
        session.commit()
        path = session.get_bind().url.database
    assert path
    _age(app, 100)
    before = os.path.getsize(path)
    result = runner.invoke(args=["hub", "purge", "--older-than", "90d", "--class", "raw"])
    assert result.exit_code == 0, result.output
    after = os.path.getsize(path)
    assert after < before - 3_500_000, (before, after)
    assert f"database file: {before} -> {after} bytes" in result.output


def _deliveries(app: Flask, document_id: str, push_state: str) -> None:
    """A push delivery of the document in `push_state` and an acknowledged poll, both with payloads."""
    with app.app_context(), new_session() as session:
        push = ErpConnector(name="push-erp", key="rest", settings={"endpoint": "https://erp.example"})
        poll = ErpConnector(name="poll-erp", key="poll", settings={})
        session.add_all([push, poll])
        session.flush()
        back = datetime.now(UTC) - timedelta(days=200)
        session.add_all([
            OutboundDelivery(document_id=document_id, connector_id=push.id, state=push_state,
                             payload=b"x" * 100, created_at=back),
            OutboxEntry(connector_id=poll.id, document_id=document_id, acked_at=back, seq=1,
                        payload=b"y" * 50, created_at=back)])
        session.commit()


def _payloads(app: Flask) -> list[bytes | None]:
    with app.app_context(), new_session() as session:
        pushed = list(session.scalars(select(OutboundDelivery.payload)))
        return [*pushed, *session.scalars(select(OutboxEntry.payload))]


def _order_document(app: Flask, exchange_id: str) -> Document:
    with app.app_context(), new_session() as session:
        return session.scalars(select(Document).where(Document.exchange_id == exchange_id)).one()


def test_sent_payloads_go_and_a_document_still_being_delivered_stays(
        app: Flask, runner: FlaskCliRunner, community: dict[str, Any]) -> None:
    order = _order_document(app, community["order"])
    _deliveries(app, order.id, "retrying")
    _age(app, 200)
    result = runner.invoke(args=["hub", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert _order_document(app, community["order"]).purged_at is None  # its push is still retrying
    assert _exchange(app, community["order"]).purged_at is None
    assert _payloads(app) == [b"x" * 100, None]  # the acknowledged poll's copy went, the push's not

    with app.app_context(), new_session() as session:
        session.execute(update(OutboundDelivery).values(state="sent"))
        session.commit()
    result = runner.invoke(args=["hub", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert _payloads(app) == [None, None]
    assert _order_document(app, community["order"]).purged_at is not None
    assert _exchange(app, community["order"]).purged_at is not None
