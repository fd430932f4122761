"""REST: the audit trail for admins and auditors, as JSON pages or a spreadsheet-safe CSV."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, stream_with_context
from sqlalchemy import func, select

from hub.access import Permission
from hub.api.auth import require
from hub.api.params import paging
from hub.audit.service import event_as_dict, filtered
from hub.audit.web import csv_parts, request_filter
from hub.db import get_session
from hub.models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")


@bp.get("")
@require(Permission.read_audit)
def list_events() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    rows = get_session().scalars(filtered(request_filter()).limit(per_page + 1)
                                 .offset((page - 1) * per_page)).all()
    return jsonify(items=[event_as_dict(e) for e in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.get("/export.csv")
@require(Permission.read_audit)
def export() -> Response:
    """Every matching event recorded before the export began, oldest first, streamed in batches."""
    flt = request_filter()
    last = get_session().scalar(select(func.max(AuditEvent.id))) or 0
    return Response(stream_with_context(csv_parts(flt, last)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv",
                             "X-Audit-Export-Order": "oldest-first"})
