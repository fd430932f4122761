"""Ids: UUID version 7, unguessable (74 random bits) and in creation order across milliseconds."""

from __future__ import annotations

import time
import uuid

from hub.models import new_id, new_ids


def test_ids_are_uuid_version_7_in_their_canonical_text() -> None:
    for _ in range(500):
        text = new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_ids_carry_their_millisecond_and_sort_by_it() -> None:
    before = time.time_ns() // 1_000_000
    first = new_id()
    time.sleep(0.002)
    second = new_id()
    assert before <= uuid.UUID(first).int >> 80 <= time.time_ns() // 1_000_000
    assert first < second


def test_ids_do_not_repeat() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)


def test_ids_made_in_bulk_are_the_same_kind_and_do_not_repeat() -> None:
    before = time.time_ns() // 1_000_000
    ids = new_ids(20_000)
    assert len(set(ids)) == len(ids) == 20_000
    for text in ids[:500]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= parsed.int >> 80 <= time.time_ns() // 1_000_000
    assert new_ids(0) == []


def test_ids_made_in_one_millisecond_still_increase_in_the_order_made() -> None:
    """A partner's mailbox pages by id: five files stored in one millisecond must list in order."""
    ids = [new_id() for _ in range(5_000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    mixed = [new_id(), *new_ids(3), new_id(), *new_ids(50), new_id(), *new_ids(1), new_id()]
    assert mixed == sorted(mixed) and len(set(mixed)) == len(mixed)
    for text in mixed:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 7 and parsed.variant == uuid.RFC_4122
