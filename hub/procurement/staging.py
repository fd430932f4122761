"""The replenishment run on SQLite: stage, then show.

SQLite has one write lock for the whole database, and a run that held it while it read and decided
would block every upload for that long. So on SQLite a run
1. takes the replenishment lease (a row: a second run waits for it, or takes over the lease of a run
   that died), and removes what dead runs left staged;
2. plans in a read transaction (WAL: readers block no writer);
3. writes its proposals to `replenishment_staged_lines` in short transactions, which nobody reads;
4. in one short write transaction claims its (job, slot) key, moves the staged lines onto the
   suppliers' drafts with one INSERT ... SELECT per supplier, and submits the drafts.
Nothing of a run is visible before step 4 commits; a run that dies before leaves only staged rows,
removed by the next run. On PostgreSQL the run stays one transaction under its advisory lock.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from hub.bulk import insert_values
from hub.db import insert_unless_present, new_id, transaction, utcnow
from hub.jobruns.models import JobRun
from hub.jobruns.service import claim_slot
from hub.procurement import replenishment
from hub.procurement.domain import Proposal
from hub.procurement.models import PurchaseOrderLine, RunLease, StagedLine
from hub.procurement.replenishment import RunReport
from hub.procurement.settings import ProcurementSettings

SessionFactory = Callable[[], Session]
LEASE = "replenish"
STALE_AFTER = timedelta(minutes=15)  # a lease not renewed this long belongs to a dead run
WAIT_SECONDS = 600.0  # how long a second run waits for the first before it gives up
STAGE_CHUNK = 5000  # staged lines per transaction: each holds the write lock for a few ms


class RunBusy(Exception):
    """Another run held the lease for longer than a run may wait."""


def run(sessions: SessionFactory, *, today: date, settings: ProcurementSettings, slot: str, trigger: str,
        actor: str, wait: float | None = None) -> tuple[RunReport | None, int | None]:
    """One staged run: (its report, its job-run id), or (None, None) when its slot was taken meanwhile;
    RunBusy when another run keeps the lease longer than `wait` seconds (default WAIT_SECONDS)."""
    token = new_id()
    _take_lease(sessions, token, WAIT_SECONDS if wait is None else wait)
    try:
        _clean(sessions, keep=token)
        with sessions() as session:
            report, item_ids, units = replenishment.plan(session, today)
            session.rollback()  # end the read transaction before writing
        groups = _stage(sessions, token, report.proposals, item_ids, units)
        with sessions() as session, transaction(session):
            job_run = claim_slot(session, replenishment.JOB, slot, trigger=trigger)
            if job_run is None:
                session.rollback()
                _clean(sessions, keep=None)
                return None, None
            by_order = _move(session, token, groups, job_run)
            replenishment.publish(session, report, by_order, settings=settings, job_run=job_run, actor=actor)
            return report, job_run.id
    finally:
        _give_back(sessions, token)


def _take_lease(sessions: SessionFactory, token: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        with sessions() as session, transaction(session):
            now = utcnow()
            stale = (RunLease.name == LEASE, RunLease.since < now - STALE_AFTER)
            session.execute(delete(RunLease).where(*stale))
            taken = insert_unless_present(session, RunLease, {"name": LEASE, "token": token, "since": now})
        if taken:
            return
        if time.monotonic() >= deadline:
            raise RunBusy(f"another replenishment run has held the lease for more than {wait:.0f} s")
        time.sleep(0.2)


def _give_back(sessions: SessionFactory, token: str) -> None:
    with sessions() as session, transaction(session):
        session.execute(delete(RunLease).where(RunLease.name == LEASE, RunLease.token == token))


def _clean(sessions: SessionFactory, *, keep: str | None) -> None:
    """Remove every staged line but those of `keep`: whoever staged them is gone (we hold the lease)."""
    with sessions() as session, transaction(session):
        query = delete(StagedLine)
        session.execute(query if keep is None else query.where(StagedLine.token != keep))


def _stage(sessions: SessionFactory, token: str, proposals: list[Proposal], item_ids: dict[str, int],
           units: dict[str, str]) -> dict[tuple[int, str], list[Proposal]]:
    """Write the proposals in chunks, each its own transaction (renewing the lease); them by group."""
    groups: dict[tuple[int, str], list[Proposal]] = defaultdict(list)
    rows = []
    for p in proposals:
        group = groups[(p.supplier_id, p.currency)]
        group.append(p)
        rows.append((token, p.supplier_id, p.currency, len(group), item_ids[p.sku], p.location,
                     str(p.quantity), units[p.sku], str(p.unit_price), p.supplier_sku,
                     json.dumps(p.explanation)))
    for start in range(0, len(rows), STAGE_CHUNK):
        with sessions() as session, transaction(session):
            insert_values(session, StagedLine, STAGED_COLUMNS, rows[start:start + STAGE_CHUNK])
            session.execute(update(RunLease).where(RunLease.name == LEASE, RunLease.token == token)
                            .values(since=utcnow()))
    return groups


STAGED_COLUMNS = ("token", "supplier_id", "currency", "seq", "item_id", "location", "quantity", "unit",
                  "unit_price", "supplier_sku", "explanation")


def _move(session: Session, token: str, groups: dict[tuple[int, str], list[Proposal]], job_run: JobRun
          ) -> dict[int, list[Proposal]]:
    """Put the staged lines on each supplier's draft (one INSERT ... SELECT each), then drop them."""
    drafts = replenishment.open_drafts(session)
    moved: dict[int, list[Proposal]] = {}
    staged = StagedLine
    for (supplier_id, currency), proposals in groups.items():
        order = drafts.get((supplier_id, currency)) or replenishment.new_draft(
            session, supplier_id, currency, job_run)
        start = session.scalar(select(func.coalesce(func.max(PurchaseOrderLine.line_no), 0))
                               .where(PurchaseOrderLine.order_id == order.id)) or 0
        chosen = select(literal(order.id), staged.seq + start, staged.item_id, staged.location,
                        staged.quantity, staged.unit, staged.unit_price, staged.supplier_sku, literal("open"),
                        literal(0), literal(0), staged.explanation).where(
            staged.token == token, staged.supplier_id == supplier_id, staged.currency == currency)
        session.execute(insert(PurchaseOrderLine).from_select(list(replenishment.LINE_COLUMNS), chosen))
        moved[order.id] = proposals
    session.execute(delete(StagedLine).where(StagedLine.token == token))
    return moved
