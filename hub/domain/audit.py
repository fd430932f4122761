"""The audit chain: each event's hash covers the previous hash and the event's canonical content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """What is hashed: everything about an event except its storage id and its own hash."""

    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    partner_id: int | None
    details: dict[str, Any]
    prev_hash: str


def canonical_content(record: AuditRecord) -> bytes:
    """A stable byte form: sorted keys, no whitespace, times in UTC with microseconds."""
    at = record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "at": at,
        "actor": record.actor,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "partner_id": record.partner_id,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def chain_hash(record: AuditRecord) -> str:
    """The hash of an event: SHA-256 over its canonical content, which includes the previous hash."""
    return hashlib.sha256(canonical_content(record)).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(events: Iterable[tuple[int, AuditRecord, str]]) -> BrokenLink | None:
    """Walk (id, record, stored hash) in id order; return the first broken link, or None."""
    expected_prev = GENESIS_HASH
    for event_id, record, stored_hash in events:
        if record.prev_hash != expected_prev:
            return BrokenLink(event_id, "previous hash does not match the event before it "
                                        "(an event was removed, inserted or reordered)")
        if chain_hash(record) != stored_hash:
            return BrokenLink(event_id, "content does not match its hash (the event was changed)")
        expected_prev = stored_hash
    return None
