"""The OpenAPI description against the live hub: schemathesis generates requests for every
operation (as staff, as a partner and as an ERP connector) and finds no 500 and no status code,
content type or body the description does not name. Bounded: a few examples per operation."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector, issue_connector_token
from tests.support.servers import ErpServer

ST = Path(sys.executable).parent / "st"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture
def live_hub(app: Flask) -> Iterator[str]:
    with ErpServer(app) as server:
        yield server.url.rstrip("/")


def schemathesis(base: str, token: str, only: str = "", *, phases: str = "fuzzing", seconds: int = 10
                 ) -> str:
    """Run schemathesis on the operations whose path matches `only` (all when empty)."""
    args = [str(ST), "run", f"{base}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
            "-n", "3", "--seed", "20261202", "--no-shrink", "--phases", phases, "-c", CHECKS,
            "--max-time", str(seconds), "--warnings", "off", "--request-timeout", "10"]
    if only:
        args += ["--include-path-regex", only]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    summary = done.stdout[-3000:]
    assert done.returncode == 0, summary
    figures = [line.strip() for line in summary.splitlines()
               if any(word in line for word in ("Tested:", "generated", "issues found"))]
    print(f"schemathesis {only or 'all operations'}:", *figures, sep="\n  ")  # -s shows it
    return summary


def test_generated_requests_meet_the_description(app, live_hub, make_user, make_partner):
    admin = make_user("boss", "admin")["Authorization"].split()[1]
    partner = make_partner("p").key
    with app.app_context(), new_session() as session:
        row = add_connector(session, ConnectorSpec(name="erp", key="poll"), actor="test",
                            secret_key=app.config["HUB_SETTINGS"].secret_key)
        _, connector = issue_connector_token(session, row, actor="test")
        session.commit()

    staff_run = schemathesis(live_hub, admin, phases="coverage,fuzzing", seconds=25)
    tested = re.search(r"Tested: (\d+)", staff_run)
    assert tested and int(tested[1]) >= 33, staff_run  # every operation of the description
    partner_run = schemathesis(live_hub, partner, "^/api/v1/(mailbox|exchanges)", seconds=8)
    assert "Tested: 8" in partner_run, partner_run
    connector_run = schemathesis(live_hub, connector, "^/api/v[12]/(outbox|erp)|/receipts$", seconds=8)
    assert "Tested: 9" in connector_run, connector_run  # /api/v2/erp/invoices too
