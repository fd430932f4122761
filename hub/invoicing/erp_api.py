"""REST `POST /api/v2/erp/invoices`: an ERP connector issues invoices in the invoicing request format.

A new version of the URL rather than a `format` field in the old body: the two bodies share nothing (v1:
`customer`, `amount`, free lines; v2: the invoicing request with categories, rates, allowances and stated
totals), so each version has one schema in the OpenAPI description and an ERP on v1 is never surprised.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify

from hub.access import Permission
from hub.api.auth import require
from hub.api.params import json_body
from hub.db import get_session, transaction
from hub.erp.queries import current_connector
from hub.invoicing import erp

bp = Blueprint("erp_v2", __name__, url_prefix="/api/v2/erp")


@bp.post("/invoices")
@require(Permission.erp)
def post_invoices() -> tuple[Response, int]:
    """Issue the ERP's invoices for its company; 201, or 200 when every one was issued before."""
    session = get_session()
    with transaction(session):
        issued = erp.issue_batch(session, json_body(), connector=current_connector(),
                                 settings=current_app.config["HUB_SETTINGS"], today=datetime.now(UTC).date())
    created = any(new for _, new in issued)
    return jsonify(items=[erp.issued_json(i, new) for i, new in issued]), 201 if created else 200
