"""Claim a job's slot in the caller's transaction, so two schedulers (or a manual run beside a
scheduled one) still produce one set of effects: the second claim of a slot fails on the unique key,
and a run that rolls back frees its slot for the next attempt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import insert_unless_present, utcnow
from hub.jobruns.models import JobOutcome, JobRun
from hub.jobruns.slots import slot_key as slot_key


def claim_slot(session: Session, job: str, slot: str, *, trigger: str = "schedule") -> JobRun | None:
    """The new run of job for slot, or None when the slot is already taken (run, or running elsewhere)."""
    if not insert_unless_present(session, JobRun, {
            "job": job, "slot": slot, "trigger": trigger, "details": {}, "outcome": JobOutcome.running,
            "started_at": utcnow()}):
        return None
    return session.scalars(select(JobRun).where(JobRun.job == job, JobRun.slot == slot)).one()


def finish(run: JobRun, *, outcome: JobOutcome = JobOutcome.done, **details: Any) -> None:
    """Record the run's end and what it did (in the same transaction as its effects)."""
    run.outcome = outcome
    run.finished_at = utcnow()
    run.details = {**(run.details or {}), **details}


def run_in_slot(session: Session, job: str, at: datetime, every: timedelta,
                effect: Callable[[Session, JobRun], dict[str, Any]]) -> JobRun | None:
    """Run effect once for the slot containing `at`: claim, act, record; None when already claimed.

    The caller owns the transaction and commits it (effects, the run row and its outcome together).
    """
    run = claim_slot(session, job, slot_key(at, every))
    if run is None:
        return None
    finish(run, **effect(session, run))
    return run


def run_json(run: JobRun) -> dict[str, Any]:
    """A run as the APIs list it."""
    return {"id": run.id, "slot": run.slot, "trigger": run.trigger, "outcome": run.outcome,
            "started_at": run.started_at.isoformat(), "details": run.details}


def runs(session: Session, job: str, limit: int = 50) -> list[JobRun]:
    """The latest runs of job, newest first."""
    return list(session.scalars(select(JobRun).where(JobRun.job == job)
                                .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))
