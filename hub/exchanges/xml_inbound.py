"""Inbound XML: safe parse, UBL 2.1 schema, mapping to the canonical document, persistence; a
partner's ApplicationResponse (Peppol MLR or Invoice Response) is recorded on what it answers.

The receiving party's EndpointID (ReceiverParty for an ApplicationResponse) selects the company the
document is addressed to, recorded on the exchange; once companies are configured, one that names
neither a company, the hub's default identity nor another partner is refused
(hub.partners.identities)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.audit.service import record_events
from hub.config import Settings
from hub.domain.documents import Catalogue, Identifier, PartyRole
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.errors import HubError, Problem, ValidationError
from hub.domain.records import record_of
from hub.exchanges import acknowledgements, business_rules, catalogue_responses, documents, envelopes, mlr
from hub.exchanges.pipeline import Outcome, accept
from hub.partners import domain as profiles
from hub.partners import queries as identities
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing import to_partners as routing
from mappings.ubl import parse_ubl, read_application_response
from mappings.ubl.common import scheme_of

ACTOR = "system:ubl"
# where each document names its receiver (the party routing.RECEIVER_ROLE looks at)
RECEIVER_PARTY = {"purchase_order": "cac:SellerSupplierParty", "order_change": "cac:SellerSupplierParty",
                  "order_cancellation": "cac:SellerSupplierParty",
                  "order_response": "cac:BuyerCustomerParty", "despatch_advice": "cac:DeliveryCustomerParty",
                  "invoice": "cac:AccountingCustomerParty", "remittance_advice": "cac:PayeeParty"}


class AnsweredRejection(ValidationError):
    """A business rejection; its `answers` (a Catalogue Response) are queued with the failure."""


def translate_xml(session: Session, exchange: Exchange, partner: Partner, settings: Settings
                  ) -> Outcome:
    """Translate a UBL document into its canonical document, or reject it saying what and where
    (with a Message Level Response back when the partner's profile asks for one)."""
    try:
        return _translate(session, exchange, partner, settings)
    except HubError as exc:
        mlr.answer_refusal(exc, exchange, partner)
        raise


def _translate(session: Session, exchange: Exchange, partner: Partner, settings: Settings
               ) -> Outcome:
    raw = envelopes.open_envelope(session, exchange.raw, partner)  # a Peppol SBDH's document
    if exchange.doc_type == "ApplicationResponse":
        ack = read_application_response(raw)
        said = [Identifier(ack.receiver[1], scheme_of(ack.receiver[0]), raw_scheme=ack.receiver[0])] \
            if ack.receiver else []
        _addressed(session, settings, exchange, said, forwarded=False,
                   element="/ApplicationResponse/cac:ReceiverParty/cbc:EndpointID")
        recorded = acknowledgements.record_aperak(session, exchange, partner, ack, actor=ACTOR)
        record_events(session, recorded.events)
        return Outcome(result={"acknowledges": [recorded.summary]}, warnings=recorded.warnings)
    doc = parse_ubl(raw)
    recipient = routing.receiver_of(session, doc)
    _addressed(session, settings, exchange, _receiver_ids(doc), forwarded=recipient is not None,
               element=f"{RECEIVER_PARTY.get(doc.doc_type, 'the receiving party')}/cac:Party/cbc:EndpointID")
    record = record_of(1, doc.number, doc.profile.get("document"), doc)
    review = business_rules.check(session, partner, profiles.build(partner.profile), [record],
                                  hub_edi_id=settings.hub_edi_id)
    if review.rejected:
        problems = review.rejected[0][1]
        answer = catalogue_responses.rejection(doc, problems) if isinstance(doc, Catalogue) else None
        raise AnsweredRejection(f"business rejection: {problems[0]}", problems=problems,
                                answers=[answer] if answer else [])
    rows = accept(session, exchange, partner, [record], recipient, actor=ACTOR, flags=review.flags,
                  warnings=review.warnings, settings=settings)
    return Outcome(result={"documents": [documents.summary(r) for r in rows]},
                   warnings=review.warnings)


def _receiver_ids(doc: CanonicalDocument) -> list[Identifier]:
    """The receiving party's EndpointID: Peppol's address, the one identity that selects a company."""
    party = doc.party(routing.RECEIVER_ROLE.get(doc.doc_type, PartyRole.other))
    return [party.endpoint] if party is not None and party.endpoint is not None else []


def _addressed(session: Session, settings: Settings, exchange: Exchange, ids: list[Identifier], *,
               forwarded: bool, element: str) -> None:
    """Record the company the document is addressed to; refuse an identity the hub does not have."""
    if not ids:
        return  # nothing names the receiver: the poster's own exchange is addressed to the hub
    company, known = identities.addressed(session, settings, None, ids,
                                          forwarded=forwarded)
    exchange.company_id = company.id if company is not None else None
    if not known:
        shown = ", ".join(f"{i.raw_scheme or i.scheme.value}:{i.value}" for i in ids)
        raise ValidationError(f"addressed to {shown}, not an identity of this hub", problems=[Problem(
            code="UNKNOWN_RECIPIENT", element=element, message_ref=exchange.control_ref,
            message=f"EndpointID {shown} is not an identity of this hub: neither a company's "
                    "(flask hub company-list) nor its default, nor a partner's")])
