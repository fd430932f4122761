"""Bulk INSERT straight through the driver, for the ingest hot path.

SQLAlchemy's per-value type processing costs more than the insert itself when a large
interchange writes 100,000 lines. Here the values arrive as the driver stores them (numbers and
JSON as text, times on SQLite as text in SQLAlchemy's format) and go to executemany as tuples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, cast

import orjson
from sqlalchemy import JSON, DateTime, Enum, Numeric, Table
from sqlalchemy.orm import Session

from hub.db import Base, UTCDateTime, utcnow


def sqlite_time(value: datetime) -> str:
    """A time as SQLAlchemy's SQLite DateTime stores it (and reads it back), in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def json_text(value: Any) -> str:
    """`value` as JSON text for a JSON column: orjson (several times faster than the standard library,
    which a hot path writing 100,000 rows spends seconds in), the standard library for what orjson
    refuses (an int beyond 64 bits); either way the same data read back."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def stored_now(session: Session) -> Any:
    """The current time as `insert_values` stores it on the session's database."""
    now = utcnow()
    return sqlite_time(now) if session.get_bind().dialect.name == "sqlite" else now


def insert_values(session: Session, model: type[Base], columns: Sequence[str],
                  rows: list[tuple[Any, ...]]) -> None:
    """INSERT `rows` (tuples in `columns` order) into `model`'s table in the session's transaction.

    Decimal and JSON values go in as text: SQLite stores them so, PostgreSQL parses them by the
    column's type. Times are `sqlite_time` text on SQLite, datetimes elsewhere. On PostgreSQL the
    rows go through COPY: executemany, even pipelined, spends ~100 us per row in the driver.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.dbapi_connection, table.name, columns, rows)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    connection.exec_driver_sql(sql, rows)


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], *,
                fill_defaults: bool = True, chunk: int = 5000) -> None:
    """INSERT rows given as the ORM would take them (dicts of Python values, the same keys in each),
    `chunk` at a time: with `fill_defaults`, a column left out gets its model default as an ORM
    insert would; each value is converted a column at a time to what `insert_values` sends (JSON
    and numbers as text, enum members as their values, times as the database stores them)."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    keys = list(rows[0])
    # the same keys in each row: as many, and every one of the first's (a row by row comparison of
    # the keys, and a list built per column, cost a run 0.6 s for its 200,000 rows)
    mismatch = ValueError(f"rows for {table.name} name different columns")
    if set(map(len, rows)) != {len(keys)}:
        raise mismatch
    try:
        given = list(zip(*map(itemgetter(*keys), rows), strict=True)) if len(keys) > 1 else \
            [[row[keys[0]] for row in rows]]
    except KeyError:
        raise mismatch from None
    defaults = [c for c in table.columns if c.name not in keys and c.default is not None
                and (c.default.is_scalar or c.default.is_callable)] if fill_defaults else []
    sqlite = session.get_bind().dialect.name == "sqlite"
    columns, values = keys + [c.name for c in defaults], []
    for key, column in zip(keys, given, strict=True):
        values.append(_converted(table.c[key].type, column, sqlite))
    for c in defaults:
        arg: Any = c.default.arg  # type: ignore[union-attr]
        values.append(_converted(c.type, [arg(None) if c.default.is_callable  # type: ignore[union-attr]
                                          else arg for _ in rows], sqlite))
    converted = list(zip(*values, strict=True))
    for start in range(0, len(converted), chunk):
        insert_values(session, model, columns, converted[start:start + chunk])


def _converted(kind: Any, column: Sequence[Any], sqlite: bool) -> Sequence[Any]:
    """A column's values as the driver takes them (one converter per column type, none for plain
    values: a reconciliation run writes a million values)."""
    if isinstance(kind, JSON):
        return json_texts(column)
    if sqlite and isinstance(kind, DateTime | UTCDateTime):  # rows written together share a few times
        stored = {v: sqlite_time(v) for v in set(column) if v is not None}
        return [stored.get(v) for v in column]
    convert: Any = str if isinstance(kind, Numeric) else _enum_value if isinstance(kind, Enum) else None
    return column if convert is None else [None if v is None else convert(v) for v in column]


def json_texts(column: Sequence[Any]) -> list[str | None]:
    """A column's values as JSON text as `json_text` makes each (None stays None): orjson straight,
    `json_text` (its fallback) only when orjson refuses one (the wrapper's call per value cost a
    reconciliation run 0.3 s)."""
    dumps, option = orjson.dumps, orjson.OPT_NON_STR_KEYS
    try:
        return [None if v is None else dumps(v, option=option).decode() for v in column]
    except orjson.JSONEncodeError:
        return [None if v is None else json_text(v) for v in column]


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _copy(dbapi_connection: Any, table: str, columns: Sequence[str],
          rows: list[tuple[Any, ...]]) -> None:
    """COPY the rows in, on the session's connection and inside its transaction."""
    with dbapi_connection.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fast_compression(session: Session) -> None:
    """lz4 rather than pglz for what PostgreSQL compresses (values over ~2 kB) for the rest of the
    transaction, when the server has it (else nothing changes; elsewhere nothing to do): the same values
    read back, compressed in a third of the CPU (a run's 15,000 payment-status messages, 29 MB: 0.08 s
    of the server's CPU against 0.18 to 0.23 s)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")


def next_ids(session: Session, model: type[Base], count: int) -> list[int]:
    """`count` new primary keys of `model`'s table, for rows written with `insert_values` that others
    must point at. PostgreSQL takes them from the table's sequence (safe beside any writer); on SQLite
    they follow the largest id, which only the transaction holding the write lock may rely on: the
    caller has written in this transaction already, or holds its capability's lock."""
    if count <= 0:
        return []
    table = cast(Table, model.__table__)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # the sequence looked up once (a materialised CTE): in the select list pg_get_serial_sequence,
        # a scan of pg_depend, ran once per id (0.3 s of the server's CPU for a run's 75,000 matches)
        return [row[0] for row in connection.exec_driver_sql(
            f"WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('{table.name}', 'id')::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s, generate_series(1, %s)", (count,))]
    start = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar_one() + 1
    return list(range(start, start + count))


def update_values(session: Session, model: type[Base], columns: Sequence[str],
                  rows: list[tuple[Any, ...]], *, extend: Sequence[str] = (), chunk: int = 100_000) -> None:
    """UPDATE rows by primary key: each tuple is (id, *values in `columns` order), values as for
    `insert_values`. SQLite: one executemany; PostgreSQL: UPDATE ... FROM unnest(arrays), one array
    parameter per column, `chunk` rows a statement (an executemany there costs ~100 us a row; VALUES
    lists of 5,000 rows made the server scan the whole table once per chunk, and bound three
    parameters a row). The JSON array columns in `extend` get their value (a list of elements) appended
    in the database, nothing read back: SQLite's json_insert (one executemany per number of elements),
    PostgreSQL's jsonb `||` (reading and rewriting every array cost more than the rest of the write;
    and a row updated once however many elements: a second UPDATE of 7,000 invoices paid twice in a
    reconciliation run cost 0.4 s of the server's CPU)."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    extended = [n for n, c in enumerate(columns, 1) if c in extend]
    if connection.dialect.name != "postgresql":
        _update_sqlite(connection, table.name, columns, rows, extended)
        return
    types = {c: table.c[c].type.compile(dialect=connection.dialect) for c in ("id", *columns)}
    sets = ", ".join(
        f"{c} = (coalesce(t.{c}::jsonb, '[]'::jsonb) || v.{c}::jsonb)::{types[c]}"
        if c in extend else f"{c} = v.{c}::{types[c]}" for c in columns)
    names = ", ".join(("id", *columns))
    # binary arrays (%b): the text format escapes every element in Python, 1.3 s for 80,000 JSON texts
    arrays = ", ".join(["%b::text[]"] * (len(columns) + 1))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        connection.exec_driver_sql(
            f"UPDATE {table.name} AS t SET {sets} FROM unnest({arrays}) AS v({names}) "
            f"WHERE t.id = v.id::{types['id']}",
            tuple(json_texts(column) if n in extended  # a list, as one JSON array
                  else [None if v is None else v if isinstance(v, str) else str(v) for v in column]
                  for n, column in enumerate(zip(*part, strict=True))))


def _update_sqlite(connection: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]],
                   extended: list[int]) -> None:
    """`update_values` on SQLite: an executemany per number of elements the rows append (json_insert
    takes a path and a value per element), its parameters built a column at a time."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault(tuple([len(row[n]) for n in extended]), []).append(row)
    element = f", '$[#]', json({mark})"
    for counts, group in groups.items():
        added = dict(zip(extended, counts, strict=True))
        sets = ", ".join(f"{c} = json_insert(coalesce({c}, '[]'){element * added[n]})"
                         if n in added else f"{c} = {mark}" for n, c in enumerate(columns, 1))
        values = list(zip(*group, strict=True))
        params: list[Sequence[Any]] = []
        for n in range(1, len(columns) + 1):
            if n not in added:
                params.append(values[n])
                continue
            texts = json_texts([e for elements in values[n] for e in elements])
            params += [texts[k::added[n]] for k in range(added[n])]
        connection.exec_driver_sql(f"UPDATE {table} SET {sets} WHERE id = {mark}",
                                   list(zip(*params, values[0], strict=True)))
