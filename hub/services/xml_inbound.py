"""Inbound XML: safe parse, UBL 2.1 schema, mapping to the canonical document, persistence."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.documents import PurchaseOrder
from hub.domain.errors import Problem, ValidationError
from hub.models import Document, Exchange, Partner
from hub.services import documents, routing
from hub.services.audit import record_events
from hub.services.documents import enqueue_stored
from hub.services.pipeline import Outcome, register
from mappings.ubl import parse_ubl

ACTOR = "system:ubl"


@register("xml")
def translate_xml(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    """Translate a UBL document into its canonical document, or reject it saying what and where."""
    doc = parse_ubl(exchange.raw)
    if isinstance(doc, PurchaseOrder) and _order_known(session, partner, doc.number):
        raise ValidationError(f"order number {doc.number} was already received", problems=[
            Problem(code="DUPLICATE_ORDER", element="/Order/cbc:ID", message_ref=doc.number,
                    message=f"order number {doc.number} was already received")])
    produced = documents.Produced(1, doc.number, doc.profile.get("document"), doc)
    rows, events = documents.persist(session, exchange.id, partner.id, "inbound", [produced],
                                     actor=ACTOR)
    routed = routing.route(session, partner, routing.receiver_of(session, doc), doc,
                           reply_to=exchange.id)
    record_events(session, events + routed)
    enqueue_stored(session, rows, actor=ACTOR)
    return Outcome(result={"documents": [documents.summary(r) for r in rows]})


def _order_known(session: Session, partner: Partner, number: str) -> bool:
    return session.scalar(select(Document.id).where(
        Document.partner_id == partner.id, Document.direction == "inbound",
        Document.doc_type == PurchaseOrder.doc_type, Document.number == number)) is not None
