"""Tables of exchanges: the stock levels ERPs post (written by `erp_inbound`, read by procurement).
The exchanges, documents and their lines live in `hub.records.models` (below erp, which reads them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow


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
