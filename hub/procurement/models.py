"""Tables of procurement: items, supplier terms, reorder rules, purchase orders and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow

QTY = Numeric(20, 6)


class Item(Base):
    """An item the hub may order: SKU, GTIN, description, unit (UN/ECE Rec 20)."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(8), default="C62")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SupplierTerm(Base):
    """One supplier's terms for one item (one row per item and supplier)."""

    __tablename__ = "supplier_terms"
    __table_args__ = (UniqueConstraint("item_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    supplier_sku: Mapped[str] = mapped_column(String(60), default="")
    price: Mapped[Decimal] = mapped_column(QTY)
    currency: Mapped[str] = mapped_column(String(3))
    min_qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    multiple: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=10)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    price_breaks: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[min quantity, price], ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReorderRule(Base):
    """When and how much to reorder one item at one location."""

    __tablename__ = "reorder_rules"
    __table_args__ = (UniqueConstraint("item_id", "location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    location: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20))  # min_max | reorder_point
    minimum: Mapped[Decimal] = mapped_column(QTY)
    maximum: Mapped[Decimal] = mapped_column(QTY)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PurchaseOrder(Base):
    """A purchase order to one supplier, from draft to closed; `history` says which step changed what."""

    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_supplier_state", "supplier_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(35), unique=True)  # given when it is sent
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=Decimal(0))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id"))
    exchange_id: Mapped[str | None] = mapped_column(String(36))  # the outbound exchange it went out in
    reason: Mapped[str | None] = mapped_column(String(500))  # why it was rejected or cancelled
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PurchaseOrderLine(Base):
    """One ordered item; what the supplier confirmed, shipped, and what was received."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (Index("ix_po_lines_item_location", "item_id", "location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    location: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(QTY)
    confirmed_quantity: Mapped[Decimal | None] = mapped_column(QTY)
    shipped_quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    received_quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    unit: Mapped[str] = mapped_column(String(8))
    unit_price: Mapped[Decimal] = mapped_column(QTY)
    supplier_sku: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | rejected | received | cancelled
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StagedLine(Base):
    """A line a replenishment run proposed on SQLite, not yet visible: the run writes its proposals here in
    short transactions, then moves them onto the orders in one short transaction at its end (the rows
    of a run that died are removed by the next one)."""

    __tablename__ = "replenishment_staged_lines"
    __table_args__ = (Index("ix_replenishment_staged_lines_token_group", "token", "supplier_id", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(36))  # the run's, until it has a job-run row
    supplier_id: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    seq: Mapped[int] = mapped_column(Integer)  # the line's place on its supplier's order, from 1
    item_id: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit: Mapped[str] = mapped_column(String(8))
    unit_price: Mapped[Decimal] = mapped_column(QTY)
    supplier_sku: Mapped[str] = mapped_column(String(60), default="")
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RunLease(Base):
    """Who runs replenishment now, on SQLite (where the run holds no write lock while it plans): a second
    run waits for the lease to be given back, or takes it over once it is older than a dead run's."""

    __tablename__ = "replenishment_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
