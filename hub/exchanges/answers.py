"""Queue what a rejection sends back (CONTRL, APERAK, MLR, Catalogue Response), after the rollback.

`HubError.answers` says what is due, as data (`hub.domain.answers.Answer`); this is the one place
that turns them into outbound files, in the failure's own transaction, each kind by its renderer.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.config import Settings
from hub.domain.answers import Answer, AnswerKind
from hub.exchanges import catalogue_responses, edifact_inbound, mlr
from hub.partners.models import Partner
from hub.records.models import Exchange

Queuer = Callable[[Session, Exchange, Partner, Answer, Settings], list[EventSpec]]

QUEUERS: dict[AnswerKind, Queuer] = {
    AnswerKind.contrl: edifact_inbound.queue_contrl,
    AnswerKind.aperak: edifact_inbound.queue_aperak,
    AnswerKind.mlr: mlr.queue_answer,
    AnswerKind.catalogue_response: catalogue_responses.queue_rejection,
}


def queue(session: Session, refused: Exchange, answers: list[Answer], settings: Settings
          ) -> list[EventSpec]:
    """Render and queue each answer to the exchange it answers (default: `refused`) for its
    recipient (default: that exchange's partner); the audit events of the files queued."""
    events: list[EventSpec] = []
    for answer in answers:
        answered = refused if answer.reference in (None, refused.id) \
            else session.get(Exchange, answer.reference)
        assert answered is not None, answer.reference
        partner = session.get(Partner, answer.recipient or answered.partner_id)
        assert partner is not None
        events += QUEUERS[answer.kind](session, answered, partner, answer, settings)
    return events
