"""What other capabilities and the web edge read of the ERP side: the calling connector, and the queues
waiting for ERPs (for the metrics and the readiness check)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from hub.api.auth import current_principal
from hub.db import get_session
from hub.domain.states import DUE_DELIVERY_STATES
from hub.erp.models import ErpConnector, OutboundDelivery, OutboxEntry


def current_connector() -> ErpConnector:
    """The ERP connector whose token this request carries (after `require(Permission.erp)`)."""
    connector = get_session().get(ErpConnector, current_principal().connector_id)
    assert connector is not None
    return connector


def delivery_backlog() -> Select[int, datetime]:
    """Pushes due: how many, and since when the oldest waits."""
    return select(func.count(), func.min(OutboundDelivery.created_at)).where(
        OutboundDelivery.state.in_(DUE_DELIVERY_STATES))


def outbox_backlog() -> Select[int, datetime]:
    """Documents polling ERPs have not acknowledged."""
    return select(func.count(), func.min(OutboxEntry.created_at)).where(OutboxEntry.acked_at.is_(None))

