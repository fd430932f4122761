"""Tables of the numbering series: the series with its next value, and every number handed out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow


class NumberSeries(Base):
    """One series (for example invoices of one company and year): its format and next value."""

    __tablename__ = "number_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(30), default="")
    padding: Mapped[int] = mapped_column(Integer, default=0)
    next_value: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IssuedNumber(Base):
    """A number given out (or brought by an ERP) in a series, and what carries it; never reused."""

    __tablename__ = "issued_numbers"
    __table_args__ = (UniqueConstraint("series_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("number_series.id"))
    number: Mapped[str] = mapped_column(String(60))
    value: Mapped[int | None] = mapped_column(Integer)  # None for a number an ERP brought
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
