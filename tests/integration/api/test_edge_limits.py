"""The HTTP edge: streamed bodies held to the size limit, hostile parameters and paths, raw downloads."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from hub.db import new_session
from hub.models import Exchange
from tests.integration.api.test_receive import interchange

LIMIT = 1024 * 1024  # the conftest app's HUB_MAX_UPLOAD_BYTES


def chunked_post(client: FlaskClient, path: str, body: bytes, headers: dict[str, str],
                 **extra: Any) -> TestResponse:
    """POST `body` the way a server hands a chunked request to the app: no Content-Length."""
    builder = EnvironBuilder(path=path, method="POST", input_stream=io.BytesIO(body),
                             headers={**headers, "Transfer-Encoding": "chunked"}, **extra)
    environ = builder.get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    return client.open(Request(environ))


def exchange_count(app: Flask) -> int:
    with app.app_context(), new_session() as session:
        return int(session.scalar(select(func.count()).select_from(Exchange)) or 0)


def test_a_chunked_upload_over_the_limit_is_413_and_nothing_is_stored(app, client, make_partner):
    partner = make_partner("acme")
    body = interchange(partner.edi_id, "7001")
    over = body + b"\n" * (LIMIT + 1 - len(body))
    resp = chunked_post(client, "/api/v1/exchanges", over, partner.headers)
    assert resp.status_code == 413, resp.data
    assert resp.json["error"]["message"] == (
        f"the request body is larger than the limit of {LIMIT} bytes (HUB_MAX_UPLOAD_BYTES)")
    assert exchange_count(app) == 0
    # exactly at the limit is accepted, whole
    at_limit = over[:LIMIT]
    resp = chunked_post(client, "/api/v1/exchanges", at_limit, partner.headers)
    assert resp.status_code == 202, resp.json
    raw = client.get(resp.headers["Location"] + "/raw", headers=partner.headers)
    assert raw.data == at_limit


def test_a_chunked_multipart_upload_over_the_limit_is_413(app, client, make_partner):
    partner = make_partner("acme")
    builder = EnvironBuilder(method="POST", data={"file": (io.BytesIO(b"A" * (LIMIT + 10)), "x.edi")})
    environ = builder.get_environ()
    body, content_type = environ["wsgi.input"].read(), environ["CONTENT_TYPE"]
    environ["wsgi.input"].close()
    builder.close()
    resp = chunked_post(client, "/api/v1/exchanges", body, partner.headers, content_type=content_type)
    assert resp.status_code == 413, resp.data
    assert exchange_count(app) == 0


def test_a_chunked_erp_post_over_the_limit_is_413_in_json(client, make_user):
    resp = chunked_post(client, "/api/v1/erp/stock-levels", b"[" + b" " * LIMIT + b"]",
                        {"Content-Type": "application/json"})
    assert resp.status_code in (401, 413) and resp.is_json  # unauthenticated: never read at all


def test_the_raw_file_is_a_download_never_rendered(client, make_partner):
    partner = make_partner("acme")
    cases = {"text/html": "application/octet-stream", "image/svg+xml": "application/octet-stream",
             "application/EDIFACT": "application/edifact", "text/xml; charset=utf-8": "text/xml",
             "application/xml": "application/xml"}
    for n, (sent, served) in enumerate(cases.items()):
        body = interchange(partner.edi_id, f"80{n}")
        resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers,
                           content_type=sent)
        raw = client.get(resp.headers["Location"] + "/raw", headers=partner.headers)
        assert raw.mimetype == served, sent
        assert raw.headers["X-Content-Type-Options"] == "nosniff"
        assert raw.headers["Content-Disposition"] == f'attachment; filename="{resp.json["id"]}.edi"'
        assert raw.data == body


def test_out_of_range_numbers_are_400_naming_the_parameter(client, make_partner, make_user):
    admin = make_user("root", "admin")
    huge = "99999999999999999999"
    for path, name in (("/api/v1/exchanges", "page"), ("/api/v1/exchanges", "per_page"),
                       ("/api/v1/exchanges", "partner_id"), ("/api/v1/documents", "page"),
                       ("/api/v1/audit", "partner_id"), ("/api/v1/audit/export.csv", "partner_id"),
                       ("/api/v1/outbox/deliveries", "page")):
        for value in (huge, "9" * 5000, "1e3", "٣"):
            resp = client.get(f"{path}?{name}={value}", headers=admin)
            assert resp.status_code == 400, (path, name, value, resp.data[:200])
            assert resp.json["error"]["message"].startswith(name + " must be"), resp.json
            assert len(resp.json["error"]["message"]) < 200


def test_nul_in_a_path_is_404_and_in_a_parameter_400(client, make_partner, make_user):
    partner = make_partner("acme")
    admin = make_user("root", "admin")
    for headers in (partner.headers, admin):
        resp = client.get("/api/v1/exchanges/ab%00cd", headers=headers)
        assert resp.status_code == 404 and resp.json["error"]["code"] == "NOT_FOUND"
        resp = client.get("/api/v1/exchanges?state=re%00ceived", headers=headers)
        assert resp.status_code == 400 and "state" in resp.json["error"]["message"]
    resp = client.post("/api/v1/exchanges", data=b"x", headers={**partner.headers,
                                                                "Idempotency-Key": "a\x01b"})
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json["error"]["message"]


def test_an_erps_cursor_and_limit_out_of_range_are_400(app, client):
    from tests.integration.api.test_edge_routes import _connector_headers

    erp = _connector_headers(app)
    for name in ("cursor", "limit"):
        resp = client.get(f"/api/v1/outbox?{name}=99999999999999999999", headers=erp)
        assert resp.status_code == 400 and resp.json["error"]["message"].startswith(name + " must")
