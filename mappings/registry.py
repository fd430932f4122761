"""Which mapping reads or writes a message, for every syntax: looked up by (syntax, message, version,
direction, partner).

A partner-specific entry beats a version-specific one, which beats the generic one, so a partner
whose difference data cannot express gets its own mapping without touching the generic one.
EDIFACT (`mappings.edifact.registry`: message type and directory) and UBL (`mappings.ubl`: root
element and UBL version) both register here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INBOUND = "in"
OUTBOUND = "out"


@dataclass(frozen=True)
class MessageMapping:
    """The parse and render functions of one message mapping."""

    message_type: str
    parse: Callable[..., Any]
    render: Callable[..., Any]
    name: str


Key = tuple[str, str, str | None, str, str | None]  # syntax, message, version, direction, partner
_REGISTRY: dict[Key, MessageMapping] = {}


def register(syntax: str, mapping: MessageMapping, *, directions: tuple[str, ...] = (INBOUND, OUTBOUND),
             version: str | None = None, partner: str | None = None) -> None:
    """Register `mapping` for its message in `syntax`, optionally only for a version and/or a partner."""
    for direction in directions:
        _REGISTRY[(syntax, mapping.message_type.upper(), version, direction, partner)] = mapping


def unregister(syntax: str, message: str, *, direction: str, version: str | None = None,
               partner: str | None = None) -> None:
    _REGISTRY.pop((syntax, message.upper(), version, direction, partner), None)


def find(syntax: str, message: str, version: str | None, direction: str = INBOUND,
         partner: str | None = None) -> MessageMapping | None:
    """The most specific mapping, or None."""
    mtype = message.upper()
    for key in ((syntax, mtype, version, direction, partner), (syntax, mtype, None, direction, partner),
                (syntax, mtype, version, direction, None), (syntax, mtype, None, direction, None)):
        found = _REGISTRY.get(key)
        if found is not None:
            return found
    return None


def has_partner_mappings(syntax: str, partner: str) -> bool:
    """Whether any mapping of `syntax` is registered for this partner alone."""
    return any(key[0] == syntax and key[4] == partner for key in _REGISTRY)


def messages(syntax: str) -> list[str]:
    """The messages of `syntax` with a generic mapping."""
    return sorted({key[1] for key in _REGISTRY if key[0] == syntax and key[4] is None})
