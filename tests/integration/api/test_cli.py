"""The `flask hub` commands an operator uses to set the hub up."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.integration.api.test_receive import interchange


def test_partner_key_user_and_token_commands(client: FlaskClient, runner: FlaskCliRunner):
    out = runner.invoke(args=["hub", "partner-add", "Loja Azul", "--edi-id", "7890000000017",
                              "--qualifier", "14", "--role", "buyer", "--role", "supplier",
                              "--id", "cnpj:11222333000181", "--syntax", "ubl"])
    assert out.exit_code == 0, out.output
    listing = runner.invoke(args=["hub", "partner-list"]).output
    assert "Loja Azul" in listing and "cnpj:11222333000181" in listing and "edi:7890000000017:14" in listing
    first = runner.invoke(args=["hub", "key-add", "Loja Azul"])
    second = runner.invoke(args=["hub", "key-add", "1", "--label", "backup"])
    key1, key2 = first.output.strip().splitlines()[-1], second.output.strip().splitlines()[-1]
    assert key1 != key2 and key1.startswith("hpk_")
    body = interchange("7890000000017", "77")
    assert client.post("/api/v1/exchanges", data=body,
                       headers={"Authorization": f"Bearer {key2}"}).status_code == 202
    assert runner.invoke(args=["hub", "key-revoke", key1[:12]]).exit_code == 0
    assert client.get("/api/v1/exchanges", headers={"Authorization": f"Bearer {key1}"}).status_code == 401
    assert client.get("/api/v1/exchanges", headers={"Authorization": f"Bearer {key2}"}).status_code == 200
    keys = runner.invoke(args=["hub", "key-list", "Loja Azul"]).output
    assert "revoked" in keys and "active" in keys and key1 not in keys  # secrets never listed
    assert runner.invoke(args=["hub", "user-add", "ana", "--role", "auditor"]).exit_code == 0
    token = runner.invoke(args=["hub", "token-add", "ana"]).output.strip().splitlines()[-1]
    assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_commands_report_errors_without_tracebacks(runner: FlaskCliRunner):
    assert runner.invoke(args=["hub", "partner-add", "x", "--edi-id", "1"]).exit_code == 0
    again = runner.invoke(args=["hub", "partner-add", "x", "--edi-id", "2"])
    assert again.exit_code == 2 and "already exists" in again.output
    missing = runner.invoke(args=["hub", "key-add", "nobody"])
    assert missing.exit_code == 2 and "no partner 'nobody'" in missing.output
    assert runner.invoke(args=["hub", "key-revoke", "hpk_nothere"]).exit_code == 2


def test_demo_command_reuses_its_key_while_it_is_active(app: Flask, client: FlaskClient,
                                                        runner: FlaskCliRunner):
    out = runner.invoke(args=["hub", "demo"])
    assert out.exit_code == 0 and "Hub URL: http://127.0.0.1:5000" in out.output
    key = out.output.strip().splitlines()[-1]
    kept = Path(app.instance_path) / "demo.key"
    assert kept.read_text().strip() == key and stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = runner.invoke(args=["hub", "demo"]).output.strip().splitlines()[-1]
    assert again == key  # reused: no new key on every start
    assert client.get("/api/v1/exchanges", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert runner.invoke(args=["hub", "partner-list"]).output.count("demo") == 1
    assert runner.invoke(args=["hub", "key-revoke", key[:12]]).exit_code == 0
    fresh = runner.invoke(args=["hub", "demo"]).output.strip().splitlines()[-1]
    assert fresh != key and kept.read_text().strip() == fresh
    keys = runner.invoke(args=["hub", "key-list", "demo"]).output
    assert keys.count("\tactive\t") == 1  # never more than one active demo key
