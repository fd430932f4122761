"""Translation of a received exchange: detect the syntax, then hand it to the right translator.

Translators are registered per syntax; each returns what it produced and any warnings, or raises
a HubError naming what is wrong. Until a syntax has a translator, its files fail with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hub.audit.service import record_events
from hub.domain.errors import Problem, UnsupportedContent
from hub.domain.records import DocumentRecord
from hub.exchanges import accepted, documents, holds
from hub.models import Exchange, Partner
from hub.routing import batching
from hub.routing import service as routing


@dataclass
class Outcome:
    result: dict[str, Any] = field(default_factory=dict)  # e.g. {"documents": [...]}
    warnings: list[Problem] = field(default_factory=list)


Translator = Callable[[Session, Exchange, Partner], Outcome]

TRANSLATORS: dict[str, Translator] = {}


def register(syntax: str) -> Callable[[Translator], Translator]:
    def wrap(fn: Translator) -> Translator:
        TRANSLATORS[syntax] = fn
        return fn
    return wrap


def translate(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    """Run the translator for the exchange's syntax; unknown content fails with a named reason."""
    _load_translators()
    translator = TRANSLATORS.get(exchange.syntax)
    if translator is not None:
        outcome = translator(session, exchange, partner)
        batching.close_waiting(session)  # what the file left in partners' batches without a window
        return outcome
    if exchange.syntax == "unknown":
        raise UnsupportedContent(
            "the file is neither EDIFACT (it must start with UNA or UNB) nor XML",
            problems=[Problem(code="UNKNOWN_SYNTAX",
                              message=f"first bytes: {exchange.raw[:16]!r}")])
    what = exchange.doc_type or "document"
    raise UnsupportedContent(
        f"{exchange.syntax.upper()} {what} recognised, but this hub has no {exchange.syntax} "
        "translator installed yet",
        problems=[Problem(code="NO_TRANSLATOR", message=f"no translator for {exchange.syntax}")])


def accept(session: Session, exchange: Exchange, partner: Partner,
           records: list[DocumentRecord], recipient: Partner | None, *, actor: str,
           test: bool = False, flags: Mapping[int, dict[str, Any]] | None = None,
           warnings: list[Problem] | None = None) -> list[documents.Stored]:
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
                                    test=test, actor=actor)
    answered = accepted.Answered() if test else accepted.dispatch(
        session, accepted.Batch(partner, free, exchange.id))
    if warnings is not None:
        warnings += answered.warnings
    record_events(session, routed + answered.events)
    return stored


def _load_translators() -> None:
    # Imported on first use: the translators import this module to register themselves.
    from hub.exchanges import (
        edifact_inbound,  # noqa: F401
        xml_inbound,  # noqa: F401
    )
