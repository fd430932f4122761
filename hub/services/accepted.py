"""What other capabilities do with documents partners sent, once they are accepted.

Capabilities register a handler when the app starts (procurement reads suppliers' order responses and
despatch advices into its purchase orders); `pipeline.accept` calls every handler in the same
transaction as the documents, so an answer is recorded exactly when its document is.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.domain.records import DocumentRecord
from hub.models import Partner
from hub.services.audit import EventSpec

AcceptedHandler = Callable[[Session, Partner, list[DocumentRecord]], list[EventSpec]]
_handlers: list[AcceptedHandler] = []


def on_accepted(handler: AcceptedHandler) -> None:
    """Register handler (once) for every batch of accepted, non-test documents."""
    if handler not in _handlers:
        _handlers.append(handler)


def dispatch(session: Session, partner: Partner, records: list[DocumentRecord]) -> list[EventSpec]:
    """Run every handler on the batch; the audit events they want appended."""
    events: list[EventSpec] = []
    for handler in _handlers:
        events += handler(session, partner, records)
    return events
