"""A supplier's price list (PRICAT, UBL Catalogue) applied to its supplier terms, in the transaction that
stores the document: each created, changed or ended term is one audit event.

An item is found by our number (the SKU the supplier quotes back), then its GTIN, then the supplier's
own number on a term it already has. An item the hub does not know is reported with a warning
(`CATALOGUE_ITEM_UNKNOWN`), or created from the line (SKU: our number, else the GTIN) when the
supplier's profile says `extra={"create_catalogue_items": true}` and the line has a valid GTIN. A line
the list deletes ends the term: it is valid until the day before the list was issued. A Peppol
supplier is answered with a Catalogue Response (T58) accepting the list, listing what was not applied.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from stdnum import ean

from hub.audit.service import EventSpec
from hub.db import utcnow
from hub.domain.documents import Catalogue
from hub.domain.errors import Problem
from hub.domain.records import DocumentRecord
from hub.exchanges.service import Answered, accept_catalogue
from hub.partners import domain as profiles
from hub.partners.models import Partner
from hub.procurement.domain import TermOffer, catalogue_offers, plain
from hub.procurement.models import Item, SupplierTerm

OPTION_CREATE = "create_catalogue_items"


def apply(session: Session, partner: Partner, record: DocumentRecord, exchange_id: str) -> Answered:
    """Update `partner`'s terms from the price list in `record`; warnings name each line not applied."""
    doc = record.document()
    assert isinstance(doc, Catalogue)
    actor = f"partner:{partner.name}"
    offers, refused = catalogue_offers(doc)
    out = Answered(warnings=[_warning(record, line, f"line {line} {why}", "CATALOGUE_LINE_REFUSED")
                             for line, why in refused])
    items = _items(session, partner.id, offers)
    create = bool(profiles.build(partner.profile).extra.get(OPTION_CREATE))
    ended_on = _day(doc.issued) - timedelta(days=1)
    counts = {"created": 0, "updated": 0, "ended": 0, "unchanged": 0, "unknown": 0}
    for offer in offers:
        item = _find(items, offer)
        if item is None and create and not offer.end and offer.gtin and ean.is_valid(offer.gtin):
            item = _new_item(session, offer, out, actor, doc.number)
        if item is None:
            counts["unknown"] += 1
            out.warnings.append(_warning(record, offer.line, _unknown(offer), "CATALOGUE_ITEM_UNKNOWN"))
            continue
        outcome = _apply_offer(session, partner, item, offer, ended_on, actor, doc.number)
        counts[outcome[0]] += 1
        out.events += outcome[1]
    out.events.append(EventSpec(actor, "price_list.applied", "document", doc.number, partner.id,
                                {"exchange": exchange_id, **counts, "refused": len(refused)}))
    response = accept_catalogue(session, partner, doc, [w.message for w in out.warnings],
                                          reply_to=exchange_id, actor=actor)
    if response is not None:
        out.events.append(response)
    return out


def _day(value: date | datetime | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or utcnow().date()


def _items(session: Session, supplier_id: int, offers: list[TermOffer]) -> dict[tuple[str, str], Item]:
    """The items the offers could mean, by ("sku", ...), ("gtin", ...) and ("supplier_sku", ...)."""
    skus = {o.sku for o in offers if o.sku}
    gtins = {o.gtin for o in offers if o.gtin}
    theirs = {o.supplier_sku for o in offers if o.supplier_sku}
    found: dict[tuple[str, str], Item] = {}
    if skus or gtins:
        for item in session.scalars(select(Item).where(or_(Item.sku.in_(skus), Item.gtin.in_(gtins)))):
            found[("sku", item.sku)] = item
            if item.gtin:
                found.setdefault(("gtin", item.gtin), item)
    if theirs:
        rows = session.execute(select(SupplierTerm.supplier_sku, Item)
                               .join(Item, Item.id == SupplierTerm.item_id)
                               .where(SupplierTerm.supplier_id == supplier_id,
                                      SupplierTerm.supplier_sku.in_(theirs)))
        for supplier_sku, item in rows:
            found.setdefault(("supplier_sku", supplier_sku), item)
    return found


def _find(items: dict[tuple[str, str], Item], offer: TermOffer) -> Item | None:
    for key in (("sku", offer.sku), ("gtin", offer.gtin), ("supplier_sku", offer.supplier_sku)):
        if key[1] and key in items:
            return items[key]
    return None


def _new_item(session: Session, offer: TermOffer, out: Answered, actor: str, number: str) -> Item:
    item = Item(sku=(offer.sku or offer.gtin or "")[:60], gtin=offer.gtin,
                description=(offer.description or "")[:200], unit="C62")
    session.add(item)
    session.flush()
    out.events.append(EventSpec(actor, "procurement.item.created", "item", str(item.id), None,
                                {"sku": item.sku, "gtin": item.gtin, "price_list": number}))
    return item


def _apply_offer(session: Session, partner: Partner, item: Item, offer: TermOffer, ended_on: date,
                 actor: str, number: str) -> tuple[str, list[EventSpec]]:
    """("created" | "updated" | "ended" | "unchanged", the audit events) for one offer."""
    term = session.scalars(select(SupplierTerm).where(SupplierTerm.item_id == item.id,
                                                      SupplierTerm.supplier_id == partner.id)).first()
    details: dict[str, Any] = {"sku": item.sku, "supplier": partner.name, "price_list": number,
                               "line": offer.line}
    if offer.end:
        if term is None or (term.valid_to is not None and term.valid_to <= ended_on):
            return "unchanged", []
        before, term.valid_to = term.valid_to, ended_on
        return "ended", [EventSpec(actor, "supplier_term.ended", "supplier_term", str(term.id), partner.id,
                                   {**details, "valid_to": {"from": _text(before), "to": _text(ended_on)}})]
    if term is None:
        term = SupplierTerm(item_id=item.id, supplier_id=partner.id, **offer.values)
        session.add(term)
        session.flush()
        values = {k: _text(v) for k, v in offer.values.items()}
        return "created", [EventSpec(actor, "supplier_term.created", "supplier_term", str(term.id),
                                     partner.id, {**details, **values})]
    changes = {k: {"from": _text(getattr(term, k)), "to": _text(v)} for k, v in offer.values.items()
               if _text(getattr(term, k)) != _text(v)}
    if not changes:
        return "unchanged", []
    for key in changes:
        setattr(term, key, offer.values[key])
    return "updated", [EventSpec(actor, "supplier_term.updated", "supplier_term", str(term.id), partner.id,
                                 {**details, "changes": changes})]


def _text(value: Any) -> Any:
    """A value as the audit trail and the comparison see it (Decimals without trailing zeros)."""
    if value is None or isinstance(value, str | list):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return plain(value)


def _unknown(offer: TermOffer) -> str:
    named = ", ".join(f"{k} {v}" for k, v in (("our number", offer.sku), ("GTIN", offer.gtin),
                                               ("their number", offer.supplier_sku)) if v)
    return (f"line {offer.line}: no item of the hub has {named}; add it (flask hub import items) or let "
            f"the supplier's profile create it (extra.{OPTION_CREATE})")


def _warning(record: DocumentRecord, line: str, message: str, code: str) -> Problem:
    return Problem(code=code, severity="warning", message_ref=record.message_ref,
                   element=f"line {line}", message=f"price list {record.number}: {message}")
