"""Translation of a received exchange: detect the syntax, then hand it to the right translator.

What a translator returns (`Outcome`) and what every translator does with documents that passed
(`accept`). The translators themselves are listed in `hub.exchanges.translators`, which sits above
this module and the translators (no cycle, no lazy import).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hub.audit.service import record_events
from hub.config import Settings
from hub.domain.errors import Problem
from hub.domain.records import DocumentRecord
from hub.exchanges import accepted, documents, holds
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing import service as routing


@dataclass
class Outcome:
    result: dict[str, Any] = field(default_factory=dict)  # e.g. {"documents": [...]}
    warnings: list[Problem] = field(default_factory=list)


def accept(session: Session, exchange: Exchange, partner: Partner,
           records: list[DocumentRecord], recipient: Partner | None, *, actor: str,
           test: bool = False, flags: Mapping[int, dict[str, Any]] | None = None,
           warnings: list[Problem] | None = None, settings: Settings) -> list[documents.Stored]:
    """What every translator does with documents that passed: persist them with their lines,
    route them as the routing rules say (to partners in their syntax, to ERP connectors, or held
    `no_route`), audit all of it. Test documents (from a test interchange) are routed only by a
    rule that takes test documents. `flags` (by position) are stored on their documents; a held
    one waits for `holds.release`. One transaction, the caller's. What the capabilities' handlers
    warn about goes into `warnings`."""
    stored, events = documents.persist(session, exchange.id, partner.id, "inbound", records,
                                       actor=actor, test=test)
    held = holds.flag(session, partner.id, stored, flags, recipient, actor=actor) if flags else set()
    free = [r for r in records if r.position not in held]
    record_events(session, events)
    routed = routing.route_accepted(session, exchange, partner, recipient, free, stored,
                                    test=test, actor=actor, settings=settings)
    answered = accepted.Answered() if test else accepted.dispatch(
        session, accepted.Batch(partner, free, exchange.id))
    if warnings is not None:
        warnings += answered.warnings
    record_events(session, routed + answered.events)
    return stored

