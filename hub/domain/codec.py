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

import orjson

from hub.domain.documents import DOCUMENT_TYPES, Document

_REAL_DATE, _REAL_DATETIME = date, datetime  # as imported, before any test clock


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as plain JSON-ready data, with its type under `doc_type`."""
    data = _encode(doc)
    assert isinstance(data, dict)
    return {"doc_type": doc.doc_type, **data}


def to_json(doc: Document) -> str:
    """`json.dumps(to_dict(doc), ensure_ascii=False, separators=(",", ":"))`, several times faster.

    orjson writes the plain data (str, int, bool, lists, dicts with str keys) exactly as the standard
    library does. A document holding anything else where the encoders pass values through (a float,
    a str subclass, an int beyond 64 bits, ...) is written by the standard library instead.
    """
    try:
        data = {"doc_type": doc.doc_type, **_plain_encoder(type(doc))(doc)}
        return orjson.dumps(data).decode()
    except (_NotPlain, orjson.JSONEncodeError):
        return _COMPACT.encode(to_dict(doc))


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


def loads(text: str | bytes) -> Document:
    return from_dict(json.loads(text))


_ENCODERS: dict[type, Any] = {}
_PLAIN_ENCODERS: dict[type, Any] = {}
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class _NotPlain(Exception):
    """A value `to_json` leaves to the standard library (see `_plain_encoder`)."""


def _encoder(tp: type) -> Any:
    """A function encoding instances of dataclass `tp`, generated once from its type hints.

    Every document persisted goes through here; specialising per field (a str is copied, a Decimal
    formatted, a list of dataclasses mapped with their own encoder) is several times faster than
    inspecting each value's type. A value of another type than its field declares goes through
    `_encode` (the value of a str, int or bool field is kept as it is, as it always was).
    """
    enc = _ENCODERS.get(tp)
    if enc is None:
        if not dataclasses.is_dataclass(tp):
            return None
        enc = _ENCODERS[tp] = _compile(tp, _encoder, _LENIENT)
    return enc


def _plain_encoder(tp: type) -> Any:
    """Like `_encoder`, for `to_json`: the same output, but a value whose type is not the one its field
    declares (or not str, int or bool where a value is passed through) raises _NotPlain."""
    enc = _PLAIN_ENCODERS.get(tp)
    if enc is None:
        if not dataclasses.is_dataclass(tp):
            raise _NotPlain(tp)
        enc = _PLAIN_ENCODERS[tp] = _compile(tp, _plain_encoder, _STRICT)
    return enc


def _refuse(value: Any) -> Any:
    raise _NotPlain(type(value))


def _plain_scalar(value: Any) -> Any:
    """An int or bool as it is; anything else (a float, a str subclass, ...) is not for orjson."""
    if type(value) is int or type(value) is bool:
        return value
    raise _NotPlain(type(value))


def _plain_mapping(value: Any) -> dict[str, str]:
    """A dict of str to str as a copy (what `_encode` makes of it); anything else is not for orjson."""
    if type(value) is not dict or not all(type(k) is str and type(v) is str for k, v in value.items()):
        raise _NotPlain(type(value))
    return dict(value)


_DIRECT = (str, int, bool)
_COMPILING: set[tuple[Any, type]] = set()


def _compile(cls: type, encoder_of: Any, hooks: dict[str, Any]) -> Any:
    """Generate the encoder of dataclass `cls`. `hooks` name what the code calls for a value it does not
    handle itself: `_other` for a value of another type than its field declares, `_mapping` for a dict
    field and, when given, `_scalar` for a value of a str, int or bool field that is not a str (without
    it such values are passed on as they are)."""
    hints = _hints(cls)
    namespace: dict[str, Any] = {**hooks, "_date": date, "_datetime": datetime}
    body = ["def encode(v):", "    out = {}"]
    _COMPILING.add((encoder_of, cls))
    try:
        for f in dataclasses.fields(cls):
            name = f.name
            hint = hints[name]
            union = typing.get_origin(hint) in (Union, types.UnionType)
            options = [a for a in typing.get_args(hint) if a is not type(None)] if union else [hint]
            body.append(f"    x = v.{name}")
            body += _field_source(name, options, encoder_of, namespace)
    finally:
        _COMPILING.discard((encoder_of, cls))
    body.append("    return out")
    exec("\n".join(body), namespace)  # generated from our own dataclasses' annotations only
    return namespace["encode"]


def _field_source(name: str, options: list[Any], encoder_of: Any, namespace: dict[str, Any]) -> list[str]:
    """The lines encoding field `name` (read into `x`) into `out`; `namespace` gets what they call."""
    first = options[0]
    origin = typing.get_origin(first)
    key = repr(name)
    if all(o in _DIRECT for o in options):
        value = "x if type(x) is str else _scalar(x)" if "_scalar" in namespace else "x"
        return [f"    if x is not None: out[{key}] = {value}"]
    if options == [Decimal]:
        return [f"    if x is not None: out[{key}] = str(x)"]
    if len(options) == 1 and isinstance(first, type) and issubclass(first, Enum):
        if "_scalar" not in namespace:
            return [f"    if x is not None: out[{key}] = x.value"]
        return ["    if x is not None:", "        x = x.value",
                f"        out[{key}] = x if type(x) is str else _scalar(x)"]
    if origin is list:
        (item,) = typing.get_args(first)
        if item is str:
            each = "i if type(i) is str else _other(i)"
        else:
            each = f"{_bind(name, item, encoder_of, namespace)}(i) if type(i) is _{name}_type else _other(i)"
        return [f"    if x: out[{key}] = [{each} for i in x] if type(x) is list else _other(x)"]
    if origin is dict:
        return [f"    if x: out[{key}] = _mapping(x)"]
    if len(options) == 1 and dataclasses.is_dataclass(first):
        encode = _bind(name, first, encoder_of, namespace)
        return [f"    if x is not None: out[{key}] = {encode}(x) if type(x) is _{name}_type else _other(x)"]
    if set(options) <= {date, datetime}:
        exact = "type(x) is _date or type(x) is _datetime"
        return [f"    if x is not None: out[{key}] = x.isoformat() if {exact} else _other(x)"]
    return [f"    if x is not None: out[{key}] = _other(x)"]


def _bind(name: str, tp: Any, encoder_of: Any, namespace: dict[str, Any]) -> str:
    """Put dataclass `tp` and its encoder in `namespace` for field `name`; the encoder's name there."""
    namespace[f"_{name}_type"] = tp
    if (encoder_of, tp) in _COMPILING:  # a type that contains itself: look its encoder up when called
        namespace[f"_{name}_encode"] = lambda value: encoder_of(tp)(value)
    else:
        namespace[f"_{name}_encode"] = encoder_of(tp)
    return f"_{name}_encode"


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


# `to_dict` passes a scalar of an unexpected type on as it is and encodes the rest with `_encode`, as
# it always did; `to_json` refuses whatever orjson might write differently from the standard library.
_LENIENT: dict[str, Any] = {"_other": _encode, "_mapping": _encode}
_STRICT: dict[str, Any] = {"_scalar": _plain_scalar, "_other": _refuse, "_mapping": _plain_mapping}


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
        for name in _required_optionals(tp):  # None is left out when encoding: give it back
            kwargs.setdefault(name, None)
        return tp(**kwargs)
    return _decode_scalar(tp, value)


@cache
def _required_optionals(cls: type) -> tuple[str, ...]:
    """Fields of dataclass `cls` that have no default but may be None (e.g. TaxSubtotal.rate)."""
    hints = _hints(cls)
    return tuple(f.name for f in dataclasses.fields(cls)
                 if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                 and type(None) in typing.get_args(hints[f.name]))


def _is(tp: Any, kind: type) -> bool:
    """`tp` is `kind` or a subclass: a test clock (freezegun) swaps date and datetime for subclasses,
    in the type hints or in this module, and a decoded date must stay a date either way."""
    return isinstance(tp, type) and issubclass(tp, kind)


def _decode_union(options: tuple[Any, ...], value: Any) -> Any:
    options = tuple(o for o in options if o is not type(None))
    if isinstance(value, str):
        has_datetime = any(_is(o, _REAL_DATETIME) for o in options)
        has_date = any(_is(o, _REAL_DATE) and not _is(o, _REAL_DATETIME) for o in options)
        if has_datetime and ("T" in value or not has_date):
            return _REAL_DATETIME.fromisoformat(value)
        if has_date:
            return _REAL_DATE.fromisoformat(value)
    return _decode(options[0], value)


def _decode_scalar(tp: Any, value: Any) -> Any:
    if tp is Decimal:
        return Decimal(value)
    if _is(tp, _REAL_DATETIME):
        return _REAL_DATETIME.fromisoformat(value)
    if _is(tp, _REAL_DATE):
        return _REAL_DATE.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    return value
