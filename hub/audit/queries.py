"""What others read of the audit trail: its key and verification (re-exported from `anchor`), and the
trail as the REST API and the admin pages filter and export it (a request's filters, the CSV in parts)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import request

from hub.api.params import int_arg, time_arg
from hub.audit.anchor import AuditAnchor as AuditAnchor
from hub.audit.anchor import TrailVerdict as TrailVerdict
from hub.audit.anchor import anchor_of as anchor_of
from hub.audit.anchor import verify_trail as verify_trail
from hub.audit.models import AuditEvent
from hub.audit.service import AuditFilter, export_csv, filtered
from hub.db import get_session

EXPORT_BATCH = 2000  # events read and written per query: the export's memory does not grow with the trail


def request_filter() -> AuditFilter:
    """The filters of the current request's query string (actor, action, object, partner, since, until)."""
    partner = request.args.get("partner_id")
    return AuditFilter(actor=request.args.get("actor"), action=request.args.get("action"),
                       object_type=request.args.get("object_type"),
                       object_id=request.args.get("object_id"),
                       partner_id=int_arg("partner_id", 0, minimum=0) if partner else None,
                       since=time_arg("since"), until=time_arg("until"))


def csv_parts(flt: AuditFilter, last: int) -> Iterator[str]:
    """The CSV of the events matching `flt` up to id `last`, oldest first, a batch at a time."""
    yield export_csv([])
    after = 0
    while after < last:
        session = get_session()
        batch = session.scalars(filtered(flt).where(AuditEvent.id > after, AuditEvent.id <= last)
                                .limit(EXPORT_BATCH)).all()
        if not batch:
            return
        part, after = export_csv(batch, header=False), batch[-1].id
        session.close()  # no transaction held open while a slow client reads; identity map emptied
        yield part
