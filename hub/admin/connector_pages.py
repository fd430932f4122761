"""ERP connectors: health at a glance (last success, last error, queue depth, dead deliveries), the
detail with recent deliveries, and a test call (admin, operator) that is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.access import Permission
from hub.admin import security
from hub.admin.blueprint import Nav
from hub.audit.service import record_event
from hub.db import get_session, new_session, transaction
from hub.domain.errors import NotFound
from hub.domain.states import WAITING_DELIVERY_STATES, DeliveryState
from hub.erp import service as connectors_admin
from hub.erp.models import ErpConnector, OutboundDelivery
from hub.records.models import Document

WAITING = WAITING_DELIVERY_STATES
RECENT = 20


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/connectors", "connectors", connector_list)
    bp.add_url_rule("/admin/connectors/<int:connector_id>", "connector", connector_detail)
    bp.add_url_rule("/admin/connectors/<int:connector_id>/test", "connector_test", connector_test,
                    methods=["POST"])
    nav.add("Connectors", "admin.connectors", security.ALL_STAFF)


def health(session: Session, connector_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per connector: deliveries waiting and dead, the last one sent, the last error (four grouped
    queries, whatever the number of deliveries)."""
    found: dict[int, dict[str, Any]] = {i: {"waiting": 0, "dead": 0, "last_success": None,
                                            "last_error": None, "last_error_at": None}
                                        for i in connector_ids}
    if not connector_ids:
        return found
    by_connector = OutboundDelivery.connector_id.in_(connector_ids)
    for cid, state, count in session.execute(
            select(OutboundDelivery.connector_id, OutboundDelivery.state, func.count())
            .where(by_connector, OutboundDelivery.state.in_([*WAITING, DeliveryState.dead]))
            .group_by(OutboundDelivery.connector_id, OutboundDelivery.state)):
        key = "dead" if state == DeliveryState.dead else "waiting"
        found[cid][key] += count
    for cid, when in session.execute(
            select(OutboundDelivery.connector_id, func.max(OutboundDelivery.updated_at))
            .where(by_connector, OutboundDelivery.state == DeliveryState.sent)
            .group_by(OutboundDelivery.connector_id)):
        found[cid]["last_success"] = when
    latest = (select(OutboundDelivery.connector_id, func.max(OutboundDelivery.updated_at).label("at"))
              .where(by_connector, OutboundDelivery.last_error.is_not(None))
              .group_by(OutboundDelivery.connector_id).subquery())
    for cid, when, error in session.execute(
            select(OutboundDelivery.connector_id, OutboundDelivery.updated_at, OutboundDelivery.last_error)
            .join(latest, (latest.c.connector_id == OutboundDelivery.connector_id)
                  & (latest.c.at == OutboundDelivery.updated_at))):
        found[cid]["last_error"] = (error or {}).get("message") or (error or {}).get("code")
        found[cid]["last_error_at"] = when
    return found


def _connector(session: Session, connector_id: int) -> ErpConnector:
    row = session.get(ErpConnector, connector_id)
    if row is None:
        raise NotFound(f"no connector {connector_id}")
    return row


@security.allow(security.ALL_STAFF)
def connector_list() -> str:
    db = get_session()
    rows = connectors_admin.list_connectors(db)
    return render_template("admin/connectors.html", rows=rows, health=health(db, [r.id for r in rows]))


@security.allow(security.ALL_STAFF)
def connector_detail(connector_id: int) -> str:
    db = get_session()
    row = _connector(db, connector_id)
    recent = db.execute(
        select(OutboundDelivery, Document.number, Document.doc_type, Document.exchange_id)
        .join(Document, Document.id == OutboundDelivery.document_id)
        .where(OutboundDelivery.connector_id == row.id)
        .order_by(OutboundDelivery.updated_at.desc()).limit(RECENT)).all()
    shown = {k: v for k, v in (row.settings or {}).items() if k not in ("password", "token")}
    return render_template("admin/connector.html", c=row, h=health(db, [row.id])[row.id], recent=recent,
                           settings=shown, can_operate=security.may(Permission.operate))


@security.allow(security.OPERATORS)
def connector_test(connector_id: int) -> ResponseReturnValue:
    """Call the ERP's cheap health operation, outside any transaction, and audit the outcome."""
    db = get_session()
    row = _connector(db, connector_id)
    if row.key == "poll":
        flash(_("A polling ERP calls the hub; there is nothing to call."))
        return redirect(url_for("admin.connector", connector_id=connector_id))
    secret_key = current_app.config["HUB_SETTINGS"].secret_key
    connector = connectors_admin.connector_for(row, secret_key=secret_key)
    name = row.name
    db.close()
    started = datetime.now().astimezone()
    status = connector.health()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with new_session(app) as session, transaction(session):
        record_event(session, actor=security.current().actor, action="connector.tested",
                     object_type="connector", object_id=str(connector_id),
                     details={"ok": status.ok, "detail": connectors_admin.scrub_text(
                         _connector(session, connector_id), status.detail, secret_key=secret_key)[:500],
                              "latency_ms": status.latency_ms, "at": started.isoformat()})
    ms = f"{status.latency_ms:.0f}" if status.latency_ms is not None else "?"
    if status.ok:
        flash(_("%(name)s answered in %(ms)s ms.", name=name, ms=ms))
    else:
        flash(_("%(name)s did not answer well (%(ms)s ms): %(detail)s", name=name, ms=ms,
                detail=status.detail), "error")
    return redirect(url_for("admin.connector", connector_id=connector_id))
