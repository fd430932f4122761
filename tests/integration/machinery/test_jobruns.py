"""Job runs: one run per (job, slot), even when two schedulers or a manual run race for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select

from hub.db import new_session
from hub.jobruns.models import JobRun
from hub.jobruns.service import claim_slot, run_in_slot, runs
from hub.jobruns.slots import slot_key, slot_start
from hub.numbering.models import NumberSeries

HOUR = timedelta(hours=1)


def test_slots_are_aligned_and_need_a_zone() -> None:
    at = datetime(2026, 12, 2, 10, 59, 59, tzinfo=UTC)
    assert slot_start(at, HOUR) == datetime(2026, 12, 2, 10, tzinfo=UTC)
    sao_paulo = datetime(2026, 12, 2, 7, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("America/Sao_Paulo"))
    assert slot_key(sao_paulo, timedelta(days=1)) == "2026-12-02T00:00:00+00:00"
    with pytest.raises(ValueError):
        slot_start(datetime(2026, 12, 2), HOUR)


def _effect(session: Any, run: JobRun) -> dict[str, Any]:
    session.add(NumberSeries(key=f"effect:{run.slot}", prefix="", padding=0, next_value=1))
    return {"made": 1}


def _effects(app: Flask) -> int:
    with new_session(app) as session:
        return int(session.scalar(select(func.count()).select_from(NumberSeries)) or 0)


def test_the_same_slot_runs_once_and_the_next_slot_runs_again(app: Flask) -> None:
    with freeze_time("2026-12-02 10:15:00+00:00"):
        for _ in range(2):
            with new_session(app) as session:
                run_in_slot(session, "replenish", datetime.now(UTC), HOUR, _effect)
                session.commit()
    with freeze_time("2026-12-02 11:00:01+00:00"), new_session(app) as session:
        assert run_in_slot(session, "replenish", datetime.now(UTC), HOUR, _effect) is not None
        session.commit()
    assert _effects(app) == 2
    with new_session(app) as session:
        assert [r.slot for r in runs(session, "replenish")] == [
            "2026-12-02T11:00:00+00:00", "2026-12-02T10:00:00+00:00"]
        assert all(r.outcome == "done" and r.details == {"made": 1} for r in runs(session, "replenish"))


def test_a_run_that_rolls_back_frees_its_slot(app: Flask) -> None:
    with new_session(app) as session:
        assert claim_slot(session, "reconcile", "2026-12-02T10:00:00+00:00") is not None
        session.rollback()
    with new_session(app) as session:
        assert claim_slot(session, "reconcile", "2026-12-02T10:00:00+00:00") is not None
        session.commit()
    with new_session(app) as session:
        assert claim_slot(session, "reconcile", "2026-12-02T10:00:00+00:00") is None


def test_racing_runners_produce_one_set_of_effects(app: Flask) -> None:
    at = datetime(2026, 12, 2, 10, 5, tzinfo=UTC)
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []

    def runner() -> None:
        barrier.wait()
        with new_session(app) as session:
            try:
                outcomes.append(run_in_slot(session, "replenish", at, HOUR, _effect) is not None)
                session.commit()
            except Exception:
                session.rollback()
                outcomes.append(False)

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, False, False, True]
    assert _effects(app) == 1
