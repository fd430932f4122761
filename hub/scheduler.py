"""The in-process scheduler: one leader at a time, jobs that only call services.

Leadership: a PostgreSQL advisory lock held on a dedicated connection, or an exclusive file lock
beside the SQLite database file (`<database>.scheduler.lock`), so that whatever the working
directory, one database has one leader, and two databases have one each.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.engine import make_url

from hub.audit.anchor import anchor_of, seal_and_checkpoint
from hub.db import new_session, transaction
from hub.exchanges.processing import process_pending
from hub.ingest import pool
from hub.observability.outcomes import job_listener

log = logging.getLogger(__name__)

_LEADER_LOCK_KEY = 0x4855_4253_4348  # "HUBSCH"


class HubScheduler:
    """APScheduler with the hub's jobs, started only in the process that holds leadership."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        settings = app.config["HUB_SETTINGS"]
        self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
        self.scheduler.add_job(self._process_inbound, "interval", id="process_inbound",
                               seconds=settings.worker_poll_seconds)
        self.scheduler.add_job(self._deliver_outbox, "interval", id="deliver_outbox",
                               seconds=settings.worker_poll_seconds)
        self.scheduler.add_job(self._seal_audit, "interval", id="seal_audit", seconds=1)
        self.scheduler.add_job(self._flag_not_taken, "interval", id="mailbox_not_taken", seconds=60)
        from hub.procurement.jobs import add_jobs as add_procurement_jobs
        add_procurement_jobs(self.scheduler, app)
        from hub.invoicing.jobs import add_jobs as add_invoicing_jobs
        add_invoicing_jobs(self.scheduler, app)
        from hub.retention.jobs import add_jobs as add_retention_jobs
        add_retention_jobs(self.scheduler, app)
        from hub.routing.jobs import add_jobs as add_routing_jobs
        add_routing_jobs(self.scheduler, app)
        from hub.reconciliation.jobs import add_jobs as add_matching_jobs
        add_matching_jobs(self.scheduler, app)
        from hub.reconciliation.fetch import add_jobs as add_statement_jobs
        add_statement_jobs(self.scheduler, app)
        self.scheduler.add_listener(job_listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)

    def wake(self, job_id: str = "process_inbound") -> None:
        """Run a job now instead of at its next tick (inbound after an upload, by default)."""
        job = self.scheduler.get_job(job_id)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def wake_delivery(self) -> None:
        """Run the delivery job now (e.g. after a redeliver)."""
        self.wake("deliver_outbox")

    def _deliver_outbox(self) -> int:
        from hub.erp.delivery import DeliveryPolicy, deliver_due

        settings = self.app.config["HUB_SETTINGS"]
        policy = DeliveryPolicy.from_settings(settings)
        return deliver_due(lambda: new_session(self.app), secret_key=settings.secret_key,
                           limit=policy.batch, policy=policy)

    def _seal_audit(self) -> None:
        seal_and_checkpoint(lambda: new_session(self.app), anchor_of(self.app))

    def _flag_not_taken(self) -> int:
        from hub.exchanges.mailbox import flag_not_taken

        hours = self.app.config["HUB_SETTINGS"].mailbox_pickup_hours
        with new_session(self.app) as session, transaction(session):
            flagged = flag_not_taken(session, older_than=timedelta(hours=hours))
            return flagged

    def _process_inbound(self) -> int:
        return process_pending(lambda: new_session(self.app), settings=self.app.config["HUB_SETTINGS"])

    def stop_with_process(self) -> None:
        """The process exits: stop the jobs, and make a running one give up at once (its
        exchange goes back to the queue) rather than hold the exit up until it is done."""
        self.shutdown()
        pool.stop()


def acquire_leadership(app: Flask) -> Any | None:
    """A handle that holds leadership while it lives, or None when another process leads."""
    url = make_url(app.config["HUB_SETTINGS"].database_url)
    if url.get_backend_name() == "postgresql":
        return _pg_lock(url.set(drivername="postgresql").render_as_string(hide_password=False))
    lock_path = _sqlite_lock_path(url.database, Path(app.instance_path))
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _sqlite_lock_path(database: str | None, instance_path: Path) -> Path:
    """Beside the database file; an in-memory database is the process's own, so any path does."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return instance_path / "scheduler.lock"
    db_file = Path(database).resolve()
    return db_file.with_name(db_file.name + ".scheduler.lock")


def _pg_lock(dsn: str) -> Any | None:
    import psycopg

    conn = psycopg.connect(dsn, autocommit=True)
    got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_LEADER_LOCK_KEY,)).fetchone()
    if not got or not got[0]:
        conn.close()
        return None
    return conn


def start_scheduler(app: Flask) -> HubScheduler | None:
    """Start the scheduler if this process wins leadership; others leave the jobs to it."""
    handle = acquire_leadership(app)
    if handle is None:
        log.info("another process runs the scheduler")
        return None
    scheduler = HubScheduler(app)
    app.extensions["hub.leader_handle"] = handle
    app.extensions["hub.scheduler"] = scheduler
    scheduler.start()
    # Stop it before the interpreter shuts its thread pools down at exit (APScheduler runs jobs in
    # one): a job due in between would log "cannot schedule new futures after shutdown". The
    # threading hook runs before those pools close, which atexit handlers would not.
    # Registered last, it also runs before the job thread is joined: a running job gives up.
    threading._register_atexit(scheduler.stop_with_process)  # type: ignore[attr-defined]
    log.info("scheduler started in process %d (leader)", os.getpid())
    return scheduler
