"""`flask hub connector-add|connector-list|connector-token`: secrets by env reference or encrypted."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from hub import create_app
from hub.config import Settings
from hub.db import new_session
from hub.domain.errors import ConnectorError
from hub.erp.connectors import find_connector, runtime_settings
from hub.models import ErpConnector
from tests.conftest import TEST_AUDIT_KEY


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
        app: Flask, runner: FlaskCliRunner) -> None:
    settings = app.config["HUB_SETTINGS"]
    assert settings.secret_key == ""
    args = ["hub", "connector-add", "erp", "--key", "rest", "--endpoint", "https://erp.example.com/",
            "--token", "s3cret-token"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2 and "HUB_SECRET_KEY" in refused.output
    settings.secret_key = "a long random passphrase for tests"
    assert runner.invoke(args=args).exit_code == 0
    row = _row(app, "erp")
    assert row.settings["token"].startswith("enc:") and "s3cret" not in str(row.settings)
    assert runtime_settings(row.settings, row.document_types,
                            secret_key=settings.secret_key).token == "s3cret-token"
    with pytest.raises(ConnectorError, match="cannot be decrypted with this HUB_SECRET_KEY"):
        runtime_settings(row.settings, row.document_types, secret_key="another passphrase")
    with pytest.raises(ConnectorError, match="encrypted but HUB_SECRET_KEY is unset"):
        runtime_settings(row.settings, row.document_types, secret_key="")
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


def test_the_secret_key_reaches_the_hub_from_hub_secret_key_in_the_environment(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    passphrase = "a passphrase only the environment holds"
    settings = Settings.from_env({"DATABASE_URL": database_url, "HUB_AUDIT_KEY": TEST_AUDIT_KEY,
                                  "HUB_SECRET_KEY": passphrase})
    assert settings.secret_key == passphrase and passphrase not in repr(settings)
    assert Settings.from_env({"DATABASE_URL": database_url}).secret_key == ""
    app = create_app(settings, start_scheduler=False)
    try:
        added = app.test_cli_runner().invoke(args=[
            "hub", "connector-add", "erp", "--key", "rest", "--endpoint", "https://erp.example.com/",
            "--token", "s3cret-token"])
        assert added.exit_code == 0, added.output
        row = _row(app, "erp")
    finally:
        app.extensions["hub.engine"].dispose()
    assert row.settings["token"].startswith("enc:")
    assert runtime_settings(row.settings, row.document_types, secret_key=passphrase).token == "s3cret-token"
