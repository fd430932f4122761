"""Catalogue Responses (Peppol T58) to suppliers whose price list came as a Peppol catalogue: queued
like every outbound file (validated first: UBL schema and the T58 rules), accepting the list when it
was applied, rejecting it when the business rules refused it (then in the failure's transaction)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.config import Settings
from hub.db import new_id, utcnow
from hub.domain.answers import Answer, AnswerKind
from hub.domain.documents import Catalogue
from hub.domain.errors import Problem
from hub.exchanges.outbound import add_outbound
from hub.partners.models import Partner
from hub.records.models import Exchange
from mappings.ubl import catalogue_response

DOC_TYPE = "ApplicationResponse"
ACTOR = "system:ubl"  # a rejection's answer is the XML translator's


def accept(session: Session, partner: Partner, doc: Catalogue, notes: list[str], *, reply_to: str,
           actor: str) -> EventSpec | None:
    """Queue an accepting response (AP) to a Peppol catalogue; None for any other price list."""
    return _queue(session, partner.id, doc, True, notes, reply_to=reply_to, actor=actor)


def rejection(doc: Catalogue, problems: list[Problem]) -> Answer | None:
    """What a rejected Peppol catalogue's failure sends back: a rejecting response (RE)."""
    if not catalogue_response.claims_peppol_catalogue(doc):
        return None
    return Answer(AnswerKind.catalogue_response, tuple(problems), about=doc)


def queue_rejection(session: Session, exchange: Exchange, partner: Partner, answer: Answer,
                    settings: Settings) -> list[EventSpec]:
    """Queue the rejecting response a catalogue answer names (hub.exchanges.answers calls this)."""
    event = _queue(session, partner.id, answer.about, False, [str(p) for p in answer.problems],
                   reply_to=exchange.id, actor=ACTOR)
    return [event] if event is not None else []


def _queue(session: Session, partner_id: int, doc: Catalogue, accepted: bool, notes: list[str], *,
           reply_to: str, actor: str) -> EventSpec | None:
    if not catalogue_response.claims_peppol_catalogue(doc):
        return None
    number = f"CR-{new_id().replace('-', '')[-16:]}"
    data = catalogue_response.render(doc, number, utcnow(), accepted=accepted, reasons=notes)
    _, event = add_outbound(session, partner_id, doc_type=DOC_TYPE, syntax="ubl", raw=data,
                            content_type="application/xml", control_ref=number, sender=None,
                            recipient=None, reply_to=reply_to, actor=actor,
                            document={"type": "catalogue_response", "number": number,
                                      "answers": doc.number, "response": "AP" if accepted else "RE"})
    return event
