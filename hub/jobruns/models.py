"""The job-runs table: one row per (job, slot), unique, written in the transaction of the run's effects."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, string_enum, utcnow


class JobOutcome(StrEnum):
    """How a job run ended (stored as these strings)."""

    running = "running"
    done = "done"
    failed = "failed"


class JobRun(Base):
    """One run of a job for one time slot (or one manual run), with its outcome."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot: Mapped[str] = mapped_column(String(64))  # the slot's start, ISO 8601 UTC, or "manual:<id>"
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")  # schedule | manual
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[JobOutcome] = mapped_column(string_enum(JobOutcome), default=JobOutcome.running)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
