"""Catalogue Responses (Peppol T58) to suppliers whose price list came as a Peppol catalogue: queued
like every outbound file (validated first: UBL schema and the T58 rules), accepting the list when it
was applied, rejecting it when the business rules refused it (then in the failure's transaction)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.db import utcnow
from hub.domain.documents import Catalogue
from hub.exchanges.outbound import add_outbound
from hub.models import Exchange, Partner, new_id
from mappings.ubl import catalogue_response

DOC_TYPE = "ApplicationResponse"


def accept(session: Session, partner: Partner, doc: Catalogue, notes: list[str], *, reply_to: str,
           actor: str) -> EventSpec | None:
    """Queue an accepting response (AP) to a Peppol catalogue; None for any other price list."""
    return _queue(session, partner.id, doc, True, notes, reply_to=reply_to, actor=actor)


def reject_followup(doc: Catalogue, reasons: list[str], actor: str
                    ) -> Callable[[Session, Exchange], list[EventSpec]] | None:
    """What a rejected Peppol catalogue's failure sends back: a rejecting response (RE)."""
    if not catalogue_response.claims_peppol_catalogue(doc):
        return None

    def followup(session: Session, exchange: Exchange) -> list[EventSpec]:
        event = _queue(session, exchange.partner_id, doc, False, reasons, reply_to=exchange.id, actor=actor)
        return [event] if event is not None else []
    return followup


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
