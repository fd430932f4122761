"""Inbound XML: safe parse, UBL 2.1 schema, mapping to the canonical document, persistence; a
partner's ApplicationResponse (Peppol MLR or Invoice Response) is recorded on what it answers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.domain.errors import HubError, ValidationError
from hub.domain.records import record_of
from hub.models import Exchange, Partner
from hub.services import acknowledgements, business_rules, documents, envelopes, mlr, profiles, routing
from hub.services.audit import record_events
from hub.services.pipeline import Outcome, accept, register
from mappings.ubl import parse_ubl, read_application_response

ACTOR = "system:ubl"


@register("xml")
def translate_xml(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    """Translate a UBL document into its canonical document, or reject it saying what and where
    (with a Message Level Response back when the partner's profile asks for one)."""
    try:
        return _translate(session, exchange, partner)
    except HubError as exc:
        mlr.answer_refusal(exc, exchange, partner)
        raise


def _translate(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    raw = envelopes.open_envelope(session, exchange.raw, partner)  # a Peppol SBDH's document
    if exchange.doc_type == "ApplicationResponse":
        ack = read_application_response(raw)
        recorded = acknowledgements.record_aperak(session, exchange, partner, ack, actor=ACTOR)
        record_events(session, recorded.events)
        return Outcome(result={"acknowledges": [recorded.summary]}, warnings=recorded.warnings)
    doc = parse_ubl(raw)
    record = record_of(1, doc.number, doc.profile.get("document"), doc)
    review = business_rules.check(session, partner, profiles.build(partner.profile), [record])
    if review.rejected:
        problems = review.rejected[0][1]
        raise ValidationError(f"business rejection: {problems[0]}", problems=problems)
    rows = accept(session, exchange, partner, [record], routing.receiver_of(session, doc),
                  actor=ACTOR, flags=review.flags)
    return Outcome(result={"documents": [documents.summary(r) for r in rows]},
                   warnings=review.warnings)
