"""Field paths of the canonical documents (`lines[].item.gtin`) and the values found at them."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from typing import Any

from hub.domain.documents import Document


def _dataclass_in(hint: Any) -> tuple[type | None, bool]:
    """The dataclass a field holds (directly, optionally or as a list), and whether it is a list."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _dataclass_in(inner[0]) if len(inner) == 1 else (None, False)
    if origin is list:
        (arg,) = typing.get_args(hint)
        return (arg, True) if isinstance(arg, type) and dataclasses.is_dataclass(arg) else (None, False)
    return (hint, False) if isinstance(hint, type) and dataclasses.is_dataclass(hint) else (None, False)


def field_paths(cls: type, prefix: str = "") -> Iterator[str]:
    """Every leaf field of a canonical dataclass, nested dataclasses walked (`parties[].address.city`)."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        inner, many = _dataclass_in(hints[f.name])
        name = f"{prefix}{f.name}"
        if inner is None:
            yield name
        else:
            yield from field_paths(inner, f"{name}[]." if many else f"{name}.")


def values_at(doc: Document, path: str) -> list[Any]:
    """The values at `path` in `doc` (every list walked), empty ones (None, "", []) left out."""
    current: list[Any] = [doc]
    for part in path.split("."):
        name, many = (part[:-2], True) if part.endswith("[]") else (part, False)
        found = [getattr(obj, name) for obj in current if obj is not None]
        current = [x for lst in found for x in lst] if many else found
    return [v for v in current if v not in (None, "", [], {})]


def _cleared(obj: Any, name: str) -> bool:
    """Set `obj.name` to its field's default; False when the field has none (a required value)."""
    f = next(f for f in dataclasses.fields(obj) if f.name == name)
    assign = object.__setattr__  # an Identifier is frozen: the copy being cleared is the test's own
    if f.default is not dataclasses.MISSING:
        assign(obj, name, f.default)
    elif f.default_factory is not dataclasses.MISSING:
        assign(obj, name, f.default_factory())
    else:
        return False
    return True


def clear_at(doc: Document, path: str) -> None:
    """Empty the field at `path` everywhere in `doc`; a required field empties the nearest optional
    field holding it (`allowances_charges[].amount` clears `allowances_charges`)."""
    parts = [p.removesuffix("[]") for p in path.split(".")]
    for depth in range(len(parts) - 1, -1, -1):
        holders: list[Any] = [doc]
        for i, part in enumerate(parts[:depth]):
            found = [getattr(h, part) for h in holders if h is not None]
            many = path.split(".")[i].endswith("[]")
            holders = [x for lst in found for x in lst] if many else found
        holders = [h for h in holders if h is not None]
        if all(_cleared(h, parts[depth]) for h in holders):
            return
    raise AssertionError(f"cannot clear {path}")
