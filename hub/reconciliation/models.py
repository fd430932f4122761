"""Tables of reconciliation: imported statements, their entries (the payments), and remittance advices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, index_but, present_index, utcnow

AMOUNT = Numeric(20, 2)


class BankStatement(Base):
    """One imported statement (camt.053/054, MT940, a CSV or Pix export), keyed by the bank's own ids.

    A bank may reuse a statement id (every year, for example): the key includes the statement's date,
    and `fingerprint` (a digest of its entries' keys) tells a reused id with other entries apart from
    the same statement imported twice."""

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("account", "statement_ref", "statement_date", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("exchanges.id"), index=True)
    source_format: Mapped[str] = mapped_column(String(40))  # camt.053, camt.054, mt940, csv:PROFILE
    account: Mapped[str] = mapped_column(String(64))  # IBAN, or the bank's account id
    statement_ref: Mapped[str] = mapped_column(String(64))
    statement_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    opening_balance: Mapped[Decimal | None] = mapped_column(AMOUNT)
    closing_balance: Mapped[Decimal | None] = mapped_column(AMOUNT)
    fingerprint: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# looked up by value, empty on most entries: indexed only where present (migration 0022)
SPARSE_COLUMNS = ("end_to_end_id", "pix_txid", "structured_reference", "counterparty_iban", "counterparty_id",
                  "partner_id")


class StatementEntry(Base):
    """One payment on a statement: a credit (or a reversal) with what identifies its payer and purpose.

    `entry_key` is the bank's reference or end-to-end id (or, when a bank gives neither, a digest of
    the entry's date, amount, counterparty and text with its position); unique per account, so an
    entry seen on two statements is stored once. `open_amount` is what is not yet allocated to an
    invoice (what an overpayment leaves is the partner's credit)."""

    __tablename__ = "statement_entries"
    __table_args__ = (UniqueConstraint("account", "entry_key"),
                      # PostgreSQL: no entry for the matched (most rows; a run matches 75,000), 0022
                      index_but("ix_statement_entries_status_currency", "status", "currency",
                                where="status <> 'matched'"),
                      *(present_index("statement_entries", column) for column in SPARSE_COLUMNS))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    account: Mapped[str] = mapped_column(String(64))
    entry_key: Mapped[str] = mapped_column(String(128))
    line: Mapped[int | None] = mapped_column(Integer)  # position in the file (line or entry number)
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)  # positive: money in; negative: money out
    currency: Mapped[str] = mapped_column(String(3))
    fees: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))  # charges the bank deducted
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    end_to_end_id: Mapped[str | None] = mapped_column(String(64))
    pix_txid: Mapped[str | None] = mapped_column(String(64))
    structured_reference: Mapped[str | None] = mapped_column(String(64))  # RF..., boleto
    remittance_info: Mapped[str | None] = mapped_column(String(500))  # free text
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_iban: Mapped[str | None] = mapped_column(String(34))
    counterparty_id: Mapped[str | None] = mapped_column(String(40))  # CNPJ/CPF/VAT, compact
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    status: Mapped[str] = mapped_column(String(20), default="unmatched")
    # unmatched | suggested | matched | partially_matched | written_off | rejected | ignored
    open_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the file said, as read
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemittanceRecord(Base):
    """A partner's remittance advice (EDIFACT REMADV or UBL RemittanceAdvice), as the matcher reads it:
    which invoices a payment covers, and how much of each; `cancelled` when the partner withdrew it."""

    __tablename__ = "remittance_records"
    __table_args__ = (UniqueConstraint("partner_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("exchanges.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    payment_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    total: Mapped[Decimal | None] = mapped_column(AMOUNT)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{invoice, amount}]
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("statement_entries.id"), index=True)
    # active | cancelled (the partner cancelled it: BGM 1225 = 1; the matcher no longer reads it)
    state: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
