"""Comparing canonical documents on the fields the fidelity table lists as carried."""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from typing import Any

from hub.domain.documents import Document
from tests.unit.fidelity import table
from tests.unit.fidelity.paths import clear_at, field_paths, values_at


def _key(value: Any) -> str:
    return repr((value + 0).normalize()) if isinstance(value, Decimal) else repr(value)  # -0 is 0


def _values(doc: Document, path: str, row: table.Carried) -> list[str]:
    found = values_at(doc, path)
    if row.zero_is_none:
        found = [v for v in found if v != 0]
    return sorted(_key(v) for v in found)


def carried(kind: str, syntaxes: tuple[str, ...]) -> dict[str, table.Carried]:
    cls = table.MESSAGE_TYPES[kind][0]
    per = [table.rows(kind, s) for s in syntaxes]
    out: dict[str, table.Carried] = {}
    for path in field_paths(cls):
        found = [r[path] for r in per]
        if all(isinstance(r, table.Carried) for r in found):
            out[path] = found[0]  # type: ignore[assignment]
    return out


def only_carried(doc: Document, kind: str, syntaxes: tuple[str, ...]) -> Document:
    """A copy of doc without the fields one of the syntaxes does not carry."""
    doc = copy.deepcopy(doc)
    for syntax in syntaxes:
        for path, row in table.rows(kind, syntax).items():
            if isinstance(row, table.NotCarried | table.Gap) and path in set(field_paths(type(doc))) \
                    and values_at(doc, path):
                clear_at(doc, path)
    for party in doc.parties:  # what clearing left empty is absent, not an empty element
        if party.address is not None and not any(vars_of(party.address)):
            party.address = None
        if party.contact is not None and not any(vars_of(party.contact)):
            party.contact = None
    return doc


def vars_of(obj: Any) -> list[Any]:
    """The values of a dataclass's fields."""
    return [getattr(obj, f.name) for f in dataclasses.fields(obj)]


def lost_fields(before: Document, after: Document, carried: dict[str, table.Carried]) -> list[str]:
    return [f"{path} ({row.where}): sent {_values(before, path, row)}, read back {_values(after, path, row)}"
            for path, row in carried.items() if _values(before, path, row) != _values(after, path, row)]
