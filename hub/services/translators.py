"""Translation of a received exchange: hand it to the translator of its syntax.

The translators are an explicit map (syntax -> translator); a capability adds its own syntax at
start-up (`register`, e.g. reconciliation's bank statements). Each returns what it produced and any
warnings, or raises a HubError naming what is wrong. A syntax without a translator fails with a
clear error.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.domain.errors import Problem, UnsupportedContent
from hub.models import Exchange, Partner
from hub.routing import batching
from hub.services.edifact_inbound import translate_edifact
from hub.services.pipeline import Outcome, Translator
from hub.services.xml_inbound import translate_xml

TRANSLATORS: dict[str, Translator] = {
    "edifact": translate_edifact,
    "xml": translate_xml,
}


def register(syntax: str, translator: Translator) -> None:
    """A capability's translator for its own syntax (files the hub stores for it)."""
    TRANSLATORS[syntax] = translator


def translate(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    """Run the translator for the exchange's syntax; unknown content fails with a named reason."""
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
