"""Items, supplier terms and reorder rules kept as data: validated rows upserted in bulk.

The same upserts serve the CSV import (`flask hub import ...`) and the API's bulk endpoints; a refused
row names its line and column and the others still go in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean

from hub.audit.service import EventSpec, record_events
from hub.partners.models import Partner
from hub.procurement.domain import RuleKind
from hub.procurement.models import Item, ReorderRule, SupplierTerm

UNIT = re.compile(r"^[A-Z0-9]{2,3}$")  # UN/ECE Rec 20
CURRENCY = re.compile(r"^[A-Z]{3}$")
KINDS = {"items", "supplier-terms", "reorder-rules"}


class RowRefused(ValueError):
    """One value of one row is unusable; names the column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)  # {"line", "column", "message"}

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "refused": self.refused}


def _text(row: Mapping[str, Any], column: str, *, required: bool = True, max_len: int = 200) -> str:
    value = str(row.get(column) or "").strip()
    if required and not value:
        raise RowRefused(column, f"{column} is required")
    if len(value) > max_len:
        raise RowRefused(column, f"{column} is longer than {max_len} characters")
    return value


def _decimal(row: Mapping[str, Any], column: str, *, required: bool = True, minimum: Decimal = Decimal(0)
             ) -> Decimal | None:
    raw = str(row.get(column) if row.get(column) is not None else "").strip()
    if not raw:
        if required:
            raise RowRefused(column, f"{column} is required")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowRefused(column, f"{column} must be a number, got {raw!r}") from None
    if not value.is_finite() or value < minimum or abs(value) >= Decimal("1e14"):
        raise RowRefused(column, f"{column} must be a number of at least {minimum}, got {raw!r}")
    return value


def _date(row: Mapping[str, Any], column: str) -> date | None:
    raw = str(row.get(column) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RowRefused(column, f"{column} must be a date (YYYY-MM-DD), got {raw!r}") from None


def item_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """An item's columns from a row: SKU, GTIN (check digit verified), description, unit."""
    gtin = _text(row, "gtin", required=False, max_len=14)
    if gtin and not ean.is_valid(gtin):
        raise RowRefused("gtin", f"gtin {gtin!r} is not a valid GTIN (length or check digit)")
    unit = _text(row, "unit", required=False, max_len=3).upper() or "C62"
    if not UNIT.match(unit):
        raise RowRefused("unit", f"unit {unit!r} is not a UN/ECE Rec 20 code")
    return {"sku": _text(row, "sku", max_len=60), "gtin": gtin or None,
            "description": _text(row, "description", required=False), "unit": unit}


def _upsert(session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any],
            summary: ImportSummary) -> Any:
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        summary.created += 1
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        summary.updated += 1
    else:
        summary.unchanged += 1
    return row


def upsert_rows(session: Session, kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]], *,
                actor: str) -> ImportSummary:
    """Upsert rows of one kind (items, supplier-terms, reorder-rules); refused rows are listed, not stored."""
    summary = ImportSummary()
    upsert = {"items": _item, "supplier-terms": _term, "reorder-rules": _rule}[kind]
    for line, row in rows:
        try:
            upsert(session, row, summary)
        except RowRefused as refusal:
            summary.refused.append({"line": line, "column": refusal.column, "message": str(refusal)})
    session.flush()
    record_events(session, [EventSpec(actor, f"procurement.{kind}.imported", "procurement", kind, None,
                                      {k: v for k, v in summary.as_dict().items() if k != "refused"}
                                      | {"refused": len(summary.refused)})])
    return summary


def _item(session: Session, row: Mapping[str, Any], summary: ImportSummary) -> None:
    values = item_values(row)
    _upsert(session, Item, {"sku": values.pop("sku")}, values, summary)


def _item_id(session: Session, row: Mapping[str, Any]) -> int:
    sku = _text(row, "sku", max_len=60)
    item_id = session.scalar(select(Item.id).where(Item.sku == sku))
    if item_id is None:
        raise RowRefused("sku", f"no item with sku {sku!r} (import the items first)")
    return item_id


def _supplier_id(session: Session, row: Mapping[str, Any]) -> int:
    ref = _text(row, "supplier", max_len=200)
    query = select(Partner).where(Partner.name == ref)
    partner = session.scalars(query).first() or (session.get(Partner, int(ref)) if ref.isdigit() else None)
    if partner is None:
        raise RowRefused("supplier", f"no partner named or numbered {ref!r}")
    if "supplier" not in (partner.roles or []):
        raise RowRefused("supplier", f"partner {partner.name!r} does not have the supplier role")
    return partner.id


def _price_breaks(row: Mapping[str, Any]) -> list[list[str]]:
    """`price_breaks` as '100:9.50;500:9.00' (quantity:price), best price from each quantity up."""
    raw = str(row.get("price_breaks") or "").strip()
    out = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        quantity, _, price = part.partition(":")
        q = _decimal({"price_breaks": quantity}, "price_breaks")
        p = _decimal({"price_breaks": price}, "price_breaks")
        out.append([str(q), str(p)])
    return out


def _term(session: Session, row: Mapping[str, Any], summary: ImportSummary) -> None:
    currency = _text(row, "currency", max_len=3).upper()
    if not CURRENCY.match(currency):
        raise RowRefused("currency", f"currency {currency!r} is not an ISO 4217 code")
    valid_from, valid_to = _date(row, "valid_from"), _date(row, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise RowRefused("valid_to", "valid_to is before valid_from")
    values: dict[str, Any] = {
        "supplier_sku": _text(row, "supplier_sku", required=False, max_len=60),
        "price": _decimal(row, "price"), "currency": currency,
        "min_qty": _decimal(row, "min_qty", required=False) or Decimal(0),
        "multiple": _decimal(row, "multiple", required=False) or Decimal(0),
        "lead_time_days": int(_decimal(row, "lead_time_days", required=False) or 0),
        "priority": int(_decimal(row, "priority", required=False) or 10),
        "valid_from": valid_from, "valid_to": valid_to, "price_breaks": _price_breaks(row),
    }
    key = {"item_id": _item_id(session, row), "supplier_id": _supplier_id(session, row)}
    _upsert(session, SupplierTerm, key, values, summary)


def _rule(session: Session, row: Mapping[str, Any], summary: ImportSummary) -> None:
    if str(row.get("reorder_point") or "").strip():
        kind, low, high = RuleKind.reorder_point, "reorder_point", "reorder_qty"
    else:
        kind, low, high = RuleKind.min_max, "min", "max"
    minimum, maximum = _decimal(row, low), _decimal(row, high)
    assert minimum is not None and maximum is not None
    if kind is RuleKind.min_max and maximum < minimum:
        raise RowRefused("max", f"max {maximum} is below min {minimum}")
    if kind is RuleKind.reorder_point and maximum <= 0:
        raise RowRefused("reorder_qty", "reorder_qty must be more than 0")
    paused = str(row.get("paused") or "").strip().lower() in ("1", "true", "yes")
    values = {"kind": kind.value, "minimum": minimum, "maximum": maximum, "paused": paused,
              "snoozed_until": _date(row, "snoozed_until")}
    key = {"item_id": _item_id(session, row), "location": _text(row, "location", required=False, max_len=60)}
    _upsert(session, ReorderRule, key, values, summary)
