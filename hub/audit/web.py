"""What the audit trail's two web views share (`GET /api/v1/audit` and the admin page
`/admin/audit`): the filter read from the query string, and the CSV export streamed in batches."""

from __future__ import annotations

from collections.abc import Iterator

from flask import request

from hub.api.params import int_arg, time_arg
from hub.audit.service import AuditFilter, export_csv, filtered
from hub.db import get_session
from hub.models import AuditEvent

EXPORT_BATCH = 2000  # events read and written per query: the export's memory does not grow with the trail


def request_filter() -> AuditFilter:
    """The audit filter the request's query string asks for (`actor`, `action`, ..., `since`, `until`)."""
    partner = request.args.get("partner_id")
    return AuditFilter(actor=request.args.get("actor"), action=request.args.get("action"),
                       object_type=request.args.get("object_type"),
                       object_id=request.args.get("object_id"),
                       partner_id=int_arg("partner_id", 0, minimum=0) if partner else None,
                       since=time_arg("since"), until=time_arg("until"))


def csv_parts(flt: AuditFilter, last: int) -> Iterator[str]:
    """The matching events up to id `last`, oldest first, as CSV text in batches (header first)."""
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
