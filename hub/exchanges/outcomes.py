"""How processing an exchange ended, read from its row and logged (with its latency) by
`hub.observability`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.states import ExchangeState
from hub.observability import outcomes
from hub.records.models import Exchange


def exchange_outcome(session: Session, exchange_id: str, state: ExchangeState, seconds: float) -> None:
    """Log how processing an exchange ended: id, partner, type, state, duration, error code."""
    row = session.execute(select(Exchange.partner_id, Exchange.doc_type, Exchange.error)
                          .where(Exchange.id == exchange_id)).one_or_none()
    partner_id, doc_type, error = row if row is not None else (None, None, None)
    outcomes.exchange_outcome(exchange_id, state, seconds, partner_id=partner_id, doc_type=doc_type,
                              error=error)
