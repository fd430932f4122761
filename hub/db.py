"""Database wiring: the declarative base, a zone-aware datetime type, engine and sessions per app."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Dialect, Enum, Index, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def present_index(table: str, column: str) -> Index:
    """An index of `column` holding only the rows that have a value (`col = :value` lookups use it as
    they would a full one): a table updated in bulk then pays no index entry for the rows without."""
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_{table}_{column}", column, postgresql_where=where, sqlite_where=where)


def index_but(name: str, *columns: str, where: str) -> Index:
    """An index whole on SQLite, partial on PostgreSQL (`where`, leaving out a state most rows end in):
    PostgreSQL's UPDATE adds an entry to every index when it changes an indexed column; SQLite's
    touches only the indexes of the columns it changes, and its planner proves less from a predicate."""
    return Index(name, *columns, postgresql_where=text(where))


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns an aware datetime (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def string_enum(enum: type[StrEnum], length: int = 20) -> Enum:
    """A column of `enum` members stored as their plain strings (VARCHAR(length), no CHECK, no native
    type): rows written before the column was typed read back as members, with no data migration."""
    return Enum(enum, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [m.value for m in members])


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A UUID version 7: 48 bits of milliseconds since 1970, then 74 random bits (RFC 9562).

    Nobody can guess another partner's exchange or document (74 random bits), and ids made one
    after the other sort together, so a big interchange's documents and lines extend the indexes
    at their end instead of touching pages all over them. Within one process they strictly
    increase (RFC 9562 method 2): an id made in the same millisecond as the one before takes that
    one's random bits plus a random step of up to 32 bits, so rows made in one millisecond still
    list in the order they were made (a partner's mailbox pages by id).
    """
    with _id_lock:
        global _last_ms, _last_random
        now = time.time_ns() // 1_000_000
        if now > _last_ms:
            _last_ms, _last_random = now, int.from_bytes(os.urandom(10)) >> 6
        else:
            _last_random += 1 + int.from_bytes(os.urandom(4))
            if _last_random >= _RANDOM_LIMIT:  # 2**42 steps in one millisecond: the next one
                _last_ms, _last_random = _last_ms + 1, int.from_bytes(os.urandom(10)) >> 6
        return _uuid7(_last_ms, _last_random)


def new_ids(count: int) -> list[str]:
    """`count` UUIDs version 7 as `new_id` makes them, in one call to the system's random source (a
    reconciliation run names hundreds of thousands of rows: a system call per id cost more than the
    rest). They share the millisecond; each has its own 74 random bits; they come in increasing
    order, after every id the process made before, so rows given them in turn extend their indexes
    at one end, as `new_id`'s do."""
    if count <= 0:
        return []
    with _id_lock:
        global _last_ms, _last_random
        now = time.time_ns() // 1_000_000
        if now <= _last_ms:  # the same millisecond as the last id: step on from it
            out = []
            for step in _steps(count):
                _last_random += step
                if _last_random >= _RANDOM_LIMIT:
                    _last_ms, _last_random = _last_ms + 1, int.from_bytes(os.urandom(10)) >> 6
                out.append(_uuid7(_last_ms, _last_random))
            return out
        stamp = now.to_bytes(6, "big").hex()
        random = os.urandom(10 * count).hex()
        out = []
        for n in range(0, 20 * count, 20):
            r = random[n:n + 20]
            out.append(f"{stamp[:8]}-{stamp[8:]}-7{r[1:4]}-{_VARIANT[r[4]]}{r[5:8]}-{r[8:]}")
        out.sort()
        value = int(out[-1].replace("-", ""), 16)
        _last_ms, _last_random = now, ((value >> 64) & 0xFFF) << 62 | value & _RAND_B
        return out


def _steps(count: int) -> list[int]:
    data = os.urandom(4 * count)
    return [1 + int.from_bytes(data[n:n + 4]) for n in range(0, 4 * count, 4)]


def _uuid7(ms: int, random: int) -> str:
    """The text of a UUID version 7 of `ms` and 74 random bits (12 in rand_a, 62 in rand_b)."""
    h = f"{ms << 80 | 0x7 << 76 | (random >> 62) << 64 | 0b10 << 62 | random & _RAND_B:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_RANDOM_LIMIT = 1 << 74
_RAND_B = (1 << 62) - 1
_id_lock = threading.Lock()
_last_ms, _last_random = 0, 0
_VARIANT = {h: "89ab"[int(h, 16) & 3] for h in "0123456789abcdef"}  # the RFC 9562 variant bits, 10xx


def build_engine(url: str) -> Engine:
    """An engine with the settings each backend needs for a web app with a worker thread."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # No pre-ping (a round trip per request); a dropped connection is detected and the pool
        # invalidated on first use, and recycling keeps connections from going stale.
        kwargs.update(pool_size=5, max_overflow=10, pool_recycle=1800)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # 16 KB pages for a new database (a no-op once it has tables): a canonical document's JSON
    # fits a page, and bulk inserts of documents and lines write fewer, fuller pages
    cursor.execute("PRAGMA page_size=16384")
    # WAL lets the API read while the worker writes; synchronous=FULL keeps a 2xx durable.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={JOB_WAIT_MS}")
    # 8 MB of page cache per connection (the default is 2 MB). Rows get time-ordered ids, so a
    # big interchange's inserts append to the indexes: 32 MB was no faster, and cost 22 MB more
    # at peak for one ingest (each pooled connection keeps its own cache)
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


SQLITE_CACHE_KIB = 8192


@contextmanager
def larger_cache(session: Session, mebibytes: int) -> Iterator[None]:
    """A larger SQLite page cache on the session's connection for one big unit of work (a matching run
    touches every open invoice, payment and index page: with 8 MB it read and spilled the same pages
    over and over); the usual size again afterwards, before the commit, so the pooled connection keeps
    no extra memory. Nothing on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(mebibytes) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


def init_app(app: Flask, url: str) -> None:
    """Engine and sessions for the app. Sessions carry no settings: the edge (a request, a job, a
    command) passes `Settings` to what needs them."""
    engine = build_engine(url)
    app.extensions["hub.engine"] = engine
    app.extensions["hub.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def work_items(session: Session, key: str) -> set[Any]:
    """A set kept for the current unit of work of `session` (e.g. the batches to close when it
    ends), under `key`. The one place `session.info` is used (a test checks): technical
    bookkeeping of a unit of work, never configuration."""
    items: set[Any] = session.info.setdefault(key, set())
    return items


def take_work_items(session: Session, key: str) -> set[Any]:
    """The set `work_items` kept under `key`, now emptied from the session."""
    items: set[Any] = session.info.pop(key, set())
    return items


def get_engine(app: Flask | None = None) -> Engine:
    engine: Engine = (app or current_app).extensions["hub.engine"]
    return engine


def new_session(app: Flask | None = None) -> Session:
    """A fresh session, for jobs and commands that own their transaction."""
    maker: sessionmaker[Session] = (app or current_app).extensions["hub.sessionmaker"]
    return maker()


# How long a request waits for SQLite's one writer (a job writing a big interchange) before it
# answers 503 with Retry-After; jobs and commands wait up to the connection's 30 s.
REQUEST_WAIT_MS = 4000
JOB_WAIT_MS = 30000


def get_session() -> Session:
    """The session of the current request (one per app context)."""
    if "hub_session" not in g:
        g.hub_session = new_session()
        _wait_for_writer(g.hub_session, REQUEST_WAIT_MS)
    session: Session = g.hub_session
    return session


def _wait_for_writer(session: Session, milliseconds: int) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("hub_session", None)
    if session is not None:
        try:
            session.rollback()
            _wait_for_writer(session, JOB_WAIT_MS)  # the pooled connection may serve a job next
        finally:
            session.close()


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit on success, roll back on any error: the one way services end a unit of work."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def insert_unless_present(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT a row unless a unique key already holds it; whether it was inserted.

    `ON CONFLICT DO NOTHING` on both backends, in the caller's transaction, instead of a savepoint:
    the pysqlite driver commits a savepoint's work on release, so a rollback would not undo it.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Any = model.__table__
    statement = insert(table).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(*table.primary_key.columns)).first() is not None
