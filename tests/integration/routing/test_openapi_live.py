"""Schemathesis against the routing operations on a live hub, as an admin with rules, connectors
and partners present: no 500 and nothing the description does not name."""

from __future__ import annotations

import re

from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector
from tests.integration.server.test_openapi_live import live_hub, schemathesis

__all__ = ["live_hub"]


def test_generated_routing_requests_meet_the_description(app, live_hub, make_user,
                                                         make_partner, client) -> None:
    admin = make_user("boss", "admin")
    make_partner("buyer")
    with app.app_context(), new_session() as session:
        add_connector(session, ConnectorSpec(name="erp", key="poll"), actor="test",
                      secret_key=app.config["HUB_SETTINGS"].secret_key)
        session.commit()
    assert client.post("/api/v1/routing/rules", json={"from": "buyer", "connectors": ["erp"]},
                       headers=admin).status_code == 201
    run = schemathesis(live_hub, admin["Authorization"].split()[1], "^/api/v1/routing",
                       phases="coverage,fuzzing", seconds=20)
    tested = re.search(r"Tested: (\d+)", run)
    assert tested and int(tested[1]) == 7, run
