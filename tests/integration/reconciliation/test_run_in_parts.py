"""A large run decides and writes its payments a part at a time (on PostgreSQL a part is written on
another thread while the next is decided): here every payment is a part of its own. The day still
matches exactly as the golden file says, the ERP hears once per buyer with each invoice's end state,
and a part that fails to write leaves nothing of the run behind: it can run again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from hub.db import new_session
from hub.models import AuditEvent, Document
from hub.reconciliation import booking, service
from hub.reconciliation.match_models import PaymentMatch
from hub.reconciliation.models import StatementEntry
from hub.reconciliation.settings import MatchingSettings
from tests.integration.reconciliation.test_matching_golden import GOLDEN
from tests.support.reconciliation import outcome


@pytest.fixture
def one_payment_a_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "RUN_PART", 1)


def _run(app: Flask) -> dict[str, Any]:
    return service.reconcile(lambda: new_session(app), MatchingSettings(),
                             at=datetime(2026, 12, 2, 9, tzinfo=UTC), scheduled=True)


def test_a_run_written_a_payment_at_a_time_matches_the_golden_day_and_tells_the_erp_once(
        app: Flask, runner: Any, scenario: dict[str, Any], one_payment_a_part: None) -> None:
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll", "--doc-type",
                               "payment_status"]).exit_code == 0
    result = _run(app)
    assert {k: result[k] for k in ("payments", "matched", "suggested", "unmatched")} == {
        "payments": 12, "matched": 7, "suggested": 2, "unmatched": 3}
    with app.app_context(), new_session() as session:
        assert outcome(session) == json.loads(GOLDEN.read_text(encoding="utf-8"))
        messages = {d.partner_id: d.canonical for d in session.scalars(
            select(Document).where(Document.doc_type == "payment_status"))}
    n, partners, ids = scenario["numbers"], scenario["partners"], scenario["ids"]
    assert len(messages) == 3  # acme, brasil, globex: one message each for the whole run
    # i7 was paid by two payments (E05, E06), written in two parts: one line, its end state
    assert [(i["invoice_id"], i["state"], i["paid"]) for i in messages[partners["brasil"]]["invoices"]] == [
        (ids["i6"], "paid", "1200.00"), (ids["i7"], "paid", "800.00")]
    assert [i["invoice"] for i in messages[partners["acme"]]["invoices"]] == [
        n["i1"], n["i2"], n["i3"], n["i4"], n["i8"]]


def test_a_part_that_fails_to_write_leaves_nothing_of_the_run_and_the_slot_runs_again(
        app: Flask, scenario: dict[str, Any], one_payment_a_part: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context(), new_session() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    write_matches, calls = booking.write_matches, []

    def failing_third(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return write_matches(*args, **kwargs)

    monkeypatch.setattr(booking, "write_matches", failing_third)
    with pytest.raises(RuntimeError, match="went away"):
        _run(app)
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(PaymentMatch)) == 0
        assert set(session.scalars(select(StatementEntry.status))) == {"unmatched"}
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    monkeypatch.setattr(booking, "write_matches", write_matches)
    assert _run(app)["matched"] == 7  # the same slot: the failed run did not take it
    with app.app_context(), new_session() as session:
        assert outcome(session) == json.loads(GOLDEN.read_text(encoding="utf-8"))
