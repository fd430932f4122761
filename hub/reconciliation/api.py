"""REST under /api/v1/reconciliation/: payments by status, a payment with its suggestions, matches with
their evidence, the exceptions queue, and a person's decisions (confirm, split, match by hand, reject,
write off, undo); matching runs. Admins and operators act; auditors read; partners and ERPs get 403.
(The statements routes belong to the import side.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, amount_of, int_arg, paging
from hub.db import get_session, new_session
from hub.jobruns.service import run_json, runs
from hub.reconciliation import queries, service

bp = Blueprint("matching", __name__, url_prefix="/api/v1/reconciliation")
reader = require(Permission.read_all)
changer = require(Permission.operate)
MAX_PARTS = 200


def _page() -> tuple[int, int]:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    return per_page, (page - 1) * per_page


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _invoice_ref(value: Any, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip() \
            or len(str(value)) > 60:
        raise BadParameter(f"{name}: an invoice id or number")
    return value


@bp.get("/payments")
@reader
def list_payments() -> Response:
    status = request.args.get("status") or None
    if status is not None and status not in queries.STATUSES:
        raise BadParameter(f"status must be one of {', '.join(queries.STATUSES)}")
    limit, offset = _page()
    return jsonify(items=queries.list_payments(new_session, status, limit=limit, offset=offset),
                   page=offset // limit + 1, per_page=limit)


@bp.get("/payments/<int:entry_id>")
@reader
def payment_detail(entry_id: int) -> Response:
    return jsonify(queries.payment_detail(new_session, entry_id))


@bp.post("/payments/<int:entry_id>/split")
@changer
def split_payment(entry_id: int) -> tuple[Response, int]:
    """Split a payment across invoices: {"allocations": [{"invoice": ..., "amount": "..."}]}; a part
    {"credit_note": ..., "amount": "..."} deducts that much of a credit note of the buyer's (the
    invoices then take the payment and the deduction together)."""
    parts = _body().get("allocations")
    if not isinstance(parts, list) or not parts or len(parts) > MAX_PARTS \
            or not all(isinstance(p, dict) for p in parts):
        raise BadParameter(f'allocations: 1 to {MAX_PARTS} of {{"invoice": ..., "amount": "..."}} '
                           'or {"credit_note": ..., "amount": "..."}')
    parsed = [(_invoice_ref(p.get("credit_note"), f"allocations[{n}].credit_note"),
               -amount_of(p.get("amount"), f"allocations[{n}].amount")) if "credit_note" in p else
              (_invoice_ref(p.get("invoice"), f"allocations[{n}].invoice"),
               amount_of(p.get("amount"), f"allocations[{n}].amount")) for n, p in enumerate(parts)]
    return jsonify(service.split(new_session, entry_id, parsed, actor=current_principal().actor)), 201


@bp.post("/payments/<int:entry_id>/match")
@changer
def match_payment(entry_id: int) -> tuple[Response, int]:
    """Match a payment to one invoice by hand: {"invoice": ..., "amount": "..." (optional)}."""
    body = _body()
    invoice = _invoice_ref(body.get("invoice"), "invoice")
    amount = amount_of(body["amount"], "amount") if body.get("amount") is not None else None
    return jsonify(service.match_by_hand(new_session, entry_id, invoice, amount,
                                         actor=current_principal().actor)), 201


@bp.post("/payments/<int:entry_id>/reject")
@changer
def reject_payment(entry_id: int) -> Response:
    """Set a payment aside: {"reason": "..."} (required)."""
    actor = current_principal().actor
    return jsonify(service.reject(new_session, entry_id, _body().get("reason"), actor=actor))


@bp.post("/payments/<int:entry_id>/write-off")
@changer
def write_off_payment(entry_id: int) -> Response:
    """Write a whole payment off: {"account": "...", "reason": "..."}."""
    body = _body()
    account = str(body.get("account") or "")
    return jsonify(service.write_off(new_session, entry_id, account, body.get("reason"),
                                     actor=current_principal().actor))


@bp.get("/matches/<int:match_id>")
@reader
def match_detail(match_id: int) -> Response:
    return jsonify(queries.match_detail(new_session, match_id))


@bp.post("/matches/<int:match_id>/confirm")
@changer
def confirm_match(match_id: int) -> Response:
    """Confirm a suggestion: it becomes the match."""
    return jsonify(service.confirm(new_session, match_id, actor=current_principal().actor))


@bp.post("/matches/<int:match_id>/undo")
@changer
def undo_match(match_id: int) -> Response:
    """Undo a match: {"reason": "..."} (optional); the invoices and the partner's credit follow."""
    actor = current_principal().actor
    return jsonify(service.undo(new_session, match_id, _body().get("reason"), actor=actor))


@bp.get("/credits")
@reader
def list_credits() -> Response:
    """Partners' open credit (what overpayments left) per currency, with the credits it is made of."""
    partner = int_arg("partner", 0, maximum=2**31 - 1) or None
    return jsonify(items=service.credits(new_session, partner))


@bp.post("/credits/apply")
@changer
def apply_credit() -> tuple[Response, int]:
    """Spend the invoices' partner's open credit on them: {"allocations": [{"invoice": ..., "amount":
    "..." (optional: as much as is open and left)}]}; undone like a match."""
    parts = _body().get("allocations")
    if not isinstance(parts, list) or not parts or len(parts) > MAX_PARTS \
            or not all(isinstance(p, dict) for p in parts):
        raise BadParameter(f'allocations: 1 to {MAX_PARTS} of {{"invoice": ..., "amount": "..." (optional)}}')
    parsed = [(_invoice_ref(p.get("invoice"), f"allocations[{n}].invoice"),
               amount_of(p["amount"], f"allocations[{n}].amount") if p.get("amount") is not None else None)
              for n, p in enumerate(parts)]
    return jsonify(service.apply_credit(new_session, parsed, actor=current_principal().actor)), 201


@bp.post("/credit-notes/set-off")
@changer
def set_off_credit_note() -> tuple[Response, int]:
    """Set a buyer's credit note off against its open invoice, no money moving: {"credit_note": id or
    number, "invoice": id or number, "amount": "..." (optional: as much as both allow)}."""
    body = _body()
    amount = amount_of(body["amount"], "amount") if body.get("amount") is not None else None
    return jsonify(service.set_off_credit_note(new_session, *_note_and_invoice(body), amount,
                                               actor=current_principal().actor)), 201


@bp.post("/credit-notes/take-back")
@changer
def take_back_credit_note() -> Response:
    """Take back what a credit note set off: {"credit_note", "invoice", "amount" (optional: all),
    "reason"}."""
    body = _body()
    amount = amount_of(body["amount"], "amount") if body.get("amount") is not None else None
    return jsonify(service.take_back_credit_note(new_session, *_note_and_invoice(body), amount,
                                                 body.get("reason"), actor=current_principal().actor))


def _note_and_invoice(body: dict[str, Any]) -> tuple[Any, Any]:
    return _invoice_ref(body.get("credit_note"), "credit_note"), _invoice_ref(body.get("invoice"), "invoice")


@bp.get("/exceptions")
@reader
def list_exceptions() -> Response:
    """Payments waiting for a person, oldest first, each with its suggestions."""
    limit, offset = _page()
    return jsonify(items=queries.exceptions(new_session, limit=limit, offset=offset),
                   page=offset // limit + 1, per_page=limit)


@bp.post("/runs")
@changer
def start_run() -> tuple[Response, int]:
    """Run matching now; {"dry_run": true} shows the decisions and writes nothing."""
    dry_run = bool(_body().get("dry_run"))
    result = service.reconcile(new_session, current_app.config["HUB_SETTINGS"].matching,
                               at=datetime.now(UTC), scheduled=False, dry_run=dry_run,
                               actor=current_principal().actor)
    return jsonify(result), (200 if dry_run else 201)


@bp.get("/runs")
@reader
def list_runs() -> Response:
    """The latest matching runs, newest first."""
    limit = int_arg("limit", 50, maximum=500)
    return jsonify(items=[run_json(r) for r in runs(get_session(), service.JOB, limit)])
