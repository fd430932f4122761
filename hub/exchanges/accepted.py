"""What other capabilities do with documents partners sent, once they are accepted.

Capabilities register a handler when the app starts (procurement reads suppliers' order responses,
despatch advices, price lists and inventory reports); `pipeline.accept` calls every handler in the
same transaction as the documents, so an answer is recorded exactly when its document is. A handler
returns the audit events it wants appended and the warnings the exchange should carry (an item a
price list names that the hub does not know, a stock level older than the one held, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.domain.errors import Problem
from hub.domain.records import DocumentRecord
from hub.partners.models import Partner


@dataclass
class Batch:
    """Accepted, non-test documents of one exchange, from one partner."""

    partner: Partner
    records: list[DocumentRecord]
    exchange_id: str


@dataclass
class Answered:
    """What handlers did with a batch: audit events to append, warnings for the exchange."""

    events: list[EventSpec] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def add(self, other: Answered) -> None:
        self.events += other.events
        self.warnings += other.warnings


AcceptedHandler = Callable[[Session, Batch], Answered]
_handlers: list[AcceptedHandler] = []


def on_accepted(handler: AcceptedHandler) -> None:
    """Register handler (once) for every batch of accepted, non-test documents."""
    if handler not in _handlers:
        _handlers.append(handler)


def dispatch(session: Session, batch: Batch) -> Answered:
    """Run every handler on the batch; the events and warnings they give back."""
    out = Answered()
    for handler in _handlers:
        out.add(handler(session, batch))
    return out
