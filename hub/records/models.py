"""Tables of the hub's record of what came and went: the files in and out (exchanges), the
Idempotency-Keys partners sent, the canonical documents read from or written for them, and their lines.

They sit below the ERP side, which hands ERPs the stored documents, and above partners. The exchanges
capability is their one writer (`hub.exchanges.service`: the one exchange factory and document store);
erp and the capabilities above read them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from hub.access import Ownership, owned
from hub.db import Base, UTCDateTime, new_id, present_index, string_enum, utcnow
from hub.domain.states import ExchangeState


class Exchange(Base):
    """One file in or out: its raw bytes, where it came from, its state and its errors."""

    __tablename__ = "exchanges"
    __table_args__ = (
        UniqueConstraint("partner_id", "direction", "sha256"),
        UniqueConstraint("partner_id", "direction", "dedup_ref"),
        Index("ix_exchanges_state_received_at", "state", "received_at"),
        Index("ix_exchanges_partner_received_at", "partner_id", "received_at"),
        Index("ix_exchanges_partner_direction_control_ref", "partner_id", "direction",
              "control_ref"),
        # the admin pages: search by control reference, overdue acknowledgements
        Index("ix_exchanges_control_ref", "control_ref"),
        Index("ix_exchanges_received_at", "received_at"),
        Index("ix_exchanges_ack_status_received_at", "ack_status", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(10))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    state: Mapped[ExchangeState] = mapped_column(string_enum(ExchangeState))
    syntax: Mapped[str] = mapped_column(String(20), default="unknown")  # edifact | xml | unknown
    doc_type: Mapped[str | None] = mapped_column(String(40))  # ORDERS, INVOIC, Invoice, ...
    control_ref: Mapped[str | None] = mapped_column(String(100))  # UNB 0020 or XML document id
    sender: Mapped[str | None] = mapped_column(String(100))
    recipient: Mapped[str | None] = mapped_column(String(100))
    # sender + control ref, cleared when a failed exchange is superseded by a corrected re-send
    dedup_ref: Mapped[str | None] = mapped_column(String(240))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(300))
    raw: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # posted by an ERP; no foreign key, so SQLite adds the column without rebuilding this table
    connector_id: Mapped[int | None] = mapped_column(Integer)
    # outbound: what the partner's latest CONTRL said (AckStatus); None until one arrives
    ack_status: Mapped[str | None] = mapped_column(String(20))
    # inbound: one interchange of a file of several, cut from the file's exchange (no foreign key,
    # as connector_id) at this position (1-based)
    part_of: Mapped[str | None] = mapped_column(String(36), index=True)
    part_number: Mapped[int | None] = mapped_column(Integer)
    # the raw bytes were purged by the retention policy (hub/retention): the row, its sha256 and
    # size stay, so the history still reads
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # inbound: the company (hub.invoicing) its UNB recipient or receiving EndpointID named; None for
    # the hub's default identity (no foreign key, as connector_id)
    company_id: Mapped[int | None] = mapped_column(Integer)

class IdempotencyRecord(Base):
    """An Idempotency-Key a partner sent, and the exchange it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("partner_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("exchanges.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

class Document(Base):
    """A canonical document produced from (or for) one message of an exchange."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_partner_type_number", "partner_id", "doc_type", "number"),
        Index("ix_documents_number", "number"),  # the admin pages' search by any document number
        UniqueConstraint("exchange_id", "position"),
        present_index("documents", "held"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # found by exchange through the unique (exchange_id, position), no index of its own (0022)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("exchanges.id"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based message number in the exchange
    message_ref: Mapped[str | None] = mapped_column(String(100))  # UNH 0062 or XML document id
    message_type: Mapped[str | None] = mapped_column(String(40))  # ORDERS:D:96A:UN:EAN008, Invoice
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    direction: Mapped[str] = mapped_column(String(10))
    doc_type: Mapped[str] = mapped_column(String(40))  # purchase_order, invoice, ...
    number: Mapped[str] = mapped_column(String(100))
    issued: Mapped[str | None] = mapped_column(String(40))  # ISO date or datetime as sent
    currency: Mapped[str | None] = mapped_column(String(3))
    total: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    canonical: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # from a test interchange (UNB 0035 = 1): kept to be read, never routed, sent or a duplicate
    test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # what the business rules flagged on it (e.g. a changed payee account), and its release
    flags: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # why it waits for an operator's release (not routed, not queued for the ERPs); None: it does not
    held: Mapped[str | None] = mapped_column(String(40))  # indexed where present (0022)
    # the canonical JSON and the lines were purged by the retention policy; number and totals stay
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # where routing sent it: {"rule_id", "connector_ids", "partner_ids"} (rule_id null: the default)
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    lines: Mapped[list[DocumentLine]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentLine.id")

class DocumentLine(Base):
    """A document line, queryable by item and quantity without opening the canonical JSON."""

    __tablename__ = "document_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"),
                                             index=True)
    line_number: Mapped[str] = mapped_column(String(20))
    gtin: Mapped[str | None] = mapped_column(String(20), index=True)
    buyer_item: Mapped[str | None] = mapped_column(String(60))
    supplier_item: Mapped[str | None] = mapped_column(String(60))
    our_item: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(String(350))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    unit: Mapped[str | None] = mapped_column(String(8))  # UN/EDIFACT 6411 is an..8 from D.01B on
    price: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))

    document: Mapped[Document] = relationship(back_populates="lines")


# An outbound file that failed its checks is the hub's to fix: its partner never sees it, nor
# downloads it, until it is rendered again and passes (then it is `pending` like any other).
owned(Exchange, Ownership(partner=Exchange.partner_id,
                          kept_from_partner=Exchange.state == ExchangeState.invalid))
owned(Document, Ownership(partner=Document.partner_id))
