"""Time slots of a schedule: pure, so a run's key follows from the time alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_start(at: datetime, every: timedelta) -> datetime:
    """The start of the slot of length `every` that contains `at` (slots aligned on the epoch, UTC)."""
    if at.tzinfo is None:
        raise ValueError("slot_start needs a time with its zone")
    if every <= timedelta(0):
        raise ValueError("a slot lasts a positive time")
    elapsed = at.astimezone(UTC) - EPOCH
    return EPOCH + (elapsed // every) * every


def slot_key(at: datetime, every: timedelta) -> str:
    """The slot containing `at`, written as its start in ISO 8601 UTC (the job-runs key)."""
    return slot_start(at, every).isoformat()
