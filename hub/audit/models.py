"""The audit trail's table: append-only, hash-chained events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


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
        *(Index(f"uq_audit_events_{column}", column, unique=True,
                postgresql_where=text(f"{column} IS NOT NULL"), sqlite_where=text(f"{column} IS NOT NULL"))
          for column in ("seq", "prev_hash", "hash")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # set once when sealed; unique among the sealed (the partial unique indexes above), so no two
    # events can fork the chain; an event is inserted without them, and an index of only the sealed
    # costs it nothing then (a run appending 180,000 events paid three index entries each for NULLs)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
