"""Which mapping handles a message: looked up by (message type, directory, direction, partner).

A partner-specific entry beats a directory-specific one, which beats the generic one, so a partner
whose difference data cannot express gets its own module without touching the generic mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hub.domain.errors import Problem, UnsupportedContent
from mappings.edifact import desadv, invoic, invrpt, ordchg, orders, ordrsp, pricat, remadv

INBOUND = "in"
OUTBOUND = "out"


@dataclass(frozen=True)
class MessageMapping:
    """The parse and render functions of one message mapping."""

    message_type: str
    parse: Callable[..., Any]
    render: Callable[..., Any]
    name: str

    @classmethod
    def of(cls, module: ModuleType) -> MessageMapping:
        """Wrap a module that has MESSAGE_TYPE, parse and render."""
        return cls(module.MESSAGE_TYPE, module.parse, module.render, module.__name__)


_Key = tuple[str, str | None, str, str | None]
_REGISTRY: dict[_Key, MessageMapping] = {}


def register(mapping: MessageMapping | ModuleType, *, directions: tuple[str, ...] = (INBOUND, OUTBOUND),
             directory: str | None = None, partner: str | None = None) -> None:
    """Register a mapping for its message type, optionally only for a directory and/or a partner."""
    m = mapping if isinstance(mapping, MessageMapping) else MessageMapping.of(mapping)
    for direction in directions:
        _REGISTRY[(m.message_type.upper(), directory, direction, partner)] = m


def unregister(message_type: str, *, direction: str, directory: str | None = None,
               partner: str | None = None) -> None:
    """Remove one entry (tests, or a partner going back to the generic mapping)."""
    _REGISTRY.pop((message_type.upper(), directory, direction, partner), None)


def lookup(message_type: str, directory: str | None, direction: str = INBOUND,
           partner: str | None = None) -> MessageMapping:
    """The most specific mapping; UnsupportedContent naming the message type when there is none."""
    mtype = message_type.upper()
    for key in ((mtype, directory, direction, partner), (mtype, None, direction, partner),
                (mtype, directory, direction, None), (mtype, None, direction, None)):
        found = _REGISTRY.get(key)
        if found is not None:
            return found
    problem = Problem(code="UNKNOWN_MESSAGE_TYPE", segment_tag="UNH", element="S009/0065",
                      message=f"no mapping for message type {message_type} {directory or ''}".strip())
    raise UnsupportedContent(problem.message, problems=[problem])


def has_partner_mappings(partner: str) -> bool:
    """Whether any mapping is registered for this partner alone."""
    return any(key[3] == partner for key in _REGISTRY)


def supported() -> list[str]:
    """The message types with a generic mapping."""
    return sorted({k[0] for k in _REGISTRY if k[3] is None})


for _module in (orders, ordrsp, desadv, invoic, remadv, pricat, invrpt, ordchg):
    register(_module)
