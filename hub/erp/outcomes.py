"""One push delivery attempt, read from its row and logged (with its latency) by `hub.observability`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.states import DeliveryOutcome
from hub.erp.models import ErpConnector, OutboundDelivery
from hub.observability import outcomes


def delivery_attempt(make_session: Callable[[], Session], delivery_id: str, attempt: int,
                     state: DeliveryOutcome, seconds: float) -> None:
    """Log one push delivery attempt: delivery, document, connector, attempt, state, error code."""
    with make_session() as session:
        row = session.execute(
            select(OutboundDelivery.document_id, OutboundDelivery.partner_id,
                   OutboundDelivery.last_error, ErpConnector.name)
            .join(ErpConnector, ErpConnector.id == OutboundDelivery.connector_id)
            .where(OutboundDelivery.id == delivery_id)).one_or_none()
    document_id, partner_id, error, connector = row if row is not None else (None, None, None, None)
    outcomes.delivery_attempt(delivery_id, attempt, state, seconds, document_id=document_id,
                              partner_id=partner_id, connector=connector, error=error)
