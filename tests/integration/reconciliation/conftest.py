"""The realistic scenario, built once per test on a fresh database, and an admin's, an operator's and an
auditor's headers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from hub.db import new_session
from tests.support import reconciliation


@pytest.fixture
def scenario(app: Flask, make_user: Any) -> dict[str, Any]:
    with app.app_context(), new_session() as session:
        built = reconciliation.realistic(session)
        session.commit()
        numbers = {k: v.number for k, v in built.invoices.items()}
        ids = {k: v.id for k, v in built.invoices.items()}
        partner_ids = {k: v.id for k, v in built.partners.items()}
    return {"numbers": numbers, "ids": ids, "partners": partner_ids,
            "admin": make_user("boss", "admin"), "operator": make_user("ana", "operator"),
            "auditor": make_user("eve", "auditor")}
