"""Reconciliation's screens: the exceptions queue (each waiting payment with its best suggestions,
their scores and reasons; confirm one, match by hand, split, reject), the payments already matched
(undo a match, or a credit applied) and partners' open credit (apply it to invoices). Every action goes
through reconciliation's service, which audits it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hub.access import Permission
from hub.admin import security
from hub.admin.blueprint import Nav
from hub.api.params import amount_of, int_arg
from hub.db import get_session, new_session
from hub.domain.errors import HubError, ValidationError
from hub.reconciliation import queries, service

PER_PAGE = 50


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/reconciliation", "reconciliation", queue)
    bp.add_url_rule("/admin/reconciliation/matched", "reconciliation_matched", matched)
    bp.add_url_rule("/admin/reconciliation/payments/<int:entry_id>/act", "reconciliation_act", act,
                    methods=["POST"])
    bp.add_url_rule("/admin/reconciliation/matches/<int:match_id>/act", "reconciliation_match_act",
                    match_act, methods=["POST"])
    bp.add_url_rule("/admin/reconciliation/credits", "reconciliation_credits", credits)
    bp.add_url_rule("/admin/reconciliation/credits/apply", "reconciliation_credit_apply", credit_apply,
                    methods=["POST"])
    nav.add("Payments", "admin.reconciliation", security.ALL_STAFF)


def _sessions() -> Any:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    get_session().close()
    return lambda: new_session(app)


@security.allow(security.ALL_STAFF)
def queue() -> str:
    page = int_arg("page", 1)
    rows = queries.exceptions(_sessions(), limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render_template("admin/reconciliation.html", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                           page=page, can_operate=security.may(Permission.operate))


@security.allow(security.ALL_STAFF)
def matched() -> str:
    page = int_arg("page", 1)
    rows = queries.matched_payments(_sessions(), limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render_template("admin/reconciliation_matched.html", rows=rows[:PER_PAGE],
                           more=len(rows) > PER_PAGE, page=page, can_operate=security.may(Permission.operate))


@security.allow(security.ALL_STAFF)
def credits() -> str:
    return render_template("admin/reconciliation_credits.html", rows=service.credits(_sessions()),
                           can_operate=security.may(Permission.operate))


def _credit_parts(text: str) -> list[tuple[Any, Decimal | None]]:
    """`INV-1=100.00` or `INV-1` (as much as is open and left) per line."""
    parts: list[tuple[Any, Decimal | None]] = []
    for n, line in enumerate(t for t in text.splitlines() if t.strip()):
        invoice, sep, amount = line.partition("=")
        parts.append((invoice.strip(), _amount(amount, f"line {n + 1}") if sep and amount.strip() else None))
    if not parts:
        raise ValidationError(_("write one invoice (or invoice=amount) per line"))
    return parts


@security.allow(security.OPERATORS)
def credit_apply() -> ResponseReturnValue:
    """Spend a partner's open credit on its invoices."""
    try:
        done = service.apply_credit(_sessions(), _credit_parts(request.form.get("parts", "")),
                                    actor=security.current().actor)
    except HubError as exc:
        flash(_("Credit not applied: %(why)s", why=str(exc)), "error")
        return redirect(url_for("admin.reconciliation_credits"))
    flash(_("Credit applied (match %(id)s): %(invoices)s.", id=done["id"], invoices=", ".join(
        f"{a['number']} {a['amount']}" for a in done["allocations"])))
    return redirect(url_for("admin.reconciliation_credits"))


def _amount(text: str, field: str) -> Decimal:
    """An amount as typed on the page: a decimal comma is read as a point (`120,50`)."""
    return amount_of(text.strip().replace(",", "."), field)


def _parts(text: str) -> list[tuple[Any, Decimal]]:
    """`INV-1=100.00` per line (invoice number or id = amount); `CN-1=-20.00` deducts a credit note."""
    parts = []
    for n, line in enumerate(t for t in text.splitlines() if t.strip()):
        invoice, _sep, amount = line.partition("=")
        deducted = amount.strip().startswith("-")
        value = _amount(amount.strip().removeprefix("-"), f"line {n + 1}")
        parts.append((invoice.strip(), -value if deducted else value))
    if not parts:
        raise ValidationError("write one invoice=amount per line")
    return parts


@security.allow(security.OPERATORS)
def act(entry_id: int) -> ResponseReturnValue:
    """A person's decision on a waiting payment: confirm a suggestion, match by hand, split, reject."""
    form, actor = request.form, security.current().actor
    action = form.get("action", "")
    try:
        if action == "confirm":
            match_id = form.get("match_id", "")
            if not match_id.isdigit() or len(match_id) > 12:
                raise ValidationError(f"match_id: a suggestion's number, got {match_id[:20]!r}")
            service.confirm(_sessions(), int(match_id), actor=actor)
        elif action == "match":
            given = form.get("amount", "").strip()
            service.match_by_hand(_sessions(), entry_id, form.get("invoice", "").strip(),
                                  _amount(given, "amount") if given else None, actor=actor)
        elif action == "split":
            service.split(_sessions(), entry_id, _parts(form.get("parts", "")), actor=actor)
        elif action == "reject":
            service.reject(_sessions(), entry_id, form.get("reason", ""), actor=actor)
        else:
            raise ValidationError(f"unknown action {action!r}")
    except HubError as exc:
        flash(_("Payment %(id)s: %(why)s", id=entry_id, why=str(exc)), "error")
        return redirect(url_for("admin.reconciliation"))
    flash(_("Payment %(id)s: done (%(action)s).", id=entry_id, action=_(action)))
    return redirect(url_for("admin.reconciliation"))


@security.allow(security.OPERATORS)
def match_act(match_id: int) -> ResponseReturnValue:
    """Undo a match: the invoices' payments are reversed and the payment waits again."""
    try:
        undone = service.undo(_sessions(), match_id, request.form.get("reason", ""),
                              actor=security.current().actor)
    except HubError as exc:
        flash(_("Match %(id)s: %(why)s", id=match_id, why=str(exc)), "error")
        return redirect(url_for("admin.reconciliation_matched"))
    if undone["rule"] == "credit":
        flash(_("Match %(id)s undone: the partner's credit is open again.", id=match_id))
    else:
        flash(_("Match %(id)s undone: the payment waits in the queue again.", id=match_id))
    return redirect(url_for("admin.reconciliation_matched"))
