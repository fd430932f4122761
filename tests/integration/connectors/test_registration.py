"""`connector-add` refuses what would leak or fail later: credentials in URLs, a bad WSDL, loopback ERPs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, ErpConnector
from tests.integration.connectors.conftest import ERP_WSDL

SECRET = "Zq8sEcReT4711"


def _add(runner: FlaskCliRunner, name: str, key: str, endpoint: str, *options: str) -> tuple[int, str]:
    args = ["hub", "connector-add", name, "--key", key, "--endpoint", endpoint]
    for option in options:
        args += ["--option", option]
    result = runner.invoke(args=args)
    return result.exit_code, result.output


def _stored_anywhere(app: Flask, text: str) -> bool:
    """Whether `text` is in any connector row or audit event."""
    with app.app_context(), new_session() as session:
        rows = [json.dumps(r.settings) for r in session.scalars(select(ErpConnector))]
        events = [json.dumps(e.details) for e in session.scalars(select(AuditEvent))]
    return any(text in blob for blob in rows + events)


@pytest.mark.parametrize("endpoint, named", [
    (f"https://{SECRET}@erp.example/api", "user info"),
    (f"https://hub:{SECRET}@erp.example/api", "user info"),
    (f"https://erp.example/api?api_key={SECRET}", "api_key"),
    (f"https://erp.example/api?tenant=7&token={SECRET}", "token"),
    (f"https://erp.example/api?access_token={SECRET}", "access_token"),
    (f"https://erp.example/api?password={SECRET}", "password"),
    (f"https://erp.blob.example/in?sv=2024&sig={SECRET}", "sig"),
    (f"https://erp.example/api?X-Api-Key={SECRET}", "X-Api-Key"),
])
def test_an_endpoint_carrying_a_credential_is_refused_without_echoing_it(
        app: Flask, runner: FlaskCliRunner, endpoint: str, named: str) -> None:
    code, output = _add(runner, "erp", "rest", endpoint)
    assert code == 2
    assert named in output and "--token env:" in output and "secret" in output
    assert SECRET not in output
    assert not _stored_anywhere(app, SECRET)
    with app.app_context(), new_session() as session:
        assert session.scalar(select(ErpConnector.id)) is None


def test_a_wsdl_url_carrying_a_credential_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    code, output = _add(runner, "erp", "soap", "https://erp.example/soap",
                        f"wsdl=https://erp.example/soap?wsdl&token={SECRET}")
    assert code == 2 and "option wsdl" in output and SECRET not in output
    assert not _stored_anywhere(app, SECRET)


def test_an_endpoint_with_an_ordinary_query_is_accepted(app: Flask, runner: FlaskCliRunner) -> None:
    code, output = _add(runner, "erp", "rest", "https://erp.example/api?tenant=7&lang=pt")
    assert code == 0, output


def test_a_wsdl_that_cannot_be_read_is_refused_in_one_line_naming_it(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "erp.wsdl"
    code, output = _add(runner, "erp", "soap", "https://erp.example/soap", f"wsdl={missing}")
    assert code == 2
    assert str(missing) in output and len(output.strip().splitlines()) == 1
    with app.app_context(), new_session() as session:
        assert session.scalar(select(ErpConnector.id)) is None


@pytest.mark.parametrize("content, reason", [
    ("this is not XML at all", "malformed XML"),
    ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaa">]>\n<d>&a;</d>', "DTD"),
    ('<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x"/>', "no binding"),
])
def test_a_wsdl_that_does_not_parse_hardened_is_refused_in_one_line(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path, content: str, reason: str) -> None:
    wsdl = tmp_path / "erp.wsdl"
    wsdl.write_text(content, encoding="utf-8")
    code, output = _add(runner, "erp", "soap", "https://erp.example/soap", f"wsdl={wsdl}")
    assert code == 2
    assert str(wsdl) in output and reason in output and len(output.strip().splitlines()) == 1


def test_a_readable_wsdl_is_loaded_and_accepted(app: Flask, runner: FlaskCliRunner) -> None:
    code, output = _add(runner, "erp", "soap", "https://erp.example/soap", f"wsdl={ERP_WSDL}")
    assert code == 0, output


@pytest.mark.parametrize("key, endpoint", [
    ("rest", "https://127.0.0.1:8443/api"),
    ("rest", "https://localhost/api"),
    ("rest", "https://[::1]:8443/api"),
    ("rest", "https://0.0.0.0/api"),
    ("rest", "http://127.0.0.1:8080/api"),
    ("soap", "https://127.0.0.1:8443/soap"),
])
def test_a_loopback_endpoint_needs_allow_loopback_whatever_the_scheme(
        app: Flask, runner: FlaskCliRunner, key: str, endpoint: str) -> None:
    wsdl = [f"wsdl={ERP_WSDL}"] if key == "soap" else []
    code, output = _add(runner, "erp", key, endpoint, *wsdl)
    assert code == 2 and "allow_loopback" in output
    code, output = _add(runner, "erp", key, endpoint, *wsdl, "allow_loopback=true")
    assert code == 0, output
