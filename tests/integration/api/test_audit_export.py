"""The audit CSV export: every matching event, oldest first, read in batches."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from hub.audit import web as audit_web
from hub.db import get_engine
from hub.models import AuditEvent


def _add_events(app: Flask, n: int, action: str = "test.bulk") -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"at": at, "actor": "test", "action": action, "object_type": "thing",
             "object_id": str(i), "partner_id": None, "details": {"n": i}} for i in range(n)]
    with app.app_context(), get_engine().begin() as conn:
        conn.execute(insert(AuditEvent), rows)


def _exported(client: FlaskClient, headers: dict[str, str], query: str) -> list[dict[str, str]]:
    resp = client.get(f"/api/v1/audit/export.csv?{query}", headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["X-Audit-Export-Order"] == "oldest-first"
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_the_export_spans_every_batch_in_order(app, client, make_user,
                                               monkeypatch: pytest.MonkeyPatch):
    auditor = make_user("eve", "auditor")
    monkeypatch.setattr(audit_web, "EXPORT_BATCH", 7)
    _add_events(app, 30)
    _add_events(app, 5, action="test.other")
    rows = _exported(client, auditor, "action=test.bulk")
    assert [r["object_id"] for r in rows] == [str(i) for i in range(30)]
    assert len(_exported(client, auditor, "")) == 37  # with the user and token creation events
