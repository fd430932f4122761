"""The keyed hash chain detects a changed, removed or reordered event, a chain re-hashed without
the key, and a checkpoint that was edited or that the chain no longer matches."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hub.domain.audit import (
    GENESIS_HASH,
    KEYED_MARKER_ACTION,
    AuditRecord,
    Checkpoint,
    CheckpointInvalid,
    SealedEvent,
    chain_hash,
    checkpoint_line,
    checkpoint_mismatch,
    legacy_boundary,
    legacy_hash,
    parse_checkpoint,
    verify_chain,
)

KEY = b"k" * 32


def _chain(n: int, *, legacy: int = 0, key: bytes = KEY) -> list[SealedEvent]:
    """n events; the first `legacy` hashed unkeyed and followed by a genuine keyed marker."""
    out, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        details: dict[str, object] = {"n": seq}
        action = "x"
        if legacy and seq == legacy + 1:
            action, details = KEYED_MARKER_ACTION, {"legacy_until_seq": legacy,
                                                    "legacy_head_hash": prev}
        rec = AuditRecord(at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seq), actor="a",
                          action=action, object_type="exchange", object_id=str(seq), partner_id=1,
                          details=details, prev_hash=prev)
        prev = legacy_hash(rec) if seq <= legacy else chain_hash(rec, key)
        out.append(SealedEvent(seq, seq, rec, prev))
    return out


def test_intact_chain_verifies() -> None:
    assert verify_chain(_chain(5), KEY) is None


def test_the_hash_is_an_hmac_under_the_key() -> None:
    rec = _chain(1)[0].record
    assert chain_hash(rec, KEY) != chain_hash(rec, b"j" * 32) != legacy_hash(rec)


def test_changed_content_is_found_at_its_event() -> None:
    events = _chain(5)
    events[2] = replace(events[2], record=replace(events[2].record, details={"n": 999}))
    broken = verify_chain(events, KEY)
    assert broken is not None and broken.event_id == 3 and "changed" in broken.reason


def test_removed_event_breaks_the_next_link() -> None:
    events = _chain(5)
    del events[1]
    broken = verify_chain(events, KEY)
    assert broken is not None and broken.event_id == 3 and "removed" in broken.reason


def test_a_chain_rehashed_without_the_key_is_named_so() -> None:
    broken = verify_chain(_chain(4, legacy=4), KEY)  # all unkeyed, no marker vouching for them
    assert broken is not None and broken.event_id == 1 and "plain SHA-256" in broken.reason


def test_another_key_breaks_the_first_event() -> None:
    broken = verify_chain(_chain(3), b"j" * 32)
    assert broken is not None and broken.event_id == 1 and "audit key" in broken.reason


def test_unkeyed_events_pass_only_up_to_a_genuine_marker() -> None:
    events = _chain(6, legacy=3)
    until = legacy_boundary(events[3], KEY)
    assert until == 3 and verify_chain(events, KEY, until) is None
    assert legacy_boundary(events[3], b"j" * 32) == 0  # a marker made without the key is no marker
    late = _chain(6, legacy=5)  # unkeyed beyond the boundary the first marker set
    broken = verify_chain(late, KEY, 3)
    assert broken is not None and broken.event_id == 4


def test_hash_depends_on_time_zone_free_instant() -> None:
    rec = _chain(1)[0].record
    shifted = replace(rec, at=rec.at.astimezone(datetime.now().astimezone().tzinfo))
    assert chain_hash(rec, KEY) == chain_hash(shifted, KEY)


CHECKPOINT = Checkpoint(count=6, last_seq=6, head_hash="ab" * 32,
                        at=datetime(2026, 1, 1, 12, tzinfo=UTC))


def test_a_checkpoint_line_round_trips_and_refuses_edits_and_other_keys() -> None:
    line = checkpoint_line(CHECKPOINT, KEY)
    assert parse_checkpoint(line, KEY) == CHECKPOINT
    with pytest.raises(CheckpointInvalid, match="MAC"):
        parse_checkpoint(line.replace('"count":6', '"count":60'), KEY)
    with pytest.raises(CheckpointInvalid, match="MAC"):
        parse_checkpoint(line, b"j" * 32)
    with pytest.raises(CheckpointInvalid, match="not a checkpoint"):
        parse_checkpoint("{}", KEY)


@pytest.mark.parametrize(("count", "last_seq", "hash_at", "expected"), [
    (6, 6, "ab" * 32, None),
    (9, 9, "ab" * 32, None),
    (0, 0, None, "every event is gone"),
    (4, 4, None, "tail truncated"),
    (6, 6, "cd" * 32, "rewritten: the event at seq 6"),
])
def test_the_chain_is_compared_with_a_checkpoint(count: int, last_seq: int, hash_at: str | None,
                                                 expected: str | None) -> None:
    found = checkpoint_mismatch(CHECKPOINT, count, last_seq, hash_at)
    assert found == expected if expected is None else expected in (found or "")
