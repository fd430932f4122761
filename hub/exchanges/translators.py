"""The translators by syntax: an explicit map (EDIFACT, XML), plus what capabilities above exchanges
add at start-up (reconciliation's bank statements). Each returns what it produced and any warnings, or
raises a HubError naming what is wrong. Each gets the hub's `Settings` as an argument (from
the edge that runs processing: the scheduler's job, a CLI command, a request). Until a syntax has
a translator, its files fail with a clear error."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.config import Settings
from hub.domain.errors import Problem, UnsupportedContent
from hub.exchanges.edifact_inbound import translate_edifact
from hub.exchanges.pipeline import Outcome
from hub.exchanges.xml_inbound import translate_xml
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing import batching

Translator = Callable[[Session, Exchange, Partner, Settings], Outcome]

TRANSLATORS: dict[str, Translator] = {"edifact": translate_edifact, "xml": translate_xml}


def register(syntax: str) -> Callable[[Translator], Translator]:
    def wrap(fn: Translator) -> Translator:
        TRANSLATORS[syntax] = fn
        return fn
    return wrap


def translate(session: Session, exchange: Exchange, partner: Partner, settings: Settings
              ) -> Outcome:
    """Run the translator for the exchange's syntax; unknown content fails with a named reason."""
    translator = TRANSLATORS.get(exchange.syntax)
    if translator is not None:
        outcome = translator(session, exchange, partner, settings)
        # what the file left in partners' batches without a window
        batching.close_waiting(session, settings=settings)
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
