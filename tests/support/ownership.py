"""Only a table's own capability writes it: checked at run time, for the whole suite.

Another capability may read a table (through its `models`, to join), but a row is made, changed or
deleted only by the capability that defines the table (tests/support/capabilities.py names the one
exception, hub.records). An import cannot tell a read from a write, so every write the suite makes
is traced to the code that made it:
- an ORM row made (`Model(...)`), a column of one set, a row given to `Session.delete`;
- every INSERT, UPDATE and DELETE statement sent to the database (ORM statements, Core, text and
  driver SQL, hub.bulk's executemany), except those of a flush, whose rows were checked where they
  were made or changed.
The writer is the innermost frame outside SQLAlchemy and the shared machinery that writes on its
caller's behalf (hub.db, hub.bulk); a write by a module of no capability (a test, the demo, the
app's wiring) is not checked. Each test fails on what it wrote into another capability's table
(tests/conftest.py), naming the file and line."""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.capabilities import capability_of, writer_of_tables_in

ROOT = Path(__file__).resolve().parents[2]
SHARED = frozenset({"hub.db", "hub.bulk"})  # write on their caller's behalf: the caller is the writer
_PLUMBING = frozenset({__name__, "contextlib", "functools"})
_DML = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)

violations: list[str] = []
_lock = threading.Lock()
_installed: dict[str, str] = {}  # table name -> the capability that may write it (set by install())


def writer(frame: FrameType | None) -> tuple[str, str, int] | None:
    """The capability writing, with its file and line: the innermost frame outside SQLAlchemy and
    the shared machinery; None inside a flush or when that frame is no capability's."""
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name == "sqlalchemy.orm.session" and frame.f_code.co_name == "_flush":
            return None
        if not (name.startswith("sqlalchemy.") or name in SHARED or name in _PLUMBING):
            capability = capability_of(name)
            return (capability, frame.f_code.co_filename, frame.f_lineno) if capability else None
        frame = frame.f_back
    return None


def check(table: str, frame: FrameType | None, how: str) -> None:
    """Record a write of `table` by a capability that does not own it."""
    owner = _installed.get(table)
    found = writer(frame) if owner else None
    if found is None or found[0] == owner:
        return
    capability, filename, line = found
    path = Path(filename)
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else filename
    text = f"{where}:{line}: {capability} {how} {table}, a table of {owner}"
    with _lock:
        if text not in violations:
            violations.append(text)


def take() -> list[str]:
    """What was recorded since the last call, cleared."""
    with _lock:
        found = list(violations)
        violations.clear()
    return found


def install() -> None:
    """Listen to every write (once per process)."""
    if _installed:
        return
    from hub import models  # noqa: F401  (every table on the metadata)
    from hub.db import Base

    for mapper in Base.registry.mappers:
        owner = writer_of_tables_in(mapper.class_.__module__)
        if owner:
            _installed[mapper.local_table.name] = owner
        for column in mapper.column_attrs:
            event.listen(column.class_attribute, "set", _column_set)
    event.listen(Base, "init", _row_made, propagate=True)
    event.listen(Engine, "before_cursor_execute", _statement)
    original_delete = Session.delete

    def delete(self: Session, instance: object) -> None:
        check(_table_of(instance), sys._getframe(1), "deletes a row of")
        original_delete(self, instance)

    Session.delete = delete  # type: ignore[method-assign]


def _table_of(instance: object) -> str:
    return str(getattr(type(instance), "__tablename__", ""))


def _row_made(target: object, _args: Any, _kwargs: Any) -> None:
    check(_table_of(target), sys._getframe(1), "makes a row of")


def _column_set(target: object, value: Any, _old: Any, _initiator: Any) -> Any:
    check(_table_of(target), sys._getframe(1), "changes a row of")
    return value


def _statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    match = _DML.match(statement)
    if match:
        check(match.group(1).lower(), sys._getframe(1), "writes")
