"""REST: the audit trail for admins and auditors, as JSON pages or a spreadsheet-safe CSV."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from sqlalchemy import func, select

from hub.access import Permission
from hub.api.auth import require
from hub.api.params import int_arg, paging, time_arg
from hub.audit.models import AuditEvent
from hub.audit.service import AuditFilter, event_as_dict, export_csv, filtered
from hub.db import get_session

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")

EXPORT_BATCH = 2000  # events read and written per query: the export's memory does not grow with the trail


def _filter() -> AuditFilter:
    partner = request.args.get("partner_id")
    return AuditFilter(actor=request.args.get("actor"), action=request.args.get("action"),
                       object_type=request.args.get("object_type"),
                       object_id=request.args.get("object_id"),
                       partner_id=int_arg("partner_id", 0, minimum=0) if partner else None,
                       since=time_arg("since"), until=time_arg("until"))


@bp.get("")
@require(Permission.read_audit)
def list_events() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    rows = get_session().scalars(filtered(_filter()).limit(per_page + 1)
                                 .offset((page - 1) * per_page)).all()
    return jsonify(items=[event_as_dict(e) for e in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.get("/export.csv")
@require(Permission.read_audit)
def export() -> Response:
    """Every matching event recorded before the export began, oldest first, streamed in batches."""
    flt = _filter()
    last = get_session().scalar(select(func.max(AuditEvent.id))) or 0
    return Response(stream_with_context(_csv_parts(flt, last)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv",
                             "X-Audit-Export-Order": "oldest-first"})


def _csv_parts(flt: AuditFilter, last: int) -> Iterator[str]:
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
