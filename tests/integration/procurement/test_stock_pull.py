"""Stock levels pulled from an ERP on the schedule: once per slot, then only what changed since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector
from hub.models import StockLevel
from hub.procurement.stock_pull import pull
from tests.support.erp_state import Mode
from tests.support.servers import running_rest_erp

HOUR = timedelta(hours=1)


def _levels(app: Flask) -> dict[str, Decimal]:
    with new_session(app) as session:
        return {r.item: r.quantity for r in session.scalars(select(StockLevel))}


def _connector(app: Flask, url: str, **options: Any) -> None:
    spec = ConnectorSpec(name="erp", key="rest", endpoint=url, document_types=(),
                         options={"allow_loopback": True, **options}, connect_timeout=1.0, read_timeout=5.0)
    with app.app_context(), new_session() as session:
        add_connector(session, spec, actor="test", secret_key=app.config["HUB_SETTINGS"].secret_key)
        session.commit()


def test_a_pull_per_slot_then_only_what_changed(app: Flask) -> None:
    with running_rest_erp() as (erp, server):
        _connector(app, server.url, pull_stock_levels=True)
        key = app.config["HUB_SETTINGS"].secret_key
        sessions = lambda: new_session(app)  # noqa: E731
        first = pull(sessions, at=datetime(2026, 12, 2, 10, 5, tzinfo=UTC), every=HOUR, secret_key=key)
        assert first["erp"]["updated"] == 2 and first["erp"]["newest"] == "2025-03-02T08:00:00+00:00"
        assert _levels(app) == {"4000862141404": Decimal(120), "4000862141411": Decimal("7.5")}
        again = pull(sessions, at=datetime(2026, 12, 2, 10, 50, tzinfo=UTC), every=HOUR, secret_key=key)
        assert again == {"erp": {"skipped": "slot 2026-12-02T10:00:00+00:00 already pulled"}}
        erp.fail(Mode.error_500, times=1)
        failed = pull(sessions, at=datetime(2026, 12, 2, 11, 5, tzinfo=UTC), every=HOUR, secret_key=key)
        assert failed["erp"]["outcome"] == "failed" and "500" in failed["erp"]["error"]
        later = pull(sessions, at=datetime(2026, 12, 2, 12, 5, tzinfo=UTC), every=HOUR, secret_key=key)
        assert later["erp"]["outcome"] == "done" and later["erp"].get("updated", 0) == 0, \
            "only what changed after the newest level already held (nothing)"


def test_connectors_not_asked_to_are_left_alone(app: Flask) -> None:
    with running_rest_erp() as (_erp, server):
        _connector(app, server.url)
        key = app.config["HUB_SETTINGS"].secret_key
        assert pull(lambda: new_session(app), at=datetime(2026, 12, 2, 10, tzinfo=UTC), every=HOUR,
                    secret_key=key) == {}
