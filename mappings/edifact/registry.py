"""Which EDIFACT mapping handles a message: (message type, directory, direction, partner), in the
registry every syntax shares (`mappings.registry`, where the directory is the version).

A partner-specific entry beats a directory-specific one, which beats the generic one, so a partner
whose difference data cannot express gets its own module without touching the generic mapping.
"""

from __future__ import annotations

from types import ModuleType

from hub.domain.errors import Problem, UnsupportedContent
from mappings import registry as shared
from mappings.edifact import desadv, invoic, invrpt, ordchg, orders, ordrsp, pricat, remadv
from mappings.registry import INBOUND, OUTBOUND, MessageMapping

__all__ = ["INBOUND", "OUTBOUND", "MessageMapping", "has_partner_mappings", "lookup", "register",
           "supported", "unregister"]

SYNTAX = "edifact"


def mapping_of(module: ModuleType) -> MessageMapping:
    """Wrap a module that has MESSAGE_TYPE, parse and render."""
    return MessageMapping(module.MESSAGE_TYPE, module.parse, module.render, module.__name__)


def register(mapping: MessageMapping | ModuleType, *, directions: tuple[str, ...] = (INBOUND, OUTBOUND),
             directory: str | None = None, partner: str | None = None) -> None:
    """Register a mapping for its message type, optionally only for a directory and/or a partner."""
    m = mapping if isinstance(mapping, MessageMapping) else mapping_of(mapping)
    shared.register(SYNTAX, m, directions=directions, version=directory, partner=partner)


def unregister(message_type: str, *, direction: str, directory: str | None = None,
               partner: str | None = None) -> None:
    """Remove one entry (tests, or a partner going back to the generic mapping)."""
    shared.unregister(SYNTAX, message_type, direction=direction, version=directory, partner=partner)


def lookup(message_type: str, directory: str | None, direction: str = INBOUND,
           partner: str | None = None) -> MessageMapping:
    """The most specific mapping; UnsupportedContent naming the message type when there is none."""
    found = shared.find(SYNTAX, message_type, directory, direction, partner)
    if found is not None:
        return found
    problem = Problem(code="UNKNOWN_MESSAGE_TYPE", segment_tag="UNH", element="S009/0065",
                      message=f"no mapping for message type {message_type} {directory or ''}".strip())
    raise UnsupportedContent(problem.message, problems=[problem])


def has_partner_mappings(partner: str) -> bool:
    """Whether any mapping is registered for this partner alone."""
    return shared.has_partner_mappings(SYNTAX, partner)


def supported() -> list[str]:
    """The message types with a generic mapping."""
    return shared.messages(SYNTAX)


for _module in (orders, ordrsp, desadv, invoic, remadv, pricat, invrpt, ordchg):
    register(_module)
