"""Tables of the ERP side: the connectors, push deliveries to them and the outbox polling ERPs fetch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from hub.access import Ownership, owned
from hub.db import Base, UTCDateTime, new_id, string_enum, utcnow
from hub.domain.states import DeliveryState


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
    # found by document through the unique (document_id, connector_id), no index of its own (0022)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
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


# A connector sees its own outbox and deliveries.
owned(OutboxEntry, Ownership(connector=OutboxEntry.connector_id))
owned(OutboundDelivery, Ownership(connector=OutboundDelivery.connector_id))
