"""REST: the audit trail for admins and auditors, as JSON pages or a spreadsheet-safe CSV."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from hub.api.auth import require
from hub.api.params import int_arg, paging, time_arg
from hub.db import get_session
from hub.services.audit import AuditFilter, event_as_dict, export_csv, filtered

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")

CSV_MAX_ROWS = 100_000


def _filter() -> AuditFilter:
    partner = request.args.get("partner_id")
    return AuditFilter(actor=request.args.get("actor"), action=request.args.get("action"),
                       object_type=request.args.get("object_type"),
                       object_id=request.args.get("object_id"),
                       partner_id=int_arg("partner_id", 0, minimum=0) if partner else None,
                       since=time_arg("since"), until=time_arg("until"))


@bp.get("")
@require(lambda p: p.can_read_audit(), what="an admin or auditor token")
def list_events() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    rows = get_session().scalars(filtered(_filter()).limit(per_page + 1)
                                 .offset((page - 1) * per_page)).all()
    return jsonify(items=[event_as_dict(e) for e in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.get("/export.csv")
@require(lambda p: p.can_read_audit(), what="an admin or auditor token")
def export() -> Response:
    rows = get_session().scalars(filtered(_filter()).limit(CSV_MAX_ROWS)).all()
    return Response(export_csv(list(rows)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
