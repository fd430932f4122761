"""A partner's inventory report (INVRPT, UBL InventoryReport) applied to the stock levels: each line's
quantity becomes the level of its item at its location, with source `partner:<name>` and the report's
time (the line's own, else the report's inventory time, else its issue time).

As for the ERP's levels, a level older than the newest held for that item and location is ignored,
and the exchange says so (`STOCK_LEVEL_STALE`). The item is our SKU when the partner quotes it, else
the item with that GTIN, else the item the partner supplies under that number; one the hub does not
know is reported (`STOCK_ITEM_UNKNOWN`) and left out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.domain.documents import InventoryReport, Line
from hub.domain.errors import Problem
from hub.domain.records import DocumentRecord
from hub.exchanges.service import Answered, StockInput, record_stock_levels
from hub.partners.models import Partner
from hub.procurement.models import Item, SupplierTerm


def apply(session: Session, partner: Partner, record: DocumentRecord) -> Answered:
    """Record the report's stock levels; warnings name each line left out and each stale level."""
    doc = record.document()
    assert isinstance(doc, InventoryReport)
    out = Answered()
    skus = _skus(session, partner.id, doc.lines)
    levels: list[StockInput] = []
    for line in doc.lines:
        sku = next((skus[k] for k in _keys(line) if k in skus), None)
        quantity = line.quantity("on_hand") or line.quantity()
        if sku is None or quantity is None or len(quantity.unit) > 3:
            why = "names no item of the hub" if sku is None else (
                "has no quantity" if quantity is None else f"has unit {quantity.unit!r}, not a Rec 20 code")
            out.warnings.append(_warning(record, line, f"{_named(line)} {why}: left out",
                                         "STOCK_ITEM_UNKNOWN"))
            continue
        levels.append(StockInput(item=sku, location=(line.location or "")[:60], quantity=quantity.value,
                                 unit=quantity.unit, as_of=_aware(line.as_of or doc.as_of or doc.issued)))
    stale: list[tuple[StockInput, datetime]] = []
    record_stock_levels(session, levels, connector=None, actor=f"partner:{partner.name}",
                        source=f"partner:{partner.name}", stale=stale)
    out.warnings += [Problem(
        code="STOCK_LEVEL_STALE", severity="warning", message_ref=record.message_ref,
        message=f"inventory report {record.number}: the level of {level.item} at "
                f"{level.location or '(no location)'} as of {level.as_of.isoformat()} is older than the "
                f"one held ({held.isoformat()}): ignored") for level, held in stale]
    return out


def _keys(line: Line) -> list[tuple[str, str]]:
    item = line.item
    found = [("sku", item.our_number or item.buyer_number), ("gtin", item.gtin),
             ("theirs", item.supplier_number)]
    return [(k, v) for k, v in found if v]


def _skus(session: Session, supplier_id: int, lines: list[Line]) -> dict[tuple[str, str], str]:
    """Our SKU for each way a line may name an item (two queries for the whole report)."""
    keys = [k for line in lines for k in _keys(line)]
    named = {v for k, v in keys if k in ("sku", "gtin")}
    out: dict[tuple[str, str], str] = {}
    if named:
        for sku, gtin in session.execute(select(Item.sku, Item.gtin).where(
                or_(Item.sku.in_(named), Item.gtin.in_(named)))):
            out[("sku", sku)] = sku
            if gtin:
                out.setdefault(("gtin", gtin), sku)
    theirs = {v for k, v in keys if k == "theirs"}
    if theirs:
        for supplier_sku, sku in session.execute(
                select(SupplierTerm.supplier_sku, Item.sku).join(Item, Item.id == SupplierTerm.item_id)
                .where(SupplierTerm.supplier_id == supplier_id, SupplierTerm.supplier_sku.in_(theirs))):
            out.setdefault(("theirs", supplier_sku), sku)
    return out


def _aware(value: date | datetime | None) -> datetime:
    """A report time with its zone (a date alone counts from its midnight, UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    return datetime.now(UTC)


def _named(line: Line) -> str:
    item = line.item
    names = (("our number", item.our_number or item.buyer_number), ("GTIN", item.gtin),
             ("their number", item.supplier_number))
    ids = ", ".join(f"{k} {v}" for k, v in names if v)
    return f"line {line.number} ({ids or 'no item number'})"


def _warning(record: DocumentRecord, line: Line, message: str, code: str) -> Problem:
    return Problem(code=code, severity="warning", message_ref=record.message_ref,
                   element=f"line {line.number}", message=f"inventory report {record.number}: {message}")
