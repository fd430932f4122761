"""REST under /api/v1/reconciliation/statements: upload a bank statement file, list and read the
statements with their entries. Admins and operators (and an ERP connector's token) upload; staff read."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, paging
from hub.config import Settings
from hub.db import get_session
from hub.domain.errors import NotFound
from hub.exchanges.service import Outcome
from hub.partners.models import Partner
from hub.reconciliation import imports
from hub.reconciliation.imports import ImportOutcome, Source, import_in_transaction
from hub.reconciliation.models import BankStatement, StatementEntry
from hub.reconciliation.statements import FORMATS
from hub.reconciliation.statements.csv_profiles import CsvProfile, load_profiles
from hub.records.models import Exchange

bp = Blueprint("reconciliation_statements", __name__, url_prefix="/api/v1/reconciliation")
reader = require(Permission.read_all)
changer = require(Permission.operate)
MAX_PROFILE_NAME = 60


def profiles() -> dict[str, CsvProfile]:
    """The CSV profiles: shipped, and the user's from HUB_STATEMENT_PROFILES."""
    return load_profiles(current_app.config["HUB_SETTINGS"].statement_profiles or None)


def translate_again(session: Session, exchange: Exchange, partner: Partner, settings: Settings
                    ) -> Outcome:
    """The pipeline's translator for a stored statement file (syntax `statement`): reprocessing."""
    result = imports.reprocess(session, exchange, load_profiles(settings.statement_profiles or None),
                               actor=f"system:reprocess:{partner.name}")
    return Outcome(result=result)


def _uploader() -> Source:
    """Who uploads: an ERP connector (by its token), or an admin or operator."""
    caller = current_principal()
    return Source(actor=caller.actor, connector_id=caller.connector_id)


def _upload() -> tuple[bytes, str | None, str | None]:
    if request.mimetype == "multipart/form-data":
        request.get_data(cache=True)  # counted against the limit before the form parser runs
        file = request.files.get("file") or next(iter(request.files.values()), None)
        if file is None:
            return b"", None, None
        return file.read(), file.mimetype or None, file.filename or None
    return request.get_data(cache=False), request.content_type, request.headers.get("X-Filename")


def _choice() -> tuple[str | None, str | None]:
    fmt = request.args.get("format") or None
    if fmt is not None and fmt not in FORMATS:
        raise BadParameter(f"format must be one of {', '.join(FORMATS)}")
    profile = request.args.get("profile") or None
    if profile is not None and (len(profile) > MAX_PROFILE_NAME or not profile.isprintable()):
        raise BadParameter(f"profile must be a printable name of at most {MAX_PROFILE_NAME} characters")
    return fmt, profile


@bp.post("/statements")
@require(Permission.operate, Permission.erp)
def upload_statement() -> tuple[Response, int]:
    """Import a statement file: 201 when something new was stored, 200 for a repeat, 422 unreadable."""
    source = _uploader()
    fmt, profile = _choice()
    data, content_type, filename = _upload()
    source = Source(source.actor, (filename or "")[:300] or None, content_type, source.connector_id)
    outcome = import_in_transaction(get_session(), data, source=source, fmt=fmt, profile=profile,
                                    profiles=profiles())
    if outcome.error is not None:
        return jsonify(error=outcome.error.as_dict(), exchange_id=outcome.exchange.id), 422
    return jsonify(outcome_json(outcome)), 200 if outcome.repeat else 201


def outcome_json(outcome: ImportOutcome) -> dict[str, Any]:
    """An import's answer: the exchange, each statement and the counts."""
    return {"exchange_id": outcome.exchange.id, "format": outcome.format, "repeat": outcome.repeat,
            "same_file": outcome.same_file, **outcome.counts(),
            "statements": [statement_json(s, repeated=s.id in outcome.repeated)
                           for s in outcome.statements]}


def statement_json(row: BankStatement, **extra: Any) -> dict[str, Any]:
    return {"id": row.id, "exchange_id": row.exchange_id, "format": row.source_format,
            "account": row.account, "statement_ref": row.statement_ref,
            "statement_date": row.statement_date.isoformat(), "currency": row.currency,
            "opening_balance": _money(row.opening_balance), "closing_balance": _money(row.closing_balance),
            "entry_count": row.entry_count, "created_at": row.created_at.isoformat(), **extra}


def entry_json(row: StatementEntry) -> dict[str, Any]:
    return {"id": row.id, "entry_key": row.entry_key, "line": row.line, "status": row.status,
            "booking_date": row.booking_date.isoformat(),
            "value_date": row.value_date.isoformat() if row.value_date else None,
            "amount": _money(row.amount), "open_amount": _money(row.open_amount),
            "currency": row.currency, "fees": _money(row.fees), "reversal": row.reversal,
            "bank_reference": row.bank_reference, "end_to_end_id": row.end_to_end_id,
            "pix_txid": row.pix_txid, "structured_reference": row.structured_reference,
            "remittance_info": row.remittance_info, "counterparty_name": row.counterparty_name,
            "counterparty_iban": row.counterparty_iban, "counterparty_id": row.counterparty_id,
            "partner_id": row.partner_id, "details": row.details}


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a date (YYYY-MM-DD), got {raw[:40]!r}") from None


@bp.get("/statements")
@reader
def list_statements() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    query = select(BankStatement)
    account = request.args.get("account")
    if account:
        query = query.where(BankStatement.account == "".join(ch for ch in account if ch.isalnum()).upper())
    for name, test in (("date_from", BankStatement.statement_date.__ge__),
                       ("date_to", BankStatement.statement_date.__le__)):
        day = _date_arg(name)
        if day is not None:
            query = query.where(test(day))
    session = get_session()
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(BankStatement.statement_date.desc(), BankStatement.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return jsonify(items=[statement_json(r) for r in rows], page=page, per_page=per_page, total=total)


@bp.get("/statements/<int:statement_id>")
@reader
def statement_detail(statement_id: int) -> Response:
    session = get_session()
    row = session.get(BankStatement, statement_id) if statement_id <= 2**31 - 1 else None
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    entries = session.scalars(select(StatementEntry).where(StatementEntry.statement_id == row.id)
                              .order_by(StatementEntry.id).limit(per_page).offset((page - 1) * per_page))
    statuses = dict(session.execute(select(StatementEntry.status, func.count())
                                    .where(StatementEntry.statement_id == row.id)
                                    .group_by(StatementEntry.status)).all())
    return jsonify({**statement_json(row), "statuses": statuses,
                    "entries": [entry_json(e) for e in entries], "page": page, "per_page": per_page})
