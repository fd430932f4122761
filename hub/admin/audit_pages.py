"""The audit log: filters as in the API, newest first, each event linked to its object, CSV export,
and the hash-chain verification (run by an admin, its last result shown to every reader)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from hub.admin import chain, queries, security
from hub.admin.blueprint import Nav
from hub.api.params import int_arg
from hub.audit import service as audit
from hub.audit.anchor import anchor_of
from hub.audit.web import csv_parts, request_filter  # the same filters and export as GET /api/v1/audit
from hub.db import get_session, new_session
from hub.models import AuditEvent

PER_PAGE = 100
FILTERS = ("actor", "action", "object_type", "object_id", "partner_id", "since", "until")
# where an event's object has a page
OBJECT_PAGES = {"exchange": ("admin.exchange", "exchange_id"),
                "purchase_order": ("admin.orders", None)}


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/audit", "audit", audit_log)
    bp.add_url_rule("/admin/audit/export.csv", "audit_export", audit_export)
    bp.add_url_rule("/admin/audit/verify", "audit_verify", audit_verify, methods=["POST"])
    nav.add("Audit log", "admin.audit", security.AUDIT_READERS)


def object_link(event: AuditEvent) -> str | None:
    """The page of the event's object, when it has one."""
    page = OBJECT_PAGES.get(event.object_type)
    if page is None:
        return None
    endpoint, arg = page
    return url_for(endpoint, exchange_id=event.object_id) if arg else url_for(endpoint)


@security.allow(security.AUDIT_READERS)
def audit_log() -> str:
    db = get_session()
    stmt = _filter_stmt()
    before = int_arg("before", 0)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    rows = list(db.scalars(stmt.limit(PER_PAGE + 1)))
    args = {k: v for k, v in request.args.items() if k in FILTERS and v}
    return render_template("admin/audit.html", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                           args=args, link=object_link, last=queries.last_verification(db))


def _filter_stmt():
    return audit.filtered(request_filter()).order_by(None).order_by(AuditEvent.id.desc())


@security.allow(security.AUDIT_READERS)
def audit_export() -> ResponseReturnValue:
    """The filtered events as spreadsheet-safe CSV, oldest first, streamed."""
    last = get_session().scalar(select(func.max(AuditEvent.id))) or 0
    return Response(stream_with_context(csv_parts(request_filter(), last)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


@security.allow(security.ADMINS)
def audit_verify() -> ResponseReturnValue:
    """Seal what is pending, check the chain and its checkpoints, and record the outcome as an event."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    get_session().close()
    verdict = chain.verify_and_record(lambda: new_session(app), anchor_of(app), security.current().actor)
    flash(_("Audit trail verified: %(n)s events, %(c)s checkpoints agree.", n=verdict.checked,
            c=verdict.checkpoints)
          if not verdict.findings else _("Audit trail NOT intact:") + " " + "; ".join(verdict.findings[:3]))
    return redirect(url_for("admin.audit"))
