"""SQLAlchemy 2.0 typed models: partners, credentials, users, exchanges, idempotency, audit."""

from __future__ import annotations

import os
import time
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

from hub.db import Base, UTCDateTime, string_enum, utcnow
from hub.domain.states import DeliveryState, ExchangeState


def new_id() -> str:
    """A UUID version 7: 48 bits of milliseconds since 1970, then 74 random bits (RFC 9562).

    Nobody can guess another partner's exchange or document (74 random bits), and ids made one
    after the other sort together, so a big interchange's documents and lines extend the indexes
    at their end instead of touching pages all over them.
    """
    raw = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    raw[6] = 0x70 | raw[6] & 0x0F  # version 7
    raw[8] = 0x80 | raw[8] & 0x3F  # variant RFC 9562
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_ids(count: int) -> list[str]:
    """`count` UUIDs version 7 as `new_id` makes them, in one call to the system's random source (a
    reconciliation run names hundreds of thousands of rows: a system call per id cost more than the
    rest). They share the millisecond; each has its own 74 random bits; they come in increasing
    order, so rows given them in turn extend their indexes at one end, as `new_id`'s do."""
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big").hex()
    random = os.urandom(10 * count).hex()
    out = []
    for n in range(0, 20 * count, 20):
        r = random[n:n + 20]
        out.append(f"{stamp[:8]}-{stamp[8:]}-7{r[1:4]}-{_VARIANT[r[4]]}{r[5:8]}-{r[8:]}")
    out.sort()
    return out


_VARIANT = {h: "89ab"[int(h, 16) & 3] for h in "0123456789abcdef"}  # the RFC 9562 variant bits, 10xx


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    syntax: Mapped[str] = mapped_column(String(20), default="edifact")  # preferred: edifact | ubl
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    identifiers: Mapped[list[PartnerIdentifier]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", lazy="selectin")


class PartnerIdentifier(Base):
    """An identifier the partner is known by: EDI id with its qualifier, CNPJ, VAT number, GLN."""

    __tablename__ = "partner_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value", "qualifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))  # edi, gln, cnpj, vat
    value: Mapped[str] = mapped_column(String(100))
    qualifier: Mapped[str] = mapped_column(String(10), default="")  # UNB 0007, e.g. 14, ZZ

    partner: Mapped[Partner] = relationship(back_populates="identifiers")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # admin | operator | auditor
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # admin pages (hub/admin): scrypt password, TOTP secret with the last time step accepted (no
    # replay), recovery codes as hashes, and the one-time enrolment link's hash until it is used
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON)
    enrolment_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiCredential(Base):
    """A partner API key or a user's personal token; only its SHA-256 is stored."""

    __tablename__ = "api_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings to tell keys apart
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connectors.id"), index=True)  # ERP token


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


class AuditEvent(Base):
    """Append-only and hash-chained.

    An event is inserted by the transaction that makes the change it records, with no lock; the
    sealer then gives it its place in the chain (`seq`) and its hashes, once. On PostgreSQL a
    trigger refuses DELETE, TRUNCATE and any UPDATE other than that one sealing.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_partner_at", "partner_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # set once when sealed; unique, so no two events can fork the chain
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)




class Document(Base):
    """A canonical document produced from (or for) one message of an exchange."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_partner_type_number", "partner_id", "doc_type", "number"),
        Index("ix_documents_number", "number"),  # the admin pages' search by any document number
        UniqueConstraint("exchange_id", "position"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("exchanges.id"), index=True)
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
    held: Mapped[str | None] = mapped_column(String(40), index=True)
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


class ErpConnector(Base):
    """An ERP the hub talks to: a push connector by registry key, or `poll` for an ERP that polls the hub."""

    __tablename__ = "connectors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key: Mapped[str] = mapped_column(String(20))  # soap | rest | file | poll
    # ConnectorSettings.to_dict() without document_types; secrets as `env:NAME` or `enc:<fernet token>`
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    document_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every type
    active: Mapped[bool] = mapped_column(default=True)
    poll_seq: Mapped[int] = mapped_column(Integer, default=0)  # last cursor handed to a polling ERP
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundDelivery(Base):
    """One document pushed to one connector, in its own `DeliveryState` lifecycle."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("document_id", "connector_id"),
        Index("ix_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(Integer)  # the document's partner, for the audit trail
    state: Mapped[DeliveryState] = mapped_column(string_enum(DeliveryState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # since it was last queued
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    remote_reference: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # rendered bytes, if any
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxEntry(Base):
    """A document waiting for a polling ERP: leased by a fetch, gone for good once acknowledged."""

    __tablename__ = "outbox_entries"
    __table_args__ = (
        UniqueConstraint("connector_id", "document_id"),
        Index("ix_outbox_entries_connector_acked_seq", "connector_id", "acked_at", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    seq: Mapped[int | None] = mapped_column(Integer)  # cursor position, given when first fetched
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetch_count: Mapped[int] = mapped_column(Integer, default=0)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockLevel(Base):
    """The latest stock of an item at a location, as an ERP or a partner's inventory report gave it."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("item", "location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    reserved: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal(0))  # promised, not yet out
    unit: Mapped[str] = mapped_column(String(3))  # UN/ECE Rec 20
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connectors.id"))
    source: Mapped[str | None] = mapped_column(String(80))  # erp:<connector> or partner:<name>
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Each capability keeps its tables in its own package; they are gathered here so that Alembic and
# the tests' schema see every table through this one import.
from hub.admin.models import SignInFailure  # noqa: E402
from hub.invoicing.models import Company, InvoicedOrderLine, IssuedInvoice  # noqa: E402
from hub.jobruns.models import JobRun  # noqa: E402
from hub.numbering.models import IssuedNumber, NumberSeries  # noqa: E402
from hub.procurement.models import (  # noqa: E402
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    RunLease,
    StagedLine,
    SupplierTerm,
)
from hub.reconciliation.match_models import (  # noqa: E402
    MatchingRule,
    MatchingTolerance,
    PartnerCredit,
    PayerMapping,
    PaymentAllocation,
    PaymentMatch,
    WriteOff,
)
from hub.reconciliation.models import BankStatement, RemittanceRecord, StatementEntry  # noqa: E402
from hub.routing.models import BatchMessage, OutboundBatch, RoutingRule  # noqa: E402

CAPABILITY_TABLES = (SignInFailure, JobRun, IssuedNumber, NumberSeries, Item, SupplierTerm, ReorderRule,
                     PurchaseOrder, PurchaseOrderLine, Company, IssuedInvoice, BankStatement, StatementEntry,
                     RemittanceRecord, RoutingRule, OutboundBatch, BatchMessage, InvoicedOrderLine,
                     StagedLine, RunLease, PaymentMatch, PaymentAllocation, WriteOff, PartnerCredit,
                     PayerMapping, MatchingRule, MatchingTolerance)
