"""Deliveries to the ERPs by state (dead ones first of all), and redeliver behind a confirmation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from hub.access import Permission
from hub.admin import security
from hub.admin.blueprint import Nav
from hub.api.params import int_arg
from hub.db import get_session, transaction
from hub.domain.errors import NotFound
from hub.domain.states import DeliveryState
from hub.erp import service as outbox
from hub.erp.models import ErpConnector, OutboundDelivery
from hub.records.models import Document

PER_PAGE = 100


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/deliveries", "deliveries", delivery_list)
    bp.add_url_rule("/admin/deliveries/<delivery_id>/redeliver", "redeliver", redeliver_page,
                    methods=["GET", "POST"])
    nav.add("Deliveries", "admin.deliveries", security.ALL_STAFF)


@security.allow(security.ALL_STAFF)
def delivery_list() -> str:
    state = request.args.get("state") or DeliveryState.dead
    page = int_arg("page", 1)
    rows = get_session().execute(
        select(OutboundDelivery, Document.number, Document.doc_type, Document.exchange_id, ErpConnector.name)
        .join(Document, Document.id == OutboundDelivery.document_id)
        .join(ErpConnector, ErpConnector.id == OutboundDelivery.connector_id)
        .where(OutboundDelivery.state == state).order_by(OutboundDelivery.updated_at.desc())
        .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return render_template("admin/deliveries.html", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                           page=page, state=state, can_operate=security.may(Permission.operate))


@security.allow(security.OPERATORS)
def redeliver_page(delivery_id: str) -> ResponseReturnValue:
    """GET asks for confirmation; POST puts a dead delivery back in the queue."""
    db = get_session()
    delivery = db.get(OutboundDelivery, delivery_id)
    document = db.get(Document, delivery.document_id) if delivery else None
    if delivery is None or document is None:
        raise NotFound(f"no delivery {delivery_id}")
    if request.method == "GET":
        return render_template("admin/confirm.html", title=f"Redeliver {delivery_id}",
                               what=f"{document.doc_type} {document.number}, {delivery.state} after "
                                    f"{delivery.attempts} attempts",
                               back=url_for("admin.deliveries"),
                               action=url_for("admin.redeliver", delivery_id=delivery_id))
    with transaction(db):
        outbox.redeliver(db, delivery_id, actor=security.current().actor)
    what = f"{document.doc_type} {document.number}"
    flash(_("Delivery of %(doc)s queued again.", doc=what))
    return redirect(url_for("admin.deliveries"))
