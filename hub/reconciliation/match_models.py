"""Tables of matching: matches with their evidence and allocations, write-offs, partners' credit, payer
names and accounts learnt from confirmed matches, and the configurable rules and tolerances."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow

AMOUNT = Numeric(20, 2)


class PaymentMatch(Base):
    """A payment matched (or suggested) to invoices: the rule, score, signals, reasons and the figures
    used (amounts, open amounts, tolerance), who made it and what became of it.

    state: suggested | matched | undone | dismissed (a suggestion passed over when the payment was
    settled otherwise, or rejected)."""

    __tablename__ = "payment_matches"
    __table_args__ = (Index("ix_payment_matches_entry_state", "entry_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("statement_entries.id"))
    rule: Mapped[str] = mapped_column(String(40))  # reference, remittance, ..., manual, split
    score: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer, default=1)  # a suggestion's place, best first
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    allocations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"invoice_id", "number", "amount", "write_off"}]
    currency: Mapped[str] = mapped_column(String(3))
    credit: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))  # left over: the partner's credit
    state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))  # who made it (system:reconciliation, user:ana)
    decided_by: Mapped[str | None] = mapped_column(String(120))  # who confirmed or undid it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the job run that made it; shown with a match, never looked up by (unindexed: migration 0024)
    run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentAllocation(Base):
    """One invoice's share of a match (rows, so an invoice's payments are found by index)."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("payment_matches.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("issued_invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    write_off: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))


class WriteOff(Base):
    """An amount written off to an account: a bank's fees on a matched payment, or a payment an operator
    wrote off whole."""

    __tablename__ = "payment_write_offs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("statement_entries.id"), index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("payment_matches.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("issued_invoices.id"))
    account: Mapped[str] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), default="booked")  # booked | undone
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartnerCredit(Base):
    """What an overpayment leaves: the partner's credit, in the payment's currency."""

    __tablename__ = "partner_credits"
    __table_args__ = (Index("ix_partner_credits_partner_currency", "partner_id", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    match_id: Mapped[int] = mapped_column(ForeignKey("payment_matches.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("statement_entries.id"))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | undone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayerMapping(Base):
    """A payer's name or account learnt from a match a person made or confirmed: the partner it is."""

    __tablename__ = "payer_mappings"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # name | iban
    value: Mapped[str] = mapped_column(String(200))  # normalised
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    # indexed: deleting a match (every run deletes the earlier suggestions) looks for mappings of it
    match_id: Mapped[int | None] = mapped_column(ForeignKey("payment_matches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchingRule(Base):
    """A rule's configuration (no row: the rule's default)."""

    __tablename__ = "matching_rules"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)


class MatchingTolerance(Base):
    """A currency's tolerance (absolute and percent, both must hold) and its fee write-off account;
    currency "*" applies to every currency without its own row."""

    __tablename__ = "matching_tolerances"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    absolute: Mapped[Decimal] = mapped_column(AMOUNT)
    percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    account: Mapped[str] = mapped_column(String(60))
