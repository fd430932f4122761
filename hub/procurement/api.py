"""REST under /api/v1/procurement/: items, supplier terms, reorder rules, stock, runs, purchase orders.

Admins and operators change; auditors read; partners and ERP tokens get 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, int_arg, paging
from hub.db import get_session, new_session
from hub.domain.errors import NotFound
from hub.exchanges.models import StockLevel
from hub.jobruns.service import runs
from hub.procurement import replenishment, service
from hub.procurement.models import Item, ReorderRule, SupplierTerm

bp = Blueprint("procurement", __name__, url_prefix="/api/v1/procurement")

# who may read (admins, operators, auditors) and who may change (admins, operators)
reader = require(Permission.read_all)
changer = require(Permission.operate)
MODELS: dict[str, Any] = {"items": Item, "supplier-terms": SupplierTerm, "reorder-rules": ReorderRule}


def _settings() -> Any:
    return current_app.config["HUB_SETTINGS"].procurement


def _row(obj: Any) -> dict[str, Any]:
    out = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.name)
        plain = value is None or isinstance(value, (int, bool, list, dict))
        out[column.name] = value if plain else str(value)
    return out


def _kind(kind: str) -> Any:
    if kind not in MODELS:
        raise NotFound(f"no procurement collection {kind!r}")
    return MODELS[kind]


@bp.get("/<kind>")
@reader
def list_rows(kind: str) -> Response:
    model = _kind(kind)
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    rows = get_session().scalars(select(model).order_by(model.id).limit(per_page + 1)
                                 .offset((page - 1) * per_page)).all()
    return jsonify(items=[_row(r) for r in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.post("/<kind>")
@changer
def upsert(kind: str) -> tuple[Response, int]:
    """Bulk upsert: {"rows": [{...}, ...]} with the CSV import's columns; refusals name rows[i].column."""
    _kind(kind)
    body = request.get_json(silent=True)
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise BadParameter('send {"rows": [{...}, ...]}')
    summary = service.import_rows(new_session, kind, list(enumerate(rows)),
                                  actor=current_principal().actor)
    refused = [{**r, "field": f"rows[{r['line']}].{r['column']}"} for r in summary.refused]
    return jsonify(**{**summary.as_dict(), "refused": refused}), (422 if refused and not (
        summary.created or summary.updated or summary.unchanged) else 200)


@bp.delete("/<kind>/<int:row_id>")
@changer
def delete_row(kind: str, row_id: int) -> Response:
    model = _kind(kind)
    if model is Item:
        raise BadParameter("items are kept (orders refer to them); delete their rules and terms instead")
    service.delete_row(new_session, model, row_id, actor=current_principal().actor)
    return jsonify(deleted=row_id)


@bp.get("/stock-levels")
@reader
def stock_levels() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    query = select(StockLevel).order_by(StockLevel.item, StockLevel.location)
    if request.args.get("item"):
        query = query.where(StockLevel.item == request.args["item"])
    rows = get_session().scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return jsonify(items=[_row(r) for r in rows[:per_page]], page=page, per_page=per_page,
                   has_more=len(rows) > per_page)


@bp.post("/runs")
@changer
def start_run() -> tuple[Response, int]:
    """Start a replenishment run now; {"dry_run": true} shows the proposals and writes nothing."""
    body = request.get_json(silent=True) or {}
    dry_run = bool(body.get("dry_run")) if isinstance(body, dict) else False
    result = service.replenish(new_session, _settings(), at=datetime.now(UTC), scheduled=False,
                               dry_run=dry_run, actor=current_principal().actor)
    return jsonify(result), (200 if dry_run else 201)


@bp.get("/runs")
@reader
def list_runs() -> Response:
    limit = int_arg("limit", 50, maximum=500)
    return jsonify(items=[{"id": r.id, "slot": r.slot, "trigger": r.trigger, "outcome": r.outcome,
                           "started_at": r.started_at.isoformat(), "details": r.details}
                          for r in runs(get_session(), replenishment.JOB, limit)])


@bp.get("/runs/<int:run_id>")
@reader
def run_detail(run_id: int) -> Response:
    return jsonify(service.run_detail(get_session(), run_id))


@bp.get("/purchase-orders")
@reader
def list_orders() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    supplier = request.args.get("supplier_id")
    items = service.list_orders(get_session(), state=request.args.get("state"),
                                supplier_id=int_arg("supplier_id", 0) if supplier else None,
                                limit=per_page, offset=(page - 1) * per_page)
    return jsonify(items=items, page=page, per_page=per_page)


@bp.get("/purchase-orders/<int:order_id>")
@reader
def order_detail(order_id: int) -> Response:
    return jsonify(service.order_detail(get_session(), order_id))


@bp.post("/purchase-orders/<int:order_id>/<action>")
@changer
def order_action(order_id: int, action: str) -> Response:
    """approve | reject | release | cancel | submit, with {"reason": ...} where one is needed."""
    if action not in ("approve", "reject", "release", "cancel", "submit"):
        raise NotFound(f"no action {action!r} on a purchase order")
    body = request.get_json(silent=True) or {}
    reason = str(body.get("reason") or "") if isinstance(body, dict) else ""
    return jsonify(service.decide(new_session, order_id, action, actor=current_principal().actor,
                                  reason=reason, settings=_settings()))


@bp.post("/purchase-orders/<int:order_id>/receipts")
@require(Permission.operate, Permission.erp)
def receipts(order_id: int) -> Response:
    """Goods received: {"lines": [{"line_no": 1, "quantity": "10"}]}, from the ERP (its connector token)
    or an admin or operator."""
    actor = current_principal().actor
    body = request.get_json(silent=True)
    lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(lines, list) or not lines:
        raise BadParameter('lines: send {"lines": [{"line_no": 1, "quantity": "10"}]}')
    parsed = []
    for n, line in enumerate(lines):
        try:
            quantity = Decimal(str(line["quantity"]))
            line_no = int(line["line_no"])
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise BadParameter(f"lines[{n}]: needs line_no (an integer) and quantity (a decimal)") from None
        if not quantity.is_finite() or quantity <= 0 or abs(quantity) >= Decimal("1e14"):
            raise BadParameter(f"lines[{n}].quantity: must be more than 0")
        parsed.append((line_no, quantity))
    return jsonify(service.receive_goods(new_session, order_id, parsed, actor=actor))


