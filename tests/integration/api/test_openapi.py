"""The API description is built from the routes: every route is described, the page renders it with
the hub's own assets, and a route added without a description breaks the description loudly."""

from __future__ import annotations

import pytest

from hub.api.openapi import UndescribedRoute, build_spec, described_rules


def test_every_route_of_the_api_is_in_the_description(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in described_rules(app):
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described
    post = spec["paths"]["/api/v1/exchanges"]["post"]
    assert {"202", "200", "401", "403", "409", "413", "415"} <= set(post["responses"])
    assert post["summary"].startswith("Store the posted file")  # the view's own docstring
    assert spec["paths"]["/healthz"]["get"].get("security") is None
    kinds = spec["paths"]["/api/v1/procurement/{kind}"]["get"]["parameters"][0]["schema"]["enum"]
    assert kinds == ["items", "supplier-terms", "reorder-rules"]


def test_a_route_without_a_description_is_refused(app):
    @app.get("/api/v1/undescribed")
    def undescribed() -> str:
        return "x"

    with pytest.raises(UndescribedRoute, match=r"without a description.*undescribed"):
        build_spec(app)


def test_the_docs_page_uses_only_assets_the_hub_serves(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.data.decode()
    assert "http" not in html  # no CDN: every asset is a path on this hub
    for asset in ("/api/v1/docs/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css",
                  "/static/swagger-ui/init.js"):
        assert asset in html
        served = client.get(asset)
        assert served.status_code == 200 and len(served.data) > 100
        served.close()


def test_an_id_past_the_integer_columns_is_404_not_500(client, make_user):
    """Found by the schemathesis run: such a number reached the database, which refused it."""
    staff = make_user("ops", "operator")
    resp = client.get("/api/v1/procurement/purchase-orders/1195287865491568852278968320", headers=staff)
    assert resp.status_code == 404 and resp.json["error"]["code"] == "NOT_FOUND"


def test_the_gzipped_script_is_sent_packed_or_unpacked_as_the_client_accepts(client):
    packed = client.get("/api/v1/docs/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.data[:2] == b"\x1f\x8b"
    plain = client.get("/api/v1/docs/swagger-ui-bundle.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"SwaggerUIBundle" in plain.data
