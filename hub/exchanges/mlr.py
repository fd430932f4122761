"""Message Level Responses (Peppol T71) the hub sends when it refuses a partner's UBL document.

The translator of XML files adds an MLR answer to the error that refuses a document (XML or schema
defects, Peppol or business rules, the sender rules): the MLR is rendered, validated with the T71
rules like every outbound file, and queued in the failure's own transaction, when the partner's
profile asks for it (`ack_mlr`, on by default for UBL partners). An ApplicationResponse is never
answered with one, as a CONTRL is never answered with a CONTRL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.config import Settings
from hub.db import utcnow
from hub.domain.answers import Answer, AnswerKind
from hub.domain.documents import Identifier
from hub.domain.errors import HubError, Problem
from hub.exchanges import outbound
from hub.partners import domain as profiles
from hub.partners.models import Partner
from hub.records.models import Exchange
from mappings.ubl.mlr import gln_endpoint, refused_in, render_mlr

ACTOR = "system:ubl"


def answer_refusal(exc: HubError, exchange: Exchange, partner: Partner) -> None:
    """Add the MLR to the answers of the error refusing `exchange`, when one is due."""
    if exchange.doc_type == "ApplicationResponse" or not profiles.wants_mlr(partner.profile, partner.syntax):
        return
    # the processing records the failure, then queues the error's answers in the same transaction
    exc.answers.append(Answer(AnswerKind.mlr, tuple(exc.problems), reference=exchange.id,
                              recipient=partner.id))


def queue_answer(session: Session, exchange: Exchange, partner: Partner, answer: Answer,
                 settings: Settings) -> list[EventSpec]:
    """The MLR an MLR answer names (hub.exchanges.answers queues it)."""
    return [queue_mlr(session, exchange, partner, list(answer.problems), settings)[1]]


def queue_mlr(session: Session, exchange: Exchange, partner: Partner,
              problems: list[Problem], settings: Settings) -> tuple[Exchange, EventSpec]:
    """Render, validate and queue the MLR rejecting the document of `exchange`."""
    (number,) = outbound.next_control_numbers(session, partner, ("interchange",))
    ref = f"M{number:08d}"
    refused = refused_in(exchange.raw, exchange.control_ref)
    hub = gln_endpoint(settings.hub_edi_id, settings.hub_edi_qualifier)
    raw = render_mlr(ref, utcnow(), refused, problems or [Problem(code="REJECTED", message="rejected")],
                     sender=hub, receiver=_partner_endpoint(partner))
    return outbound.add_outbound(session, partner.id, doc_type="ApplicationResponse", syntax="ubl", raw=raw,
                                 content_type="application/xml", control_ref=ref, sender=None,
                                 recipient=None, reply_to=exchange.id, actor=ACTOR,
                                 document={"type": "mlr", "number": refused.document_id})


def _partner_endpoint(partner: Partner) -> Identifier | None:
    """The partner's GLN as a Peppol endpoint (a `gln:` identifier, or its EDI id with qualifier 14)."""
    for ident in partner.identifiers:
        if ident.scheme == "gln":
            return gln_endpoint(ident.value, "14")
        if ident.scheme == "edi" and ident.qualifier == "14":
            return gln_endpoint(ident.value, ident.qualifier)
    return None
