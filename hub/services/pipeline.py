"""Translation of a received exchange: detect the syntax, then hand it to the right translator.

Translators are registered per syntax; each returns what it produced and any warnings, or raises
a HubError naming what is wrong. Until a syntax has a translator, its files fail with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hub.domain.errors import Problem, UnsupportedContent
from hub.models import Exchange, Partner


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
        return translator(session, exchange, partner)
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


def _load_translators() -> None:
    # Imported on first use: the translators import this module to register themselves.
    from hub.services import edifact_inbound, xml_inbound  # noqa: F401
