"""Bulk INSERT straight through the driver, for the ingest hot path.

SQLAlchemy's per-value type processing costs more than the insert itself when a large
interchange writes 100,000 lines; here each column's conversion is chosen once per table and
dialect, and the rows go to the driver's executemany as tuples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import JSON, Numeric, Table
from sqlalchemy.orm import Session

from hub.db import Base, UTCDateTime

Convert = Callable[[Any], Any]


def _sqlite_time(value: datetime | None) -> str | None:
    # the format SQLAlchemy's SQLite DateTime reads back
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _number_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _converter(column_type: Any, dialect: str) -> Convert | None:
    if isinstance(column_type, UTCDateTime):
        return _sqlite_time if dialect == "sqlite" else None
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, Numeric) and dialect == "sqlite":
        return _number_text
    return None


def insert_rows(session: Session, model: type[Base], columns: Sequence[str],
                rows: list[tuple[Any, ...]]) -> None:
    """INSERT `rows` (tuples in `columns` order) into `model`'s table in the session's transaction."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    dialect = connection.dialect.name
    converters = [_converter(table.c[name].type, dialect) for name in columns]
    if any(converters):
        rows = [tuple(v if c is None else c(v) for c, v in zip(converters, row, strict=True))
                for row in rows]
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    connection.exec_driver_sql(sql, rows)
