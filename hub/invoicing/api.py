"""REST under /api/v1/invoicing/: companies, issuing invoices and credit notes, listing and reading them.

Admins and operators issue, auditors read; an ERP connector's token issues too (for the company it
names). Every refusal names its field (`lines[2].price`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from hub.access import Permission
from hub.api.auth import Forbidden, current_principal, require
from hub.api.params import BadParameter, int_arg, paging
from hub.db import get_session, transaction
from hub.domain.errors import Problem, ValidationError
from hub.erp.models import ErpConnector
from hub.invoicing import companies, followup, orders, service, tracking
from hub.invoicing.models import IssuedInvoice
from hub.partners.models import Company

bp = Blueprint("invoicing", __name__, url_prefix="/api/v1/invoicing")
reader = require(Permission.read_all)
changer = require(Permission.operate)
FILTERS = (("due_before", IssuedInvoice.due_date, "le"), ("due_after", IssuedInvoice.due_date, "ge"),
           ("min_amount", IssuedInvoice.payable, "ge"), ("max_amount", IssuedInvoice.payable, "le"))


def _body() -> Any:
    try:
        return json.loads(request.get_data() or b"null", parse_float=Decimal)
    except ValueError as exc:
        raise ValidationError("the body is not JSON", problems=[
            Problem(code="INVOICE_FIELD", message=f"not JSON: {exc}", element="")]) from exc


@bp.post("/companies")
@changer
def add_company() -> tuple[Response, int]:
    body = _body() or {}
    if not isinstance(body, dict):  # schemathesis found a 500 for a JSON array
        raise ValidationError("send the company as a JSON object", problems=[
            Problem(code="INVOICE_FIELD", message="the body must be a JSON object", element="")])
    with transaction(get_session()):
        company = companies.add_company(get_session(), body, actor=current_principal().actor)
    return jsonify(companies.company_json(company)), 201


@bp.get("/companies")
@reader
def list_companies() -> Response:
    rows = get_session().scalars(select(Company).order_by(Company.id))
    return jsonify(items=[companies.company_json(c) for c in rows])


# an ERP connector (by its token) or an admin or operator issues
issuer = require(Permission.operate, Permission.erp)


@bp.post("/invoices")
@issuer
def issue_invoice() -> tuple[Response, int]:
    actor = current_principal().actor
    with transaction(get_session()):
        invoice, created = service.issue(get_session(), _body(), actor=actor,
                                         settings=current_app.config["HUB_SETTINGS"], today=_today())
    return jsonify(service.invoice_json(invoice, detail=True)), 201 if created else 200


@bp.post("/invoices/<int:invoice_id>/credit-notes")
@changer
def credit_invoice(invoice_id: int) -> tuple[Response, int]:
    body = _body() or {}
    with transaction(get_session()):
        note = service.credit(get_session(), invoice_id, body if isinstance(body, dict) else {},
                              actor=current_principal().actor, settings=current_app.config["HUB_SETTINGS"],
                              today=_today())
    return jsonify(service.invoice_json(note, detail=True)), 201


@bp.post("/orders/<document_id>/invoice")
@issuer
def invoice_order(document_id: str) -> tuple[Response, int]:
    actor = current_principal().actor
    body = _for_own_company(actor, _object_body())
    with transaction(get_session()):
        invoice, created = orders.invoice_order(get_session(), document_id, body, actor=actor,
                                                settings=current_app.config["HUB_SETTINGS"], today=_today())
    return jsonify(service.invoice_json(invoice, detail=True)), 201 if created else 200


@bp.post("/invoices/<int:invoice_id>/resend")
@changer
def resend_invoice(invoice_id: int) -> Response:
    with transaction(get_session()):
        invoice = followup.resend(get_session(), invoice_id, actor=current_principal().actor,
                                  settings=current_app.config["HUB_SETTINGS"])
    return jsonify(service.invoice_json(invoice, detail=True))


@bp.post("/invoices/<int:invoice_id>/cancel")
@changer
def cancel_invoice(invoice_id: int) -> tuple[Response, int]:
    with transaction(get_session()):
        note = followup.cancel(get_session(), invoice_id, _object_body(), actor=current_principal().actor,
                               settings=current_app.config["HUB_SETTINGS"], today=_today())
    return jsonify(service.invoice_json(note, detail=True)), 201


def _for_own_company(actor: str, body: dict[str, Any]) -> dict[str, Any]:
    """A connector registered with `--option company=NAME` invoices for that company only."""
    if not actor.startswith("connector:"):
        return body
    connector = get_session().scalar(select(ErpConnector).where(ErpConnector.name == actor.partition(":")[2]))
    own = ((connector.settings if connector else {}).get("options") or {}).get("company")
    if own is None:
        return body
    if body.get("company") not in (None, "", own):
        raise Forbidden(f"this connector invoices for the company {own!r} only")
    return {**body, "company": own}


def _object_body() -> dict[str, Any]:
    body = _body()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValidationError("send a JSON object", problems=[
            Problem(code="INVOICE_FIELD", message="the body must be a JSON object", element="")])
    return body
@bp.post("/invoices/<int:invoice_id>/reissue")
@changer
def reissue_invoice(invoice_id: int) -> tuple[Response, int]:
    with transaction(get_session()):
        note, new = tracking.reissue(get_session(), invoice_id, _body(), actor=current_principal().actor,
                                     settings=current_app.config["HUB_SETTINGS"], today=_today())
    return jsonify(credit_note=service.invoice_json(note, detail=True),
                   invoice=service.invoice_json(new, detail=True)), 201


@bp.get("/invoices")
@reader
def list_invoices() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    query = select(IssuedInvoice)
    if request.args.get("state"):
        query = query.where(IssuedInvoice.state == request.args["state"])
    if request.args.get("buyer_id"):
        query = query.where(IssuedInvoice.buyer_id == int_arg("buyer_id", 0, minimum=0))
    for name, column, op in FILTERS:
        if request.args.get(name):
            value = _date(name) if name.startswith("due") else _amount(name)
            query = query.where(column <= value if op == "le" else column >= value)
    rows = get_session().scalars(query.order_by(IssuedInvoice.id).limit(per_page + 1)
                                 .offset((page - 1) * per_page)).all()
    return jsonify(items=[service.invoice_json(r) for r in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.get("/invoices/<int:invoice_id>")
@reader
def invoice_detail(invoice_id: int) -> Response:
    invoice = service.get_invoice(get_session(), invoice_id)
    out = service.invoice_json(invoice, detail=True)
    # what the buyer said (CONTRL, APERAK, Invoice Response), latest last, with its reasons
    out["buyer_responses"] = [h for h in invoice.history or [] if h.get("by")]
    exchange = invoice.exchange_id and get_session().get(_exchange_model(), invoice.exchange_id)
    if exchange:
        out["exchange"] = {"id": exchange.id, "state": exchange.state, "syntax": exchange.syntax,
                           "raw": f"/api/v1/exchanges/{exchange.id}/raw",
                           "validation": (exchange.result or {}).get("validation"),
                           "warnings": exchange.warnings}
    return jsonify(out)


def _exchange_model() -> Any:
    from hub.records.models import Exchange
    return Exchange


def _date(name: str) -> Any:
    try:
        return datetime.fromisoformat(request.args[name]).date()
    except ValueError as exc:
        raise BadParameter(f"{name} must be a date (YYYY-MM-DD)") from exc


def _amount(name: str) -> Decimal:
    try:
        value = Decimal(request.args[name])
    except InvalidOperation as exc:
        raise BadParameter(f"{name} must be an amount") from exc
    if not value.is_finite():
        raise BadParameter(f"{name} must be an amount")
    return value


def _today() -> Any:
    return datetime.now(UTC).date()
