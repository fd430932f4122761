"""Hostile values in the envelope or the request are stored safely, on PostgreSQL too."""

from __future__ import annotations

import io

from flask.testing import FlaskClient


def test_nul_and_control_characters_in_references_are_received(client: FlaskClient, make_partner):
    # PostgreSQL refuses NUL in text: taken raw from UNB 0020 this was a 500
    partner = make_partner("nul", edi_id="5412345000013")
    body = (b"UNB+UNOC:3+5412345000013:14+X:14+240101:1200+AB\x00C\x07'UNH+1+ORDERS:D:96A:UN'"
            b"BGM+220+1+9'UNT+3+1'UNZ+1+AB\x00C'")
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202, resp.json
    shown = client.get(resp.headers["Location"], headers=partner.headers).json
    assert shown["control_ref"] == "ABC"
    raw = client.get(shown["links"]["raw"], headers=partner.headers).data
    assert raw == body  # the bytes themselves are kept exactly


def test_overlong_references_and_names_fit_their_columns(client: FlaskClient, make_partner):
    partner = make_partner("long", edi_id="5412345000013")
    ref = "R" * 5000
    body = f"UNB+UNOC:3+5412345000013:14+X:14+240101:1200+{ref}'UNZ+0+{ref}'".encode()
    data = {"file": (io.BytesIO(body), "n" * 2000 + ".edi", "application/edifact")}
    resp = client.post("/api/v1/exchanges", data=data, headers=partner.headers,
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.json
    again = client.post("/api/v1/exchanges", data=body + b"\n", headers=partner.headers)
    assert again.status_code == 200 and again.json["reason"] == "same_interchange"
    xml = f"<Invoice><ID>{'9' * 3000}</ID></Invoice>".encode()
    assert client.post("/api/v1/exchanges", data=xml, headers=partner.headers).status_code == 202


def test_a_document_number_too_long_to_index_is_a_named_error(app, client, make_partner):
    # UBL's schema puts no length on cbc:ID; the searchable number column holds 100 characters
    from pathlib import Path

    from hub.db import new_session
    from hub.exchanges.processing import process_pending

    partner = make_partner("long")
    path = Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "ponte_order_peppol.xml"
    text = path.read_text()
    start = text.index("<cbc:ID>") + len("<cbc:ID>")
    end = text.index("</cbc:ID>", start)
    body = (text[:start] + "P" * 120 + text[end:]).encode()
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    ex = client.get(resp.headers["Location"], headers=partner.headers).json
    assert ex["state"] == "failed", ex
    (problem,) = ex["error"]["problems"]
    assert (problem["code"], problem["element"]) == ("TOO_LONG", "number")


def test_an_overlong_idempotency_key_is_a_400(client: FlaskClient, make_partner):
    partner = make_partner("idem")
    resp = client.post("/api/v1/exchanges", data=b"<x/>",
                       headers={**partner.headers, "Idempotency-Key": "k" * 201})
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json["error"]["message"]


def test_the_soap_service_has_the_same_size_limit(client: FlaskClient):
    resp = client.post("/soap", data=b"<x>" + b"a" * (1024 * 1024) + b"</x>",
                       content_type="text/xml")
    assert resp.status_code == 413
    assert client.get("/soap?wsdl").status_code == 200
