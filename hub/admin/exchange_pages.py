"""Exchanges: the filtered list with search, the detail page with the faulty segment marked, and
reprocess behind a confirmation, for admins and operators only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.access import Permission
from hub.admin import home, queries, rawview, security
from hub.admin.blueprint import Nav
from hub.api.params import BadParameter, int_arg
from hub.db import get_session, new_session, transaction, utcnow
from hub.domain.errors import HubError
from hub.domain.states import DeliveryState, ExchangeState
from hub.erp import service as outbox
from hub.erp.models import OutboundDelivery
from hub.exchanges.queries import RAW_EXTENSIONS, raise_if_purged, raw_media_type
from hub.exchanges.service import ExchangeFilter, get_visible, reprocess, visible_query
from hub.partners.models import Partner
from hub.records.models import Document, Exchange

PER_PAGE = 50
BULK_MAX = 200
REPROCESSABLE = (ExchangeState.failed, ExchangeState.invalid)
FILTERS = ("partner", "direction", "syntax", "type", "state", "ack", "since", "until", "q")


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/exchanges", "exchanges", exchange_list)
    bp.add_url_rule("/admin/exchanges/bulk", "bulk", bulk_page, methods=["GET", "POST"])
    bp.add_url_rule("/admin/exchanges/<exchange_id>", "exchange", exchange_detail)
    bp.add_url_rule("/admin/exchanges/<exchange_id>/raw", "exchange_raw", exchange_raw)
    bp.add_url_rule("/admin/exchanges/<exchange_id>/reprocess", "reprocess", reprocess_page,
                    methods=["GET", "POST"])
    nav.add("Exchanges", "admin.exchanges", security.ALL_STAFF)


def _time(name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name} must be a date and time like 2026-12-01T08:00, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def _filter() -> ExchangeFilter:
    partner = int_arg("partner", 0)
    ack = request.args.get("ack") or None
    return ExchangeFilter(state=request.args.get("state") or None, doc_type=request.args.get("type") or None,
                          direction=request.args.get("direction") or None,
                          partner_id=partner or None, since=_time("since"),
                          until=_time("until"), ack_status=None if ack == "overdue" else ack)


def _selection(db: Session) -> Select[Exchange]:
    """The exchanges the list's filters select (the same for the list and its bulk actions)."""
    stmt = visible_query(security.current(), _filter())
    if request.args.get("ack") == "overdue":
        stmt = stmt.where(queries.overdue_acks(db, utcnow(), home.default_ack_deadline()))
    syntax = request.args.get("syntax")
    if syntax:
        stmt = stmt.where(Exchange.syntax == syntax)
    term = request.args.get("q", "").strip()
    if term:
        stmt = queries.search(db, stmt, term)
    return stmt


@security.allow(security.ALL_STAFF)
def exchange_list() -> str:
    db = get_session()
    stmt = _selection(db)
    after = request.args.get("after")
    rows = list(db.scalars(queries.newest_first(stmt, after).limit(PER_PAGE + 1)))
    partners = dict(db.execute(select(Partner.id, Partner.name).order_by(Partner.name).limit(500))
                    .all())
    args = {k: v for k, v in request.args.items() if k in FILTERS and v}
    following = queries.cursor_of(rows[PER_PAGE - 1]) if len(rows) > PER_PAGE else None
    return render_template("admin/exchanges.html", rows=rows[:PER_PAGE], following=following,
                           paged=bool(after), args=args, partners=partners,
                           can_operate=security.may(Permission.operate))


@security.allow(security.ALL_STAFF)
def exchange_detail(exchange_id: str) -> str:
    db = get_session()
    exchange = get_visible(db, exchange_id, security.current())
    problems = list((exchange.error or {}).get("problems") or [])
    view = rawview.raw_view(exchange.raw, exchange.syntax, problems + list(exchange.warnings or []))
    docs = list(db.scalars(select(Document).where(Document.exchange_id == exchange.id)
                           .order_by(Document.position).limit(500)))
    deliveries = outbox.deliveries_for(db, [d.id for d in docs])
    can_audit = security.may(Permission.read_audit)
    events = queries.timeline(db, "exchange", [exchange.id]) if can_audit else []
    return render_template("admin/exchange.html", x=exchange, view=view, docs=docs,
                           deliveries=deliveries, replies=queries.replies_to(db, exchange),
                           partner=db.get(Partner, exchange.partner_id), events=events,
                           can_operate=security.may(Permission.operate))


@security.allow(security.ALL_STAFF)
def exchange_raw(exchange_id: str) -> ResponseReturnValue:
    """The bytes as received, as a download no browser renders."""
    exchange = get_visible(get_session(), exchange_id, security.current())
    raise_if_purged(exchange)
    name = exchange.id + RAW_EXTENSIONS.get(exchange.syntax or "", ".bin")
    return Response(exchange.raw, mimetype=raw_media_type(exchange.content_type),
                    headers={"X-Content-Type-Options": "nosniff",
                             "Content-Disposition": f'attachment; filename="{name}"'})


@security.allow(security.OPERATORS)
def reprocess_page(exchange_id: str) -> ResponseReturnValue:
    """GET asks for confirmation; POST sends the exchange through processing again."""
    db = get_session()
    exchange = get_visible(db, exchange_id, security.current())
    if request.method == "GET":
        return render_template("admin/confirm.html", title=f"Reprocess exchange {exchange.id}",
                               what=f"{exchange.direction} {exchange.doc_type or ''} "
                                    f"{exchange.control_ref or ''}, now {exchange.state}",
                               action=url_for("admin.reprocess", exchange_id=exchange.id),
                               back=url_for("admin.exchange", exchange_id=exchange.id))
    db.close()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = reprocess(lambda: new_session(app), exchange_id, actor=security.current().actor,
                      settings=app.config["HUB_SETTINGS"])
    flash(_("Exchange reprocessed: it is now %(state)s.", state=state))
    return redirect(url_for("admin.exchange", exchange_id=exchange_id))


def _bulk_targets(db: Session, action: str) -> list[str]:
    """What a bulk action would touch in the filtered selection, oldest first, at most BULK_MAX:
    failed or invalid exchanges to reprocess, or dead deliveries of its documents to redeliver."""
    selected = _selection(db)
    if action == "reprocess":
        stmt = (selected.where(Exchange.state.in_(REPROCESSABLE)).order_by(Exchange.received_at)
                .limit(BULK_MAX))
        return [x.id for x in db.scalars(stmt)]
    ids = selected.with_only_columns(Exchange.id).order_by(None).subquery()
    return list(db.scalars(
        select(OutboundDelivery.id).join(Document, Document.id == OutboundDelivery.document_id)
        .where(Document.exchange_id.in_(select(ids.c.id)), OutboundDelivery.state == DeliveryState.dead)
        .order_by(OutboundDelivery.updated_at).limit(BULK_MAX)))


@security.allow(security.OPERATORS)
def bulk_page() -> ResponseReturnValue:
    """GET: how many the action would touch, with a confirmation; POST: do it, one item at a time, and
    say how many succeeded and which failed."""
    action = request.args.get("action", "")
    if action not in ("reprocess", "redeliver"):
        raise BadParameter("action must be reprocess or redeliver")
    db = get_session()
    targets = _bulk_targets(db, action)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in FILTERS and v}
    back = url_for("admin.exchanges", **args)
    if request.method == "GET":
        what = (_("%(n)s failed or invalid exchanges of this selection will be processed again.",
                  n=len(targets)) if action == "reprocess" else
                _("%(n)s dead deliveries of this selection will be queued again.", n=len(targets)))
        if len(targets) == BULK_MAX:
            what += " " + _("At most %(max)s at a time: repeat for the rest.", max=BULK_MAX)
        return render_template("admin/confirm.html", title=_("Bulk %(action)s", action=_(action)), what=what,
                               action=url_for("admin.bulk", action=action, **args), back=back)
    actor = security.current().actor
    failures: list[str] = []
    if action == "reprocess":
        db.close()
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        settings = app.config["HUB_SETTINGS"]
        for exchange_id in targets:
            try:
                state = reprocess(lambda: new_session(app), exchange_id, actor=actor,
                                  settings=settings)
            except HubError as exc:
                failures.append(f"{exchange_id}: {exc}")
                continue
            if state in REPROCESSABLE:
                failures.append(_("%(id)s is %(state)s again: open it to see why", id=exchange_id,
                                  state=state))
    else:
        with transaction(db):
            for delivery_id in targets:
                outbox.redeliver(db, delivery_id, actor=actor)
    flash(_("%(done)s of %(n)s done.", done=len(targets) - len(failures), n=len(targets)))
    for failure in failures[:20]:
        flash(failure, "error")
    return redirect(back)
