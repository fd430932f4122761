"""An ERP error that echoes the hub's credentials is masked before it is stored, audited or logged."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connectors.base import ConnectorSettings, Delivery, HealthStatus, SendResult
from connectors.registry import CONNECTORS
from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector
from hub.models import AuditEvent, OutboundDelivery
from tests.integration.connectors.conftest import ERP_WSDL
from tests.integration.outbox.conftest import FAST, deliver
from tests.support.erp_state import Mode, TestErp
from tests.support.servers import ErpServer

ERP_SIDE_LOGGERS = ("spyne", "werkzeug")  # the test ERP's own logs, in this process


@pytest.fixture
def secret(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh credential, also in ERP_SECRET for `env:` references (resolved by the connector from the
    environment at call time, by design), and the hub's settings given a secret key for literals."""
    value = "tok-" + secrets.token_urlsafe(16)
    monkeypatch.setenv("ERP_SECRET", value)
    app.config["HUB_SETTINGS"].secret_key = "a long random passphrase for tests"
    yield value


def _connector(app: Flask, key: str, endpoint: str, **spec: Any) -> None:
    options = {"allow_loopback": True, **({"wsdl": str(ERP_WSDL)} if key == "soap" else {})}
    with app.app_context(), new_session() as session:
        add_connector(session, ConnectorSpec(name="erp", key=key, endpoint=endpoint, options=options,
                                             connect_timeout=1.0, read_timeout=5.0, **spec), actor="test",
                      secret_key=app.config["HUB_SETTINGS"].secret_key)
        session.commit()


def _everything_stored(app: Flask, client: FlaskClient, headers: dict[str, str]) -> str:
    """The deliveries' errors, every audit event and the operators' listing, as one text."""
    with app.app_context(), new_session() as session:
        errors = [json.dumps(d.last_error) for d in session.scalars(select(OutboundDelivery))]
        events = [json.dumps(e.details) for e in session.scalars(select(AuditEvent))]
    listing = client.get("/api/v1/outbox/deliveries", headers=headers).get_data(as_text=True)
    return "\n".join([*errors, *events, listing])


def _last_error(app: Flask) -> str:
    with app.app_context(), new_session() as session:
        [row] = session.scalars(select(OutboundDelivery)).all()
        assert row.state == "retrying" and row.last_error is not None
        return str(row.last_error["message"])


@pytest.mark.parametrize("erp_kind", ["rest", "soap"])
def test_a_bearer_token_echoed_by_the_erp_is_masked_everywhere(
        app: Flask, client: FlaskClient, erp_kind: str, secret: str, make_documents: Callable[..., list[str]],
        make_user: Callable[..., dict[str, str]], request: pytest.FixtureRequest,
        caplog: pytest.LogCaptureFixture) -> None:
    erp, server = request.getfixturevalue(f"{erp_kind}_erp")
    erp.auth = ("bearer", secret)
    _connector(app, erp_kind, server.url, token="env:ERP_SECRET")
    make_documents(1)
    erp.fail(Mode.echo_credentials)
    with caplog.at_level(logging.INFO):  # zeep's and urllib3's DEBUG lines show raw traffic, by design
        deliver(app, limit=10, policy=FAST)
    message = _last_error(app)
    assert "credential *** refused (Authorization: ***)" in message  # the ERP did echo it
    assert secret not in _everything_stored(app, client, make_user("ops", "operator"))
    hub_side = [r for r in caplog.records if not r.name.startswith(ERP_SIDE_LOGGERS)]
    assert not any(secret in r.getMessage() for r in hub_side)


def test_basic_credentials_echoed_by_the_erp_are_masked(
        app: Flask, client: FlaskClient, rest_erp: tuple[TestErp, ErpServer], secret: str,
        make_documents: Callable[..., list[str]], make_user: Callable[..., dict[str, str]]) -> None:
    erp, server = rest_erp
    erp.auth = ("basic", "hub", secret)
    _connector(app, "rest", server.url, username="hub", password=secret)  # literal: stored encrypted
    make_documents(1)
    erp.fail(Mode.echo_credentials)
    deliver(app, limit=10, policy=FAST)
    assert "credential hub:*** refused (Authorization: ***)" in _last_error(app)
    assert secret not in _everything_stored(app, client, make_user("ops", "operator"))


class LeakyConnector:
    """A connector with a bug whose exception text carries its token."""

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    def send(self, delivery: Delivery) -> SendResult:
        raise RuntimeError(f"bug while sending with token {self.settings.secret('token')}")

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        return []

    def health(self) -> HealthStatus:
        return HealthStatus(True)

    def close(self) -> None:
        return None


def test_a_crashing_connector_has_its_secret_masked_in_the_log_and_the_traceback(
        app: Flask, client: FlaskClient, secret: str, make_documents: Callable[..., list[str]],
        make_user: Callable[..., dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(CONNECTORS, "leaky", LeakyConnector)
    _connector(app, "leaky", "https://erp.example/api", token="env:ERP_SECRET")
    make_documents(1)
    with caplog.at_level(logging.ERROR):
        deliver(app, limit=10, policy=FAST)
    assert "bug while sending with token ***" in _last_error(app)
    assert "RuntimeError" in caplog.text and secret not in caplog.text
    assert secret not in _everything_stored(app, client, make_user("ops", "operator"))
