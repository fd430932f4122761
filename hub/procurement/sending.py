"""Released purchase orders go out to their suppliers: numbered from a gap-free series, rendered in the
supplier's syntax and profile, and queued as an outbound exchange, all in one transaction (a failure
rolls the number back with the rest)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import rendering
from hub.audit.service import EventSpec
from hub.domain.documents import (
    Address,
    Identifier,
    IdScheme,
    Item,
    Line,
    Party,
    PartyRole,
    Price,
    Quantity,
    Totals,
)
from hub.domain.documents import PurchaseOrder as CanonicalOrder
from hub.domain.errors import HubError, Problem
from hub.domain.states import ExchangeState
from hub.exchanges import service as exchanges
from hub.invoicing.service import seller_party
from hub.numbering.service import SeriesFormat, take_next
from hub.partners import domain as profiles
from hub.partners.models import Company, Partner
from hub.procurement.answers import load_lines
from hub.procurement.domain import OrderState
from hub.procurement.models import PurchaseOrder
from hub.procurement.replenishment import change_state
from hub.routing import service as routing

ACTOR = "system:procurement"
SCHEMES = {"gln": IdScheme.gln, "cnpj": IdScheme.cnpj, "vat": IdScheme.vat, "duns": IdScheme.duns}


def series(today: date) -> tuple[str, SeriesFormat]:
    """The purchase-order series of the year: PO-2026-000001, ..."""
    return f"purchase_order:{today.year}", SeriesFormat(prefix=f"PO-{today.year}-", padding=6)


def _buyer(session: Session, hub_id: str) -> Party:
    """Our side: the issuing company when the hub has exactly one (name, GLN endpoint, address),
    else the hub's EDI identity (a GLN when it looks like one)."""
    companies = list(session.scalars(select(Company).order_by(Company.id).limit(2)))
    if len(companies) == 1:
        return replace(seller_party(companies[0]), role=PartyRole.buyer)
    scheme = IdScheme.gln if hub_id.isdigit() and len(hub_id) == 13 else IdScheme.mutually_defined
    ident = Identifier(hub_id, scheme)
    return Party(role=PartyRole.buyer, ids=[ident], endpoint=ident if scheme is IdScheme.gln else None)


def _supplier(partner: Partner) -> Party:
    """The supplier: its identifiers (a UNB id with qualifier 14 is a GLN), the GLN as its endpoint,
    and the address and legal name its profile gives."""
    ids = []
    for i in partner.identifiers:
        if i.scheme in SCHEMES:
            ids.append(Identifier(i.value, SCHEMES[i.scheme]))
        elif i.scheme == "edi" and i.qualifier == "14":
            ids.append(Identifier(i.value, IdScheme.gln))
    gln = next((i for i in ids if i.scheme is IdScheme.gln), None)
    address = profiles.partner_address(partner.profile) or {}
    postal = Address([address["street"]] if address.get("street") else [], address.get("city"),
                     address.get("postcode"), country=address.get("country")) if address else None
    return Party(role=PartyRole.supplier, ids=ids, name=partner.name, endpoint=gln, address=postal,
                 legal_name=address.get("legal_name"))


def canonical_order(session: Session, order: PurchaseOrder, supplier: Partner, number: str, today: date,
                    hub_id: str) -> CanonicalOrder:
    """The purchase order as the canonical model carries it (what every renderer takes)."""
    rows, states = load_lines(session, order)
    lead = max((int(r.explanation.get("terms", {}).get("lead_time_days", 0)) for r in rows), default=0)
    lines = [Line(number=str(row.line_no),
                  item=Item(gtin=state.gtin, buyer_number=state.sku, name=state.sku,
                            supplier_number=row.supplier_sku or None),
                  quantities=[Quantity(row.quantity, row.unit, "ordered")], prices=[Price(row.unit_price)],
                  line_amount=(row.quantity * row.unit_price).quantize(Decimal("0.01")))
             for row, state in zip(rows, states, strict=True) if row.state == "open"]
    total = sum((ln.line_amount or Decimal(0) for ln in lines), Decimal(0))
    return CanonicalOrder(number=number, issued=today, currency=order.currency,
                          parties=[_buyer(session, hub_id), _supplier(supplier)],
                          lines=lines, delivery_date=today + timedelta(days=lead),
                          totals=Totals(line_total=total, payable=total))


def send(session: Session, order: PurchaseOrder, settings: Any, today: date) -> list[EventSpec]:
    """Number, render and queue one released order; the caller commits (or rolls everything back)."""
    supplier = session.get(Partner, order.supplier_id)
    assert supplier is not None
    key, fmt = series(today)
    number = take_next(session, key, object_type="purchase_order", object_id=str(order.id), fmt=fmt).number
    doc = canonical_order(session, order, supplier, number, today, settings.hub_edi_id)
    profile = profiles.build(supplier.profile)
    identity = routing.identity_for(settings, supplier)
    interchange, message = exchanges.next_control_numbers(session, supplier, ("interchange", "message"))
    out = rendering.render(doc, supplier.syntax, profile=profile, identity=identity,
                           control_ref=f"H{interchange:08d}", message_ref=str(message))
    exchange, created = exchanges.add_outbound(
        session, supplier.id, doc_type=out.message_type, syntax=supplier.syntax, raw=out.data,
        content_type=out.content_type, control_ref=f"H{interchange:08d}", sender=settings.hub_edi_id,
        recipient=identity.recipient, reply_to=None, actor=ACTOR,
        document={"type": doc.doc_type, "number": number,
                  **({"message_ref": str(message)} if supplier.syntax == "edifact" else {})},
        contrl_requested=supplier.syntax == "edifact" and profile.request_contrl)
    if exchange.state != ExchangeState.pending:  # held invalid: never sent; the caller rolls the number back
        raise OrderNotSendable(f"order {order.id} rendered for {supplier.name} breaks its rules",
                               problems=_problems(exchange.error))
    order.number, order.exchange_id = number, exchange.id
    return [created, change_state(order, OrderState.sent, ACTOR, number=number, exchange=exchange.id)]


class OrderNotSendable(HubError):
    """The order, rendered for its supplier, fails the outbound validation."""

    code = "ORDER_NOT_SENDABLE"
    http_status = 422


def _problems(error: dict[str, Any] | None) -> list[Problem]:
    return [Problem(code=p.get("code", "INVALID"), message=p.get("message", ""), element=p.get("element"),
                    segment_tag=p.get("segment_tag"), segment_position=p.get("segment_position"))
            for p in (error or {}).get("problems", [])]


def released_ids(session: Session, limit: int = 100) -> list[int]:
    """The released orders waiting to be sent, oldest first."""
    released = PurchaseOrder.state == OrderState.released.value
    return list(session.scalars(select(PurchaseOrder.id).where(released).order_by(PurchaseOrder.id)
                                .limit(limit)))
