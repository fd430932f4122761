"""Take the next number of a series, or record a number an ERP brought, inside the caller's transaction.

The next value is taken with one atomic `UPDATE ... RETURNING`, which holds the series row's lock (a
PostgreSQL row lock, SQLite's write lock) until the caller's transaction ends. So numbers are strictly
sequential: a transaction that rolls back (a failed render, a refused validation) gives its number
back with everything else, and a committed number is never handed out again. Callers keep the work
between taking a number and committing short: every other taker of that series waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.db import insert_unless_present, utcnow
from hub.domain.errors import HubError
from hub.numbering.models import IssuedNumber, NumberSeries


class DuplicateNumber(HubError):
    """A number already given out in its series."""

    code = "DUPLICATE_NUMBER"
    http_status = 409


@dataclass(frozen=True)
class SeriesFormat:
    """How a series writes its numbers: a prefix and a zero-padded value (INV-2026-000042)."""

    prefix: str = ""
    padding: int = 0

    def render(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.padding}d}"


def ensure_series(session: Session, key: str, fmt: SeriesFormat = SeriesFormat()) -> NumberSeries:
    """The series named key, created with fmt the first time (two creators at once: one wins)."""
    query = select(NumberSeries).where(NumberSeries.key == key)
    series = session.scalar(query)
    if series is None:
        row = {"key": key, "prefix": fmt.prefix, "padding": fmt.padding, "next_value": 1,
               "created_at": utcnow()}
        insert_unless_present(session, NumberSeries, row)
        series = session.scalars(query).one()
    return series


def take_next(session: Session, key: str, *, object_type: str, object_id: str,
              fmt: SeriesFormat = SeriesFormat()) -> IssuedNumber:
    """The next number of the series, recorded as carried by (object_type, object_id)."""
    series = ensure_series(session, key, fmt)
    value = session.execute(
        update(NumberSeries).where(NumberSeries.id == series.id)
        .values(next_value=NumberSeries.next_value + 1)
        .returning(NumberSeries.next_value)
    ).scalar_one() - 1
    issued = IssuedNumber(series_id=series.id, value=value, object_type=object_type, object_id=object_id,
                          number=SeriesFormat(series.prefix, series.padding).render(value))
    session.add(issued)
    session.flush()
    return issued


def claim(session: Session, key: str, number: str, *, object_type: str, object_id: str) -> IssuedNumber:
    """Record a number an ERP assigned itself (a legal number); refused when the series already has it."""
    series = ensure_series(session, key)
    if not insert_unless_present(session, IssuedNumber, {
            "series_id": series.id, "number": number, "value": None, "object_type": object_type,
            "object_id": object_id, "issued_at": utcnow()}):
        raise DuplicateNumber(f"number {number!r} is already used in series {key!r}")
    return session.scalars(select(IssuedNumber).where(
        IssuedNumber.series_id == series.id, IssuedNumber.number == number)).one()


def carried_by(issued: IssuedNumber, object_id: str) -> None:
    """Name the object a number taken before it had an id carries (an invoice is numbered before it
    is flushed)."""
    issued.object_id = object_id


def issued_numbers(session: Session, key: str) -> list[str]:
    """Every number of the series, in the order given."""
    return list(session.scalars(
        select(IssuedNumber.number).join(NumberSeries, NumberSeries.id == IssuedNumber.series_id)
        .where(NumberSeries.key == key).order_by(IssuedNumber.id)))
