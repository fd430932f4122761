"""The audit chain: each event's hash is an HMAC, under a key kept outside the database, over the
previous hash and the event's canonical content; checkpoints of the chain's head, keyed the same
way, are kept outside the audited table.

Chains sealed before events were keyed (plain SHA-256) stay verifiable: the first keyed event is a
marker (`KEYED_MARKER_ACTION`) that records the last unkeyed position, and only events up to it may
carry an unkeyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
KEYED_MARKER_ACTION = "audit.chain_keyed"
_CHECKPOINT_DOMAIN = b"ponte-audit-checkpoint-v1\n"  # a checkpoint MAC is never an event hash


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
    payload = {
        "at": _utc_text(record.at),
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


def _utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(record: AuditRecord, key: bytes) -> str:
    """The hash of an event: HMAC-SHA256 under the audit key over its canonical content."""
    return hmac.new(key, canonical_content(record), hashlib.sha256).hexdigest()


def legacy_hash(record: AuditRecord) -> str:
    """The unkeyed hash events carried before keying (SHA-256 over the canonical content)."""
    return hashlib.sha256(canonical_content(record)).hexdigest()


@dataclass(frozen=True)
class SealedEvent:
    """One event as stored in the chain."""

    id: int
    seq: int
    record: AuditRecord
    hash: str


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(events: Iterable[SealedEvent], key: bytes,
                 legacy_until_seq: int = 0) -> BrokenLink | None:
    """Walk sealed events in seq order; return the first broken link, or None.

    Events up to `legacy_until_seq` (from a verified keyed marker) may carry the unkeyed hash.
    """
    expected_prev = GENESIS_HASH
    for event in events:
        if event.record.prev_hash != expected_prev:
            return BrokenLink(event.id, "previous hash does not match the event before it "
                                        "(an event was removed, inserted or reordered)")
        problem = _hash_problem(event, key, legacy_until_seq)
        if problem:
            return BrokenLink(event.id, problem)
        expected_prev = event.hash
    return None


def _hash_problem(event: SealedEvent, key: bytes, legacy_until_seq: int) -> str | None:
    if event.seq <= legacy_until_seq:
        if legacy_hash(event.record) == event.hash:
            return None
        return "content does not match its (pre-keying) hash (the event was changed)"
    if hmac.compare_digest(chain_hash(event.record, key), event.hash):
        return None
    if legacy_hash(event.record) == event.hash:
        return ("hash is plain SHA-256, not keyed with the audit key (the chain was re-hashed "
                "by someone without the key)")
    return ("content does not match its keyed hash (the event was changed, or the audit key is "
            "not the one that sealed it)")


def legacy_boundary(marker: SealedEvent, key: bytes) -> int:
    """The last unkeyed position a keyed marker vouches for; 0 when it is not a genuine marker."""
    record = marker.record
    until = record.details.get("legacy_until_seq")
    genuine = (record.action == KEYED_MARKER_ACTION and isinstance(until, int)
               and until == marker.seq - 1
               and record.details.get("legacy_head_hash") == record.prev_hash
               and hmac.compare_digest(chain_hash(record, key), marker.hash))
    return until if genuine and isinstance(until, int) else 0


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one time: how many sealed events, the last position and its hash."""

    count: int
    last_seq: int
    head_hash: str
    at: datetime

    def describe(self) -> str:
        return f"checkpoint of {_utc_text(self.at)} ({self.count} events up to seq {self.last_seq})"


class CheckpointInvalid(ValueError):
    """A checkpoint line that is not well formed or whose MAC does not verify with the key."""


def checkpoint_line(checkpoint: Checkpoint, key: bytes) -> str:
    """One JSON line carrying the checkpoint and its HMAC; no newline."""
    body = _checkpoint_body(checkpoint)
    mac = hmac.new(key, _CHECKPOINT_DOMAIN + body, hashlib.sha256).hexdigest()
    return json.dumps({**json.loads(body), "mac": mac}, sort_keys=True, separators=(",", ":"))


def _checkpoint_body(checkpoint: Checkpoint) -> bytes:
    payload = {"count": checkpoint.count, "last_seq": checkpoint.last_seq,
               "head_hash": checkpoint.head_hash, "at": _utc_text(checkpoint.at)}
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def parse_checkpoint(line: str, key: bytes) -> Checkpoint:
    """The checkpoint a line carries; CheckpointInvalid when malformed or its MAC is wrong."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(count=int(data["count"]), last_seq=int(data["last_seq"]),
                                head_hash=str(data["head_hash"]),
                                at=datetime.strptime(data["at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                                .replace(tzinfo=UTC))
        mac = str(data["mac"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointInvalid(f"not a checkpoint ({exc})") from None
    expected = hmac.new(key, _CHECKPOINT_DOMAIN + _checkpoint_body(checkpoint),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        raise CheckpointInvalid("its MAC does not verify with the audit key")
    return checkpoint


def checkpoint_mismatch(checkpoint: Checkpoint, count: int, last_seq: int,
                        hash_at_its_seq: str | None) -> str | None:
    """Why the chain as it is now contradicts a checkpoint, or None when it agrees."""
    where = checkpoint.describe()
    if count == 0 and checkpoint.count > 0:
        return f"every event is gone: the {where} recorded {checkpoint.count}, the table has none"
    if count < checkpoint.count or last_seq < checkpoint.last_seq:
        return (f"tail truncated: the {where} recorded {checkpoint.count} events, the chain now "
                f"has {count} ending at seq {last_seq}")
    if hash_at_its_seq != checkpoint.head_hash:
        return (f"rewritten: the event at seq {checkpoint.last_seq} no longer has the head hash "
                f"the {where} recorded")
    return None
