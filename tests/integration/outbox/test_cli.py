"""`flask hub connector-add|connector-list|connector-token`: secrets by env reference or encrypted."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from hub.db import new_session
from hub.erp.connectors import find_connector, runtime_settings
from hub.models import ErpConnector


def _row(app: Flask, name: str) -> ErpConnector:
    with app.app_context(), new_session() as session:
        return find_connector(session, name)


def test_connector_add_with_env_reference_and_list(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["hub", "connector-add", "sap", "--key", "rest", "--endpoint",
                                 "https://erp.example.com/api", "--doc-type", "purchase_order",
                                 "--option", "send_path=/orders", "--option", "verify=true",
                                 "--username", "hub", "--password", "env:SAP_PASSWORD"])
    assert result.exit_code == 0, result.output
    row = _row(app, "sap")
    assert row.settings["password"] == "env:SAP_PASSWORD" and row.document_types == ["purchase_order"]
    assert row.settings["options"] == {"send_path": "/orders", "verify": True}
    listing = runner.invoke(args=["hub", "connector-list"]).output
    assert "sap\trest\thttps://erp.example.com/api\tpurchase_order" in listing
    assert "secret:env:SAP_PASSWORD" in listing


def test_a_literal_secret_is_refused_without_a_key_and_encrypted_with_one(
        app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    args = ["hub", "connector-add", "erp", "--key", "rest", "--endpoint", "https://erp.example.com/",
            "--token", "s3cret-token"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2 and "HUB_SECRET_KEY" in refused.output
    monkeypatch.setenv("HUB_SECRET_KEY", "a long random passphrase for tests")
    assert runner.invoke(args=args).exit_code == 0
    row = _row(app, "erp")
    assert row.settings["token"].startswith("enc:") and "s3cret" not in str(row.settings)
    assert runtime_settings(row.settings, row.document_types).token == "s3cret-token"
    assert "secret:encrypted" in runner.invoke(args=["hub", "connector-list"]).output


def test_bad_connector_settings_are_refused(app: Flask, runner: FlaskCliRunner) -> None:
    http = runner.invoke(args=["hub", "connector-add", "x", "--key", "rest", "--endpoint", "http://erp.example.com/"])
    assert http.exit_code == 2 and "allow-list" in http.output  # plain http only on loopback in tests
    missing = runner.invoke(args=["hub", "connector-add", "y", "--key", "soap"])
    assert missing.exit_code == 2 and "--endpoint" in missing.output
    with app.app_context(), new_session() as session:
        assert session.query(ErpConnector).count() == 0


def test_connector_token_is_the_last_line_and_polls(app: Flask, runner: FlaskCliRunner,
                                                    client: FlaskClient) -> None:
    assert runner.invoke(args=["hub", "connector-add", "poller", "--key", "poll"]).exit_code == 0
    result = runner.invoke(args=["hub", "connector-token", "poller"])
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("hct_")
    answer = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json == {"items": [], "next_cursor": 0}
    assert runner.invoke(args=["hub", "connector-token", "nope"]).exit_code == 2
