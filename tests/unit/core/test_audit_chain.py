"""The hash chain detects a changed, removed or reordered event."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hub.domain.audit import GENESIS_HASH, AuditRecord, chain_hash, verify_chain


def _chain(n: int) -> list[tuple[int, AuditRecord, str]]:
    out, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        rec = AuditRecord(at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i), actor="a",
                          action="x", object_type="exchange", object_id=str(i), partner_id=1,
                          details={"n": i}, prev_hash=prev)
        prev = chain_hash(rec)
        out.append((i, rec, prev))
    return out


def test_intact_chain_verifies() -> None:
    assert verify_chain(_chain(5)) is None


def test_changed_content_is_found_at_its_event() -> None:
    events = _chain(5)
    i, rec, h = events[2]
    events[2] = (i, replace(rec, details={"n": 999}), h)
    broken = verify_chain(events)
    assert broken is not None and broken.event_id == 3 and "changed" in broken.reason


def test_removed_event_breaks_the_next_link() -> None:
    events = _chain(5)
    del events[1]
    broken = verify_chain(events)
    assert broken is not None and broken.event_id == 3 and "removed" in broken.reason


def test_hash_depends_on_time_zone_free_instant() -> None:
    rec = _chain(1)[0][1]
    shifted = replace(rec, at=rec.at.astimezone(datetime.now().astimezone().tzinfo))
    assert chain_hash(rec) == chain_hash(shifted)
