"""Purchase orders waiting for approval, each line with why it was proposed; approve or reject."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from hub.access import Permission
from hub.admin import security
from hub.admin.blueprint import Nav
from hub.db import get_session, new_session
from hub.partners.models import Partner
from hub.procurement import service

SHOWN = 50


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/purchase-orders", "orders", orders)
    bp.add_url_rule("/admin/purchase-orders/<int:order_id>/decide", "decide", decide, methods=["POST"])
    nav.add("Approvals", "admin.orders", security.ALL_STAFF)


@security.allow(security.ALL_STAFF)
def orders() -> str:
    db = get_session()
    waiting = service.list_orders(db, state="awaiting_approval", limit=SHOWN + 1)
    details = [service.order_detail(db, o["id"]) for o in waiting[:SHOWN]]
    names = dict(db.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_({o["supplier_id"] for o in details}))).all())
    return render_template("admin/orders.html", orders=details, more=len(waiting) > SHOWN, names=names,
                           can_operate=security.may(Permission.operate))


@security.allow(security.OPERATORS)
def decide(order_id: int) -> ResponseReturnValue:
    """Approve, or reject with a reason (the service refuses a reject without one)."""
    action = request.form.get("action", "")
    if action not in ("approve", "reject"):
        action = "unknown"
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    get_session().close()
    done = service.decide(lambda: new_session(app), order_id, action, actor=security.current().actor,
                          reason=request.form.get("reason", ""),
                          settings=app.config["HUB_SETTINGS"].procurement)
    flash(_("Order %(id)s is now %(state)s.", id=done["id"], state=done["state"]))
    return redirect(url_for("admin.orders"))
