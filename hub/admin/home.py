"""The dashboard: what to act on first, each figure a link to its filtered list."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, render_template

from hub.admin import queries, security
from hub.admin.blueprint import Nav
from hub.db import get_session


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/", "dashboard", dashboard)
    nav.add("Dashboard", "admin.dashboard", security.ALL_STAFF)


def default_ack_deadline() -> timedelta:
    """HUB_ACK_DEADLINE_HOURS (24): an outbound file still awaiting its acknowledgement after this is
    overdue, unless its partner's profile sets its own `ack_deadline_hours`."""
    return timedelta(hours=current_app.config["HUB_SETTINGS"].ack_deadline_hours)


@security.allow(security.ALL_STAFF)
def dashboard() -> str:
    figures = queries.dashboard(get_session(), ack_after=default_ack_deadline())
    return render_template("admin/dashboard.html", d=figures)
