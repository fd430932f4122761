"""What other capabilities and the metrics read of exchanges: the queues waiting on them, the
exchanges by direction, state and type, and how a stored file is served raw (re-exported from `api`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.domain.states import ExchangeState
from hub.exchanges.api import RAW_EXTENSIONS as RAW_EXTENSIONS
from hub.exchanges.api import raise_if_purged as raise_if_purged
from hub.exchanges.api import raw_media_type as raw_media_type
from hub.records.models import Exchange


def inbound_backlog() -> Select[int, datetime]:
    """Inbound files waiting to be processed: how many, and since when the oldest waits."""
    return select(func.count(), func.min(Exchange.received_at)).where(
        Exchange.state == ExchangeState.received)


def mailbox_backlog() -> Select[int, datetime]:
    """Files in partners' mailboxes not yet taken."""
    return select(func.count(), func.min(Exchange.received_at)).where(
        Exchange.direction == "outbound", Exchange.state == ExchangeState.pending)


def exchange_counts(session: Session) -> Iterable[tuple[str, str, str | None, int]]:
    """Exchanges by direction, state and type."""
    rows = session.execute(select(Exchange.direction, Exchange.state, Exchange.doc_type, func.count())
                           .group_by(Exchange.direction, Exchange.state, Exchange.doc_type)).all()
    return [(direction, state, doc_type, count) for direction, state, doc_type, count in rows]
