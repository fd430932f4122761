"""A partner cancels (REMADV BGM 1225 = 1) or replaces (1225 = 5) a remittance advice it sent: the
advice no longer counts, the match made on its strength is undone and its payment waits for a person
with the reason; a cancellation of an advice never sent fails naming BGM 1004 (or RFF+ACW)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent
from hub.reconciliation import service
from hub.reconciliation.match_models import PaymentMatch
from hub.reconciliation.models import RemittanceRecord, StatementEntry
from hub.reconciliation.settings import MatchingSettings
from tests.integration.reconciliation.test_fixture_matches import ROOT, _world
from tests.support import reconciliation
from tests.support.exchanges import post, process, shown

ADVICE = (ROOT / "fixtures" / "edifact" / "demo_remadv_d96a_reconciliation.edi").read_bytes()
PAID_BY_REFERENCE = "ref:2026120100017"  # 1,815.00 naming INV-2026-000101 to 103, as the REMADV did
PAID_BY_ADVICE = "E-ADVISED"  # 500.00 naming only the advice REM-2026-7790
INVOICES = "/api/v1/invoicing/invoices"


def _run(app: Flask) -> None:
    service.reconcile(lambda: new_session(app), MatchingSettings(), at=datetime(2026, 12, 2, 9, tzinfo=UTC),
                      scheduled=False, actor="test")


def _remadv(function: str, lines: list[tuple[str, str]], *, number: str = "REM-2026-7790",
            ref: str = "REM7790", previous: str | None = None) -> bytes:
    """A REMADV of demo-retail's, hand-written: BGM function, the invoices and amounts it pays."""
    body = ["UNH+1+REMADV:D:96A:UN", f"BGM+481+{number}+{function}", "DTM+137:20261202:102",
            *([f"RFF+ACW:{previous}"] if previous else []),
            "NAD+PR+5412345000013::9++Demo Retail NV", "NAD+PE+5498765000017::9++Ponte Demo GmbH",
            "CUX+2:EUR:9"]
    for invoice, amount in lines:
        body += [f"DOC+380+{invoice}", f"MOA+12:{amount}"]
    total = sum(Decimal(amount) for _, amount in lines)
    body += ["UNS+S", f"MOA+12:{total:.2f}"]
    body.append(f"UNT+{len(body) + 1}+1")
    segments = ["UNA:+.? ", f"UNB+UNOC:3+5412345000013:14+5498765000017:14+20261202:0905+{ref}", *body,
                f"UNZ+1+{ref}"]
    return "'\n".join(segments).encode() + b"'\n"


def _world_matched(app: Flask, client: Any, make_partner: Any) -> tuple[Any, list[str]]:
    """The fixtures' world, matched, plus two invoices of demo-retail's paid by one payment that names
    only its remittance advice REM-2026-7790: matched on the strength of the advice. Demo-retail's
    handle and the two invoice numbers."""
    demo = _world(app, client, make_partner)
    with app.app_context(), new_session() as session:
        numbers = [reconciliation.invoice(session, "demo-retail", amount).number
                   for amount in ("300.00", "200.00")]
        session.commit()
    post(client, demo, _remadv("9", [(numbers[0], "300.00"), (numbers[1], "200.00")]))
    process(app)
    with app.app_context(), new_session() as session:
        held = reconciliation.statement(session, "ADV-1", account="DE89370400440532013000")
        reconciliation.entry(session, held, PAID_BY_ADVICE, "500.00", remittance_info="Zahlung REM-2026-7790",
                             counterparty_iban="BE71096123456769")
        session.commit()
    _run(app)
    assert _entry(app).status == "matched" and _entry(app, PAID_BY_REFERENCE).status == "matched"
    with app.app_context(), new_session() as session:
        rule = session.scalars(select(PaymentMatch.rule).where(PaymentMatch.entry_id == _entry(app).id,
                                                               PaymentMatch.state == "matched")).one()
    assert rule == "remittance"
    return demo, numbers


def _state(client: Any, auditor: dict[str, str], number: str) -> str:
    items = client.get(f"{INVOICES}?per_page=100", headers=auditor).get_json()["items"]
    return str(next(i for i in items if i["number"] == number)["state"])


def _entry(app: Flask, key: str = PAID_BY_ADVICE) -> StatementEntry:
    with app.app_context(), new_session() as session:
        entry = session.scalars(select(StatementEntry).where(StatementEntry.entry_key == key)).one()
        session.expunge(entry)
    return entry


def _record(app: Flask, number: str = "REM-2026-7790") -> RemittanceRecord:
    with app.app_context(), new_session() as session:
        record = session.scalars(select(RemittanceRecord).where(RemittanceRecord.number == number)).one()
        session.expunge(record)
    return record


def _actions(app: Flask) -> list[str]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(
            ("remittance.cancelled", "remittance.replaced", "payment.unmatched"))).order_by(AuditEvent.id)))


def test_a_cancelled_advice_undoes_its_match_and_puts_the_payment_back_with_the_reason(
        app: Flask, client: Any, make_partner: Any, make_user: Any) -> None:
    demo, numbers = _world_matched(app, client, make_partner)
    auditor = make_user("eve", "auditor")
    assert [_state(client, auditor, n) for n in numbers] == ["paid", "paid"]
    exchange = post(client, demo, _remadv("1", [(numbers[0], "300.00"), (numbers[1], "200.00")], ref="C1"))
    process(app)
    assert shown(client, demo, exchange)["state"] == "processed"
    entry = _entry(app)
    assert (entry.status, entry.open_amount) == ("unmatched", entry.amount)
    assert "REM-2026-7790 cancelled by the partner" in entry.details["remittance_withdrawn"]["reason"]
    assert [_state(client, auditor, n) for n in numbers] == ["issued", "issued"]
    assert _record(app).state == "cancelled"
    assert _actions(app) == ["payment.unmatched", "remittance.cancelled"]
    with app.app_context(), new_session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "remittance.cancelled")).one()
        unmatched = session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.unmatched")).one()
    assert event.details["lines_withdrawn"] == numbers and len(event.details["matches_undone"]) == 1
    assert "cancelled by the partner" in unmatched.details["reason"]
    queue = client.get("/api/v1/reconciliation/exceptions", headers=auditor).get_json()["items"]
    assert PAID_BY_ADVICE in [p["entry_key"] for p in queue]
    _run(app)  # the advice no longer counts: the payment waits for a person
    assert _entry(app).status in ("suggested", "unmatched")
    assert [_state(client, auditor, n) for n in numbers] == ["issued", "issued"]
    again = post(client, demo, _remadv("1", [(numbers[0], "300.00"), (numbers[1], "200.00")], ref="C2"))
    process(app)
    assert shown(client, demo, again)["state"] == "processed"
    assert _actions(app) == ["payment.unmatched", "remittance.cancelled"], "the same cancellation: nothing"


def test_a_match_made_on_other_evidence_stands_when_its_advice_is_cancelled(
        app: Flask, client: Any, make_partner: Any) -> None:
    """The fixture REMADV's payment quotes its three invoice numbers itself: matched by reference, payer
    and amount; cancelling the advice withdraws it, the match stands."""
    demo, _ = _world_matched(app, client, make_partner)
    cancel = ADVICE.replace(b"REM7781", b"REM7799").replace(b"+REM-2026-7781+9'", b"+REM-2026-7781+1'")
    post(client, demo, cancel)
    process(app)
    assert _record(app, "REM-2026-7781").state == "cancelled"
    assert _entry(app, PAID_BY_REFERENCE).status == "matched"


def test_a_cancellation_naming_the_advice_in_rff_acw(app: Flask, client: Any, make_partner: Any) -> None:
    demo, numbers = _world_matched(app, client, make_partner)
    post(client, demo, _remadv("1", [(numbers[0], "300.00")], number="REM-2026-7790-C", ref="C3",
                               previous="REM-2026-7790"))
    process(app)
    assert _record(app).state == "cancelled" and _entry(app).status == "unmatched"


def test_a_cancellation_of_an_advice_never_sent_fails_naming_bgm_1004(
        app: Flask, client: Any, make_partner: Any) -> None:
    demo, numbers = _world_matched(app, client, make_partner)
    exchange = post(client, demo, _remadv("1", [(numbers[0], "300.00")], number="REM-2026-9999", ref="C4"))
    process(app)
    failed = shown(client, demo, exchange)
    assert failed["state"] == "failed", failed
    problem = failed["error"]["problems"][0]
    assert problem["element"] == "BGM/1004" and "REM-2026-9999" in problem["message"]
    assert _record(app).state == "active" and _entry(app).status == "matched", "nothing was written"


def test_a_replacing_advice_replaces_the_lines_and_undoes_the_match_made_on_the_old_ones(
        app: Flask, client: Any, make_partner: Any, make_user: Any) -> None:
    demo, numbers = _world_matched(app, client, make_partner)
    auditor = make_user("eve", "auditor")
    post(client, demo, _remadv("5", [(numbers[0], "300.00"), (numbers[1], "150.00")], ref="R1"))
    process(app)
    record = _record(app)
    assert record.state == "active" and [(line["invoice"], line["amount"]) for line in record.lines] == [
        (numbers[0], "300.00"), (numbers[1], "150.00")]
    assert _entry(app).status == "unmatched"
    assert [_state(client, auditor, n) for n in numbers] == ["issued", "issued"]
    assert _actions(app) == ["payment.unmatched", "remittance.replaced"]
