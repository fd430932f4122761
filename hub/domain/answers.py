"""What a rejection sends back to the partner whose file it refuses, as data.

A translator that refuses a file raises its error with the answers due (`HubError.answers`): a
CONTRL, APERAKs, a Message Level Response, a rejecting Catalogue Response. Nothing is rendered
then: the processing rolls back what the translation wrote, records the failure, and hands the
answers to one service (`hub.exchanges.answers.queue`), which renders and queues them in the
failure's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hub.domain.errors import Problem


class AnswerKind(StrEnum):
    contrl = "CONTRL"  # the interchange's syntax report (negative, or positive beside APERAKs)
    aperak = "APERAK"  # one message per refused EDIFACT message
    mlr = "MLR"  # Peppol Message Level Response to a refused UBL document
    catalogue_response = "CatalogueResponse"  # Peppol T58, rejecting a catalogue


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    problems: tuple[Problem, ...] = ()  # what the answer reports
    reference: str | None = None  # the exchange answered (None: the one being refused)
    recipient: int | None = None  # the partner it goes to (None: that exchange's partner)
    # what was refused, as the answer's renderer needs it: the read interchange (CONTRL, APERAK)
    # or the canonical Catalogue (its response)
    about: Any = None
    rejected: tuple[Any, ...] = ()  # APERAK: (the message's record, its problems) per refused message
