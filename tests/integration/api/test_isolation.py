"""A partner sees only its own exchanges; audit events are for admins and auditors only."""

from __future__ import annotations

import uuid

from flask.testing import FlaskClient

from tests.integration.api.test_receive import interchange


def _post(client: FlaskClient, partner, ref: str) -> str:
    resp = client.post("/api/v1/exchanges", data=interchange(partner.edi_id, ref),
                       headers=partner.headers)
    assert resp.status_code == 202
    return str(resp.json["id"])


def test_partner_cannot_read_list_or_guess_anothers_exchanges(client: FlaskClient, make_partner):
    acme, bolt = make_partner("acme"), make_partner("bolt")
    mine = _post(client, acme, "1")
    theirs = _post(client, bolt, "2")
    assert client.get(f"/api/v1/exchanges/{mine}", headers=acme.headers).status_code == 200
    for path in (f"/api/v1/exchanges/{theirs}", f"/api/v1/exchanges/{theirs}/raw",
                 f"/api/v1/exchanges/{uuid.uuid4()}"):
        resp = client.get(path, headers=acme.headers)
        assert resp.status_code == 404, path
        assert resp.json["error"]["code"] == "NOT_FOUND"
    listed = client.get("/api/v1/exchanges", headers=acme.headers).json
    assert [x["id"] for x in listed["items"]] == [mine] and listed["total"] == 1
    # filters cannot widen the view either
    widened = client.get(f"/api/v1/exchanges?partner_id={bolt.id}", headers=acme.headers).json
    assert [x["id"] for x in widened["items"]] == [mine]


def test_partner_cannot_read_the_audit_trail(client: FlaskClient, make_partner):
    acme, bolt = make_partner("acme"), make_partner("bolt")
    _post(client, bolt, "3")
    for path in ("/api/v1/audit", f"/api/v1/audit?partner_id={bolt.id}", "/api/v1/audit/export.csv"):
        assert client.get(path, headers=acme.headers).status_code == 403


def test_admin_sees_every_partners_exchanges(client: FlaskClient, make_partner, make_user):
    acme, bolt = make_partner("acme"), make_partner("bolt")
    a, b = _post(client, acme, "4"), _post(client, bolt, "5")
    admin = make_user("root", "admin")
    listed = client.get("/api/v1/exchanges", headers=admin).json
    assert {x["id"] for x in listed["items"]} == {a, b}
    only_bolt = client.get(f"/api/v1/exchanges?partner_id={bolt.id}", headers=admin).json
    assert [x["id"] for x in only_bolt["items"]] == [b]
    assert client.get(f"/api/v1/exchanges/{a}", headers=admin).json["partner"]["name"] == "acme"


def test_listing_filters_and_pages(client: FlaskClient, make_partner):
    acme = make_partner("acme")
    ids = [_post(client, acme, str(100 + i)) for i in range(5)]
    page1 = client.get("/api/v1/exchanges?per_page=2&page=1", headers=acme.headers).json
    page3 = client.get("/api/v1/exchanges?per_page=2&page=3", headers=acme.headers).json
    assert page1["total"] == 5 and len(page1["items"]) == 2 and len(page3["items"]) == 1
    assert client.get("/api/v1/exchanges?state=received&type=ORDERS",
                      headers=acme.headers).json["total"] == 5
    assert client.get("/api/v1/exchanges?state=failed", headers=acme.headers).json["total"] == 0
    future = client.get("/api/v1/exchanges?since=2999-01-01T00:00:00Z", headers=acme.headers).json
    assert future["total"] == 0
    past = client.get("/api/v1/exchanges?until=2000-01-01", headers=acme.headers).json
    assert past["total"] == 0
    bad = client.get("/api/v1/exchanges?since=yesterday", headers=acme.headers)
    assert bad.status_code == 400 and "ISO 8601" in bad.json["error"]["message"]
    assert set(ids) == {x["id"] for x in client.get("/api/v1/exchanges?per_page=10",
                                                    headers=acme.headers).json["items"]}


def test_bad_filter_values_are_400_not_500(client: FlaskClient, make_user):
    admin = make_user("root", "admin")
    for query in ("partner_id=%C2%B2", "partner_id=x", "page=0", "per_page=100000"):
        resp = client.get(f"/api/v1/exchanges?{query}", headers=admin)
        assert resp.status_code == 400, query
