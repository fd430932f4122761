"""Canonical JSON for documents: lossless, stable, and readable in golden files and the API.

Decimal is written as a string (never a float), datetimes in ISO 8601 with their offset, dates as
YYYY-MM-DD. Empty lists and None values are left out so golden files stay short.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Union

from hub.domain.documents import DOCUMENT_TYPES, Document


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as plain JSON-ready data, with its type under `doc_type`."""
    data = _encode(doc)
    assert isinstance(data, dict)
    return {"doc_type": doc.doc_type, **data}


def from_dict(data: dict[str, Any]) -> Document:
    """Rebuild a document from `to_dict` output."""
    payload = dict(data)
    cls = DOCUMENT_TYPES[payload.pop("doc_type")]
    result = _decode(cls, payload)
    assert isinstance(result, Document)
    return result


def dumps(doc: Document) -> str:
    """Stable, indented canonical JSON text."""
    return json.dumps(to_dict(doc), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_json(doc: Document) -> str:
    """Compact canonical JSON text, as stored in the database."""
    return json.dumps(to_dict(doc), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Document:
    return from_dict(json.loads(text))


_ENCODERS: dict[type, Any] = {}


def _encoder(tp: type) -> Any:
    """A function encoding instances of dataclass `tp`, generated once from its type hints.

    Every document persisted goes through here; specialising per field (a str is copied, a Decimal
    formatted, a list mapped) is several times faster than inspecting each value's type.
    """
    enc = _ENCODERS.get(tp)
    if enc is None:
        if not dataclasses.is_dataclass(tp):
            return None
        enc = _ENCODERS[tp] = _compile(tp)
    return enc


_DIRECT = (str, int, bool)


def _compile(cls: type) -> Any:
    hints = _hints(cls)
    body = ["def encode(v):", "    out = {}"]
    for f in dataclasses.fields(cls):
        name = f.name
        hint = hints[name]
        union = typing.get_origin(hint) in (Union, types.UnionType)
        options = [a for a in typing.get_args(hint) if a is not type(None)] if union else [hint]
        body.append(f"    x = v.{name}")
        if all(o in _DIRECT for o in options):
            body.append(f"    if x is not None: out[{name!r}] = x")
        elif options == [Decimal]:
            body.append(f"    if x is not None: out[{name!r}] = str(x)")
        elif len(options) == 1 and isinstance(options[0], type) and issubclass(options[0], Enum):
            body.append(f"    if x is not None: out[{name!r}] = x.value")
        elif typing.get_origin(options[0]) in (list, dict):
            body.append(f"    if x: out[{name!r}] = _encode(x)")
        else:
            body.append(f"    if x is not None: out[{name!r}] = _encode(x)")
    body.append("    return out")
    namespace: dict[str, Any] = {"_encode": _encode}
    exec("\n".join(body), namespace)  # generated from our own dataclasses' annotations only
    return namespace["encode"]


def _encode(value: Any) -> Any:
    tp = type(value)
    if tp is str or tp is int or tp is bool:
        return value
    if tp is Decimal:
        return str(value)
    if tp is list:
        return [_encode(v) for v in value]
    enc = _encoder(tp)
    if enc is not None:
        return enc(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _decode_union(typing.get_args(tp), value)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        return [_decode(item_tp, v) for v in value]
    if origin is dict:
        _, val_tp = typing.get_args(tp)
        return {k: _decode(val_tp, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        kwargs = {f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)
                  if f.init and f.name in value}
        return tp(**kwargs)
    return _decode_scalar(tp, value)


def _decode_union(options: tuple[Any, ...], value: Any) -> Any:
    options = tuple(o for o in options if o is not type(None))
    if datetime in options and isinstance(value, str) and "T" in value:
        return datetime.fromisoformat(value)
    if date in options and isinstance(value, str):
        return date.fromisoformat(value)
    return _decode(options[0], value)


def _decode_scalar(tp: Any, value: Any) -> Any:
    if tp is Decimal:
        return Decimal(value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    return value
