"""Outbound exchanges to trading partners: acknowledgements and rendered documents.

They wait in `pending` until a partner transport sends them; until then a partner reads them
with `GET /api/v1/exchanges?direction=outbound` and downloads the bytes from the raw link.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.domain.acknowledgements import AckStatus
from hub.domain.states import Direction, ExchangeState
from hub.models import Exchange, Partner
from hub.services.audit import EventSpec


def next_control_numbers(session: Session, partner: Partner, kinds: tuple[str, ...], *,
                         count: int = 1) -> tuple[int, ...]:
    """The first of `count` consecutive control numbers of each kind (e.g. interchange and
    message), all under one row lock."""
    session.execute(update(Partner).where(Partner.id == partner.id)
                    .values(active=Partner.active))  # takes the row lock before reading
    session.refresh(partner, ["profile"])
    counters = dict((partner.profile or {}).get("_counters", {}))
    firsts = tuple(int(counters.get(kind, 0)) + 1 for kind in kinds)
    for kind, first in zip(kinds, firsts, strict=True):
        counters[kind] = first + count - 1
    partner.profile = {**(partner.profile or {}), "_counters": counters}
    return firsts


def add_outbound(session: Session, partner_id: int, *, doc_type: str, syntax: str, raw: bytes,
                 content_type: str, control_ref: str | None, sender: str | None,
                 recipient: str | None, reply_to: str | None, actor: str,
                 document: dict[str, str] | None = None, contrl_requested: bool = False
                 ) -> tuple[Exchange, EventSpec]:
    """Add an outbound exchange in `pending`; returns it and the audit event recording it.
    `document` ({"type", "number", "message_ref"}) names the document it carries (and its UNH
    reference), for matching the partner's APERAK; `contrl_requested` (its UNB 0031 asks for a
    CONTRL) makes it `awaiting` one."""
    exchange = Exchange(direction=Direction.outbound.value, partner_id=partner_id,
                        state=ExchangeState.pending.value, syntax=syntax, doc_type=doc_type,
                        control_ref=control_ref, sender=sender, recipient=recipient,
                        dedup_ref=None, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
                        content_type=content_type, raw=raw, warnings=[], attempts=0,
                        ack_status=AckStatus.awaiting.value if contrl_requested else None,
                        result={**({"reply_to": reply_to} if reply_to else {}),
                                **({"document": document} if document else {})})
    session.add(exchange)
    session.flush()
    event = EventSpec(actor, "exchange.created", "exchange", exchange.id, partner_id,
                      {"direction": "outbound", "type": doc_type, "control_ref": control_ref,
                       "reply_to": reply_to})
    return exchange, event
