"""The test ERP's REST service (Flask): POST /documents with Idempotency-Key, GET records, GET /health."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Flask, jsonify, redirect, request
from flask.typing import ResponseReturnValue

from tests.support.erp_state import ControlMiddleware, Mode, TestErp, WsgiApp, echoed_credentials

FETCH_KINDS = {
    "stock-levels": "stock_levels",
    "invoices-to-issue": "invoices_to_issue",
    "payments": "payments",
    "statements": "statements",
}


def rest_app(erp: TestErp) -> WsgiApp:
    """The WSGI app of the REST test ERP, with `erp`'s failure modes and auth check in front of it."""
    app = Flask(__name__)

    @app.post("/documents")
    def submit() -> ResponseReturnValue:
        problem = _misbehave()
        if problem is not None:
            return problem
        key = request.headers.get("Idempotency-Key", "").strip()
        body = request.get_json(silent=True)
        if not key or not isinstance(body, dict) or not isinstance(body.get("document"), dict):
            return jsonify(error="Idempotency-Key header and a JSON body with 'document' are required"), 400
        try:
            content = base64.b64decode(body["rendered"], validate=True) if body.get("rendered") else None
        except (binascii.Error, TypeError):
            return jsonify(error="'rendered' is not base64"), 400
        received, duplicate = erp.accept(
            key, str(body.get("document_type", "")), body["document"], content, body.get("content_type")
        )
        # Like Stripe: a repeated key gets the original answer, flagged, with 200 instead of 201.
        return jsonify(receipt_id=received.receipt_id, duplicate=duplicate), 200 if duplicate else 201

    @app.post("/old-documents")
    def moved() -> ResponseReturnValue:
        # For tests that a connector never follows a redirect with a document.
        return redirect("/documents", code=308)

    @app.get("/<kind>")
    def fetch(kind: str) -> ResponseReturnValue:
        problem = _misbehave()
        if problem is not None:
            return problem
        if kind not in FETCH_KINDS:
            return jsonify(error=f"unknown collection {kind}"), 404
        return jsonify(items=erp.fetch(FETCH_KINDS[kind], request.args.get("since")))

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return jsonify(status="ok")

    return ControlMiddleware(erp, app.wsgi_app, lambda environ: False)


def _misbehave() -> tuple[Any, int] | None:
    mode = request.environ.get("test_erp.mode", Mode.ok)
    if mode is Mode.fault_client:
        return jsonify(error="test ERP rejects this document"), 422
    if mode is Mode.fault_server:
        return jsonify(error="test ERP database is down"), 500
    if mode is Mode.echo_credentials:
        return jsonify(error=echoed_credentials(request.headers.get("Authorization"))), 500
    return None
