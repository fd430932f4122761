"""Reading reconciliation: payments by status, a payment with its matches and suggestions, a match
with its evidence, the exceptions queue. Each opens its own session from the edge's factory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.errors import NotFound
from hub.reconciliation.match_models import PartnerCredit, PaymentMatch, WriteOff
from hub.reconciliation.models import StatementEntry

SessionFactory = Callable[[], Session]
STATUSES = ("matched", "suggested", "unmatched", "written_off", "rejected")
EXCEPTION_STATUSES = ("unmatched", "suggested")


def entry_json(e: StatementEntry) -> dict[str, Any]:
    """A payment (statement entry) as the API shows it."""
    return {"id": e.id, "statement_id": e.statement_id, "entry_key": e.entry_key, "line": e.line,
            "booking_date": e.booking_date.isoformat(), "amount": str(e.amount), "currency": e.currency,
            "fees": str(e.fees), "reversal": e.reversal, "status": e.status,
            "open_amount": str(e.open_amount),
            "structured_reference": e.structured_reference, "remittance_info": e.remittance_info,
            "end_to_end_id": e.end_to_end_id, "pix_txid": e.pix_txid,
            "counterparty_name": e.counterparty_name, "counterparty_iban": e.counterparty_iban,
            "counterparty_id": e.counterparty_id, "partner_id": e.partner_id,
            "rejection": (e.details or {}).get("rejection")}


def match_json(m: PaymentMatch) -> dict[str, Any]:
    """A match or suggestion with its evidence: rule, score, signals, reasons, figures, allocations."""
    return {"id": m.id, "entry_id": m.entry_id, "state": m.state, "rule": m.rule, "score": m.score,
            "rank": m.rank, "automatic": m.automatic, "signals": m.signals, "reasons": m.reasons,
            "figures": m.figures, "allocations": m.allocations, "currency": m.currency,
            "credit": str(m.credit), "actor": m.actor, "decided_by": m.decided_by,
            "decided_at": m.decided_at.isoformat() if m.decided_at else None,
            "created_at": m.created_at.isoformat(), "run_id": m.run_id}


def list_payments(sessions: SessionFactory, status: str | None, *, limit: int, offset: int
                  ) -> list[dict[str, Any]]:
    """Payments, newest first, of one status or all."""
    with sessions() as session:
        query = select(StatementEntry).order_by(StatementEntry.id.desc()).limit(limit).offset(offset)
        if status:
            query = query.where(StatementEntry.status == status)
        return [entry_json(e) for e in session.scalars(query)]


def matched_payments(sessions: SessionFactory, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Matched payments, newest first, each with its matches (two queries for the page)."""
    with sessions() as session:
        entries = list(session.scalars(select(StatementEntry).where(StatementEntry.status == "matched")
                                       .order_by(StatementEntry.id.desc()).limit(limit).offset(offset)))
        found = _matches_of(session, [e.id for e in entries], ("matched",))
        return [{**entry_json(e), "matches": found.get(e.id, [])} for e in entries]


def _matches_of(session: Session, entry_ids: Sequence[int], states: Sequence[str]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    if not entry_ids:
        return out
    for m in session.scalars(select(PaymentMatch).where(PaymentMatch.entry_id.in_(list(entry_ids)),
                                                        PaymentMatch.state.in_(list(states)))
                             .order_by(PaymentMatch.rank, PaymentMatch.id)):
        out.setdefault(m.entry_id, []).append(match_json(m))
    return out


def payment_detail(sessions: SessionFactory, entry_id: int) -> dict[str, Any]:
    """A payment with its matches (made, undone) and its current suggestions, best first."""
    with sessions() as session:
        entry = session.get(StatementEntry, entry_id)
        if entry is None:
            raise NotFound(f"no payment {entry_id}")
        found = _matches_of(session, [entry_id], ("matched", "undone", "suggested"))
        rows = found.get(entry_id, [])
        return {**entry_json(entry), "matches": [m for m in rows if m["state"] != "suggested"],
                "suggestions": [m for m in rows if m["state"] == "suggested"]}


def match_detail(sessions: SessionFactory, match_id: int) -> dict[str, Any]:
    """A match with its evidence, the payment it settles, its write-offs and the credit it left."""
    with sessions() as session:
        match = session.get(PaymentMatch, match_id)
        if match is None:
            raise NotFound(f"no match {match_id}")
        entry = session.get(StatementEntry, match.entry_id)
        assert entry is not None
        write_offs = [{"id": w.id, "account": w.account, "amount": str(w.amount), "currency": w.currency,
                       "reason": w.reason, "state": w.state, "invoice_id": w.invoice_id}
                      for w in session.scalars(select(WriteOff).where(WriteOff.match_id == match_id))]
        credits = [{"id": c.id, "partner_id": c.partner_id, "amount": str(c.amount), "currency": c.currency,
                    "state": c.state}
                   for c in session.scalars(select(PartnerCredit).where(PartnerCredit.match_id == match_id))]
        return {**match_json(match), "payment": entry_json(entry), "write_offs": write_offs,
                "credits": credits}


def exceptions(sessions: SessionFactory, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """The payments waiting for a person (unmatched or suggested), oldest first, each with its
    suggestions, best first (one query for the page's suggestions)."""
    with sessions() as session:
        entries = list(session.scalars(select(StatementEntry).where(
            StatementEntry.status.in_(EXCEPTION_STATUSES)).order_by(StatementEntry.booking_date,
                                                                   StatementEntry.id)
            .limit(limit).offset(offset)))
        found = _matches_of(session, [e.id for e in entries], ("suggested",))
        return [{**entry_json(e), "suggestions": found.get(e.id, [])} for e in entries]
