"""Every GET route, generated from the app's URL map, answers NUL and huge numbers without a 500."""

from __future__ import annotations

import itertools

from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector, issue_connector_token

HOSTILE = ("%00", "a%00b", "99999999999999999999", "-99999999999999999999", "9" * 5000)
QUERY_NAMES = ("page", "per_page", "partner_id", "cursor", "limit", "state", "type", "direction",
               "since", "until", "ack", "actor", "action", "object_type", "object_id", "number",
               "exchange_id", "document_id", "connector", "syntax")


# JSON aside: the audit CSV export, Prometheus' text format, the docs page and its script
TEXT_TYPES = ("text/csv", "text/plain", "text/html", "application/javascript")


def _connector_headers(app: Flask) -> dict[str, str]:
    with app.app_context(), new_session() as session:
        row = add_connector(session, ConnectorSpec(name="poller", key="poll"), actor="test",
                            secret_key=app.config["HUB_SETTINGS"].secret_key)
        _, secret = issue_connector_token(session, row, actor="test")
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _get_rules(app: Flask) -> list[tuple[str, list[str]]]:
    # the admin pages answer HTML to a signed-in browser: tests/integration/admin/test_pages.py
    rules = [(r.rule, sorted(r.arguments)) for r in app.url_map.iter_rules()
             if "GET" in (r.methods or ()) and r.endpoint != "static"
             and not r.endpoint.startswith("admin.")]
    assert len(rules) >= 10, rules  # the map was read, not an empty list
    return rules


def _paths(rule: str, arguments: list[str]) -> list[str]:
    """The rule with every argument set to each hostile value, and with a harmless one."""
    def fill(value: str) -> str:
        path = rule
        for name in arguments:
            path = path.replace(f"<{name}>", value)
        return path
    return [fill(v) for v in HOSTILE] if arguments else [rule]


def test_no_get_route_answers_500_to_nul_or_huge_numbers(app: Flask, client: FlaskClient,
                                                          make_partner, make_user):
    credentials = [make_partner("acme").headers, make_user("root", "admin"), _connector_headers(app)]
    seen = 0
    for (rule, arguments), headers in itertools.product(_get_rules(app), credentials):
        for path in _paths(rule, arguments):
            resp = client.get(path, headers=headers)
            assert resp.status_code != 500, (path, resp.status_code, resp.data[:200])
            # JSON, the audit CSV export, Prometheus' text format or the API docs page
            assert resp.is_json or resp.mimetype in TEXT_TYPES, (
                path, resp.mimetype)
            if arguments:
                assert resp.status_code in (400, 401, 403, 404), (path, resp.status_code)
            seen += 1
        if headers is not credentials[1]:
            continue  # query parameters: as the admin, who reaches every staff view's filters
        base = _paths(rule, arguments)[0].replace("%00", "x")
        for name, value in itertools.product(QUERY_NAMES, HOSTILE[1:3]):
            resp = client.get(f"{base}?{name}={value}", headers=headers)
            assert resp.status_code != 500, (base, name, value, resp.data[:200])
            assert resp.is_json or resp.mimetype in TEXT_TYPES, (
                base, name, resp.mimetype)
            seen += 1
    assert seen > 500
