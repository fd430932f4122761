"""Matching on a schedule: the leader's scheduler carries the run (its misfire grace a whole slot); each
slot's run happens once (a late start within the slot runs it, a second start in the same slot does
nothing, the next slot runs again); `flask hub reconcile [--dry-run]`; the ERP is told."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from hub.db import new_session, utcnow
from hub.models import AuditEvent, Document, Exchange, OutboundDelivery, OutboxEntry
from hub.reconciliation import jobs, service
from hub.scheduler import HubScheduler


def test_the_leader_schedules_matching_every_slot_and_it_can_be_switched_off(app: Flask) -> None:
    app.config["HUB_SETTINGS"].matching.every_minutes = 30
    job = {j.id: j for j in HubScheduler(app).scheduler.get_jobs()}["reconcile"]
    assert job.trigger.interval == timedelta(minutes=30) and job.misfire_grace_time == 30 * 60
    app.config["HUB_SETTINGS"].matching.enabled = False
    assert "reconcile" not in {j.id for j in HubScheduler(app).scheduler.get_jobs()}


def test_each_slot_runs_once_even_when_started_late_or_twice(app: Flask, scenario: dict[str, Any]) -> None:
    with freeze_time("2026-12-02 10:59:30+00:00"):  # fired late, still within the 10:00 slot
        first = jobs.reconcile(app)
    assert (first["slot"], first["matched"]) == ("2026-12-02T10:00:00+00:00", 7)
    with freeze_time("2026-12-02 10:59:59+00:00"):  # a second leader, or a restart, in the same slot
        assert jobs.reconcile(app)["skipped"] is True
    with freeze_time("2026-12-02 11:00:01+00:00"):
        later = jobs.reconcile(app)
    assert (later["slot"], later["payments"], later["matched"]) == ("2026-12-02T11:00:00+00:00", 5, 0)


def test_the_cli_dry_run_writes_nothing_and_the_real_run_matches(app: Flask, runner: Any,
                                                                  scenario: dict[str, Any]) -> None:
    dry = runner.invoke(args=["hub", "reconcile", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.output)
    assert shown["dry_run"] and shown["matched"] == 7
    assert next(d for d in shown["decisions"] if d["entry"] == "E03-fees-rf")["match"]["signals"] == [
        "amount", "reference"]
    real = runner.invoke(args=["hub", "reconcile"])
    assert json.loads(real.output)["matched"] == 7  # the dry run left everything to match


def _messages(app: Flask) -> list[Document]:
    with app.app_context(), new_session() as session:
        docs = list(session.scalars(select(Document).where(Document.doc_type == "payment_status")
                                    .order_by(Document.created_at, Document.partner_id)))
        session.expunge_all()
    return docs


def _canonical_bytes(message: dict[str, Any]) -> bytes:
    """The message as the ERP gets it: compact JSON, keys sorted."""
    return json.dumps(message, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def test_the_erp_gets_one_payment_status_message_per_buyer_listing_its_invoices_paid_and_undone(
        app: Flask, client: Any, runner: Any, scenario: dict[str, Any]) -> None:
    added = runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll",
                                "--doc-type", "payment_status"])
    assert added.exit_code == 0, added.output
    client.post("/api/v1/reconciliation/runs", json={}, headers=scenario["admin"])
    docs = _messages(app)
    with app.app_context(), new_session() as session:
        queued = {e.document_id: bytes(e.payload) for e in session.scalars(select(OutboxEntry))}
    # E01 to E07 paid eight invoices of three buyers: acme five (EUR and USD), brasil two, globex one
    n, partners = scenario["numbers"], scenario["partners"]
    by_buyer = {d.partner_id: d.canonical for d in docs}
    assert len(docs) == len(queued) == 3 and set(by_buyer) == {partners["acme"], partners["brasil"],
                                                              partners["globex"]}
    for doc in docs:  # what the ERP fetches is the document's JSON, compact, keys sorted
        assert queued[doc.id] == _canonical_bytes(doc.canonical)
        assert list(doc.canonical) == ["at", "buyer_id", "event", "invoices"]
        assert doc.canonical["buyer_id"] == doc.partner_id and doc.canonical["event"] == "matched"
    brasil = by_buyer[partners["brasil"]]["invoices"]
    assert brasil == [
        {"currency": "BRL", "invoice": n["i6"], "invoice_id": scenario["ids"]["i6"], "paid": "1200.00",
         "payable": "1200.00", "state": "paid"},
        {"currency": "BRL", "invoice": n["i7"], "invoice_id": scenario["ids"]["i7"], "paid": "800.00",
         "payable": "800.00", "state": "paid"}]  # i7 paid in two payments (E05, E06): one line, its end state
    assert [i["invoice"] for i in by_buyer[partners["acme"]]["invoices"]] == [
        n["i1"], n["i2"], n["i3"], n["i4"], n["i8"]]
    totals = {d.partner_id: (d.currency, d.total) for d in docs}
    assert totals == {partners["brasil"]: ("BRL", Decimal("2000.00")),
                      partners["globex"]: ("EUR", Decimal("500.00")),  # 498.50 and 1.50 bank fees
                      partners["acme"]: (None, None)}  # EUR and USD: no one currency, no total
    payment = next(p for p in client.get("/api/v1/reconciliation/payments?status=matched",
                                         headers=scenario["admin"]).get_json()["items"]
                   if p["entry_key"] == "E01-exact")
    [match] = client.get(f"/api/v1/reconciliation/payments/{payment['id']}",
                         headers=scenario["admin"]).get_json()["matches"]
    client.post(f"/api/v1/reconciliation/matches/{match['id']}/undo", json={}, headers=scenario["admin"])
    undone = [d.canonical for d in _messages(app) if d.canonical["event"] == "undone"]
    assert [(m["buyer_id"], [(i["invoice"], i["state"], i["paid"]) for i in m["invoices"]])
            for m in undone] == [(partners["acme"], [(n["i1"], "issued", "0.00")])]


def test_a_pushing_erp_gets_a_pending_delivery_per_buyer_paid_one_exchange_each_one_audit_event(
        app: Flask, client: Any, runner: Any, scenario: dict[str, Any]) -> None:
    added = runner.invoke(args=["hub", "connector-add", "erp", "--key", "rest", "--endpoint",
                                "https://erp.example/api", "--doc-type", "payment_status"])
    assert added.exit_code == 0, added.output
    run = client.post("/api/v1/reconciliation/runs", json={}, headers=scenario["admin"]).get_json()
    with app.app_context(), new_session() as session:
        deliveries = session.scalars(select(OutboundDelivery)).all()
        docs = {d.id: d for d in session.scalars(select(Document).where(
            Document.doc_type == "payment_status"))}
        [batch] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "delivery.batch_queued")).all()
        assert len(deliveries) == len(docs) == 3  # E01 to E07 paid eight invoices of three buyers
        assert {d.state for d in deliveries} == {"pending"}
        assert (batch.details["count"], batch.details["invoices"], batch.details["exchanges"],
                batch.details["connector"], batch.details["event"], batch.details["run"]) == (
            3, 8, 3, "erp", "matched", run["run_id"])
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.queued")).all()
        for d in deliveries:  # one exchange per buyer: its bytes, its one document and the delivery agree
            doc = docs[d.document_id]
            exchange = session.get(Exchange, doc.exchange_id)
            assert exchange is not None and exchange.partner_id == doc.partner_id == d.partner_id
            assert (exchange.state, exchange.control_ref, exchange.content_type, exchange.result) == (
                "processed", batch.details["control_ref"], "application/json", {"documents": [doc.id]})
            assert bytes(exchange.raw) == bytes(d.payload) == _canonical_bytes(doc.canonical)
            assert (doc.position, doc.number, d.content_type) == (
                1, f"{batch.details['control_ref']}:{doc.partner_id}", "application/json")
        assert sorted(len(doc.canonical["invoices"]) for doc in docs.values()) == [1, 2, 5]
    assert runner.invoke(args=["hub", "audit-verify"]).exit_code == 0  # the chain seals and verifies


def test_a_run_that_fails_after_queueing_leaves_no_message_exchange_or_queue_row_behind(
        app: Flask, client: Any, runner: Any, scenario: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The messages are written in the run's transaction: a crash before its commit loses none and
    leaves none to deliver for matches that were never made; the next run sends them."""
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll", "--doc-type",
                               "payment_status"]).exit_code == 0

    def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("the process died before the commit")

    monkeypatch.setattr(service, "finish", crash)
    with pytest.raises(RuntimeError):
        service.reconcile(lambda: new_session(app), app.config["HUB_SETTINGS"].matching,
                          at=utcnow(), scheduled=False)
    with app.app_context(), new_session() as session:
        assert session.scalars(select(Document).where(Document.doc_type == "payment_status")).all() == []
        assert session.scalars(select(Exchange).where(Exchange.doc_type == "payment_status")).all() == []
        assert session.scalars(select(OutboxEntry)).all() == []
    monkeypatch.undo()
    assert client.post("/api/v1/reconciliation/runs", json={}, headers=scenario["admin"]).status_code == 201
    with app.app_context(), new_session() as session:
        assert len(session.scalars(select(OutboxEntry)).all()) == 3  # a message for each of three buyers


def test_rules_and_tolerances_are_configured_from_the_command_line(app: Flask, runner: Any,
                                                                    scenario: dict[str, Any]) -> None:
    off = runner.invoke(args=["hub", "reconcile-rule", "reference", "--disabled"])
    assert off.exit_code == 0, off.output
    strict = runner.invoke(args=["hub", "reconcile-tolerance", "EUR", "--absolute", "1.00", "--percent", "1",
                                 "--account", "6570"])
    assert json.loads(strict.output) == {"currency": "EUR", "absolute": "1.00", "percent": "1",
                                         "account": "6570"}
    shown = json.loads(runner.invoke(args=["hub", "reconcile", "--dry-run"]).output)
    decided = {d["entry"]: d for d in shown["decisions"]}
    assert decided["E01-exact"]["match"]["signals"] == ["amount", "payer"]  # partner and amount, no reference
    assert decided["E03-fees-rf"]["match"] is None  # 1.50 of fees is beyond 1.00: a person decides
    assert runner.invoke(args=["hub", "reconcile-rule", "nonsense"]).exit_code != 0
