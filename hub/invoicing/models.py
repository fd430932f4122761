"""Tables of invoicing: the companies that issue invoices, and the invoices and credit notes issued."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, index_but, present_index, utcnow

AMOUNT = Numeric(20, 2)


class IssuedInvoice(Base):
    """An invoice or credit note the hub issued: its number, figures, state, delivery and history."""

    __tablename__ = "issued_invoices"
    __table_args__ = (UniqueConstraint("company_id", "number"), UniqueConstraint("source", "external_id"),
                      # PostgreSQL: no entry for the paid (most rows; a run pays 75,000), 0022
                      index_but("ix_issued_invoices_state_due", "state", "due_date", where="state <> 'paid'"),
                      # looked up by value, empty on most invoices: indexed only where present (0022)
                      *(present_index("issued_invoices", column)
                        for column in ("payment_reference", "pix_txid", "boleto_number")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    is_credit_note: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_of_id: Mapped[int | None] = mapped_column(ForeignKey("issued_invoices.id"))
    state: Mapped[str] = mapped_column(String(20), default="issued")
    currency: Mapped[str] = mapped_column(String(3))
    issued: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    payable: Mapped[Decimal] = mapped_column(AMOUNT)
    # an invoice's payments received; a credit note's amount the buyer has deducted from payments (a
    # remittance advice's credit-note line, or a person's split): paid whole, it is used up
    paid: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    syntax: Mapped[str] = mapped_column(String(20))
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("exchanges.id"))
    source: Mapped[str] = mapped_column(String(120))  # who asked: user:NAME, connector:NAME
    external_id: Mapped[str | None] = mapped_column(String(100))  # the ERP's id (idempotency)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)  # what was asked, for credit notes
    canonical: Mapped[dict[str, Any]] = mapped_column(JSON)  # the canonical invoice as issued
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # what the buyer quotes when paying, for reconciliation: RF creditor reference (ISO 11649),
    # the Pix txid of the invoice's BR Code, a boleto's number
    payment_reference: Mapped[str | None] = mapped_column(String(35))
    pix_txid: Mapped[str | None] = mapped_column(String(35))
    boleto_number: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvoicedOrderLine(Base):
    """How much of a received order's line an invoice took: an order is never invoiced beyond its
    quantities (the order's row is locked while they are summed)."""

    __tablename__ = "invoiced_order_lines"
    __table_args__ = (Index("ix_invoiced_order_lines_order", "order_document_id", "order_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    order_line: Mapped[str] = mapped_column(String(20))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("issued_invoices.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
