"""Tables of routing: the rules, and the outbound batches that gather a partner's documents into one
EDIFACT interchange with the messages they hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow


class RoutingRule(Base):
    """Which documents (criteria, None: any) go to which connectors and partners; lowest
    `position` first, the first match decides."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    source_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    recipient_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    to_hub: Mapped[bool] = mapped_column(Boolean, default=False)  # addressed to the hub's companies
    doc_type: Mapped[str | None] = mapped_column(String(40))
    test: Mapped[bool | None] = mapped_column(Boolean)  # None: test and live documents alike
    connector_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    partner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class OutboundBatch(Base):
    """A partner's messages of one type gathered for one interchange: `open` until it is full or
    its window ends, then `closed` with the outbound exchange that carries them."""

    __tablename__ = "outbound_batches"
    __table_args__ = (Index("ix_outbound_batches_state_due", "state", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    message_type: Mapped[str] = mapped_column(String(40))  # ORDERS:D96A, as rendered
    state: Mapped[str] = mapped_column(String(10))  # open | closed
    messages: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("exchanges.id"))


class BatchMessage(Base):
    """One document's message waiting in (or sent with) a batch: the document, its UNH reference,
    and the single-message interchange it was rendered and validated as."""

    __tablename__ = "outbound_batch_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("outbound_batches.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(100))
    message_ref: Mapped[str] = mapped_column(String(20))
    rendered: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
