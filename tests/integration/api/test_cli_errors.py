"""Every `flask hub` command answers an expected failure with one line naming the field and the fix,
exit status 2 and no traceback; a bug still raises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from hub import create_app
from hub.cli import hub_cli
from hub.config import Settings
from tests.conftest import TEST_AUDIT_KEY

# One bad input per command, and what the line must name. A command added to the group without an
# entry here fails test_every_command_has_a_bad_input, so it cannot escape this check.
BAD_INPUTS: dict[str, tuple[list[str], str]] = {
    "audit-verify": (["--since", "yesterday"], "--since"),
    "batches-close": (["--now"], "No such option"),
    "check-identifiers": (["--fix"], "--fix"),
    "company-add": (["Seller", "--country", "NL", "--iban", "NL91ABNA0417164301"], "iban"),
    "company-list": (["--all"], "--all"),
    "connector-add": (["erp", "--key", "rest", "--endpoint", "https://user:s3cret@erp.example/api"],
                      "--token"),
    "connector-list": (["--all"], "No such option"),
    "connector-token": (["no-such-erp"], "connector-list"),
    "deliver": (["--limit", "0"], "'--limit'"),
    "deliveries": (["--state", "lost"], "'--state'"),
    "demo": (["--port", "80"], "--port"),
    "import": (["items", "no-such-file.csv"], "'PATH'"),
    "init": (["--drop"], "--drop"),
    "key-add": (["nobody"], "partner-list"),
    "key-list": (["nobody"], "partner-list"),
    "key-revoke": (["hpk_nothere"], "hpk_nothere"),
    "partner-add": (["other", "--edi-id", "5412345000014", "--qualifier", "14"], "GLN"),
    "partner-id-add": (["acme", "gln:5412345000014"], "GLN"),
    "partner-list": (["--all"], "No such option"),
    "partner-profile": (["acme", "--set", "unit_codes=PCE"], "unit_codes must be a JSON object"),
    "process": (["--now"], "No such option"),
    "purge": (["--older-than", "ninety"], "--older-than"),
    "reconcile": (["--all"], "No such option"),
    "reconcile-rule": (["guess"], "'guess' is not one of"),
    "reconcile-tolerance": (["EUR", "--absolute", "five", "--percent", "2"], "absolute"),
    "redeliver": (["no-such-delivery"], "no delivery"),
    "replenish": (["--yes"], "No such option"),
    "reprocess": (["no-such-exchange"], "no exchange"),
    "route-add": (["--from", "nobody"], "nobody"),
    "route-list": (["--all"], "No such option"),
    "route-remove": (["12345"], "12345"),
    "statement-import": (["no-such-statement.xml"], "'PATH'"),
    "token-add": (["nobody"], "no user 'nobody'"),
    "user-add": (["ana", "--role", "boss"], "'--role'"),
    "user-enrol": (["nobody"], "no user 'nobody'"),
}


def one_line_refusal(result: Result, naming: str) -> None:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and naming in lines[0], lines


def test_every_command_has_a_bad_input(app: Flask) -> None:
    assert sorted(BAD_INPUTS) == sorted(hub_cli.commands)


@pytest.mark.parametrize("command", sorted(BAD_INPUTS))
def test_a_bad_input_is_one_line_and_exit_2(command: str, runner: FlaskCliRunner, make_partner: Any) -> None:
    make_partner("acme", edi_id="5412345000013")
    args, naming = BAD_INPUTS[command]
    one_line_refusal(runner.invoke(args=["hub", command, *args]), naming)


def test_a_duplicate_edi_id_names_the_partner_holding_it(runner: FlaskCliRunner, make_partner: Any) -> None:
    make_partner("acme", edi_id="5412345000013")
    result = runner.invoke(args=["hub", "partner-add", "other", "--edi-id", "5412345000013",
                                 "--qualifier", "14"])
    one_line_refusal(result, "registered for partner 'acme' already")


def test_a_wrong_vat_or_cnpj_check_digit_is_refused_on_entry(runner: FlaskCliRunner) -> None:
    one_line_refusal(runner.invoke(args=["hub", "partner-add", "br", "--edi-id", "BR1",
                                         "--id", "cnpj:11222333000182"]), "CNPJ")
    one_line_refusal(runner.invoke(args=["hub", "partner-add", "de", "--edi-id", "DE1",
                                         "--id", "vat:DE123456789"]), "VAT")
    ok = runner.invoke(args=["hub", "partner-add", "br", "--edi-id", "BR1", "--id", "cnpj:11222333000181",
                             "--id", "cpf:12345678909", "--id", "vat:DE123456788"])
    assert ok.exit_code == 0, ok.output


def test_payee_accounts_that_look_like_an_iban_are_checked(runner: FlaskCliRunner, make_partner: Any) -> None:
    make_partner("acme", roles=("supplier",))
    one_line_refusal(runner.invoke(args=["hub", "partner-profile", "acme", "--set",
                                         'bank_accounts=["NL91ABNA0417164301"]']), "IBAN")
    ok = runner.invoke(args=["hub", "partner-profile", "acme", "--set",
                             'bank_accounts=["NL91ABNA0417164300", "0001-123456-7"]'])
    assert ok.exit_code == 0, ok.output
    one_line_refusal(runner.invoke(args=["hub", "partner-profile", "acme", "--set",
                                         'posts_for=["gln:5790000435976"]']), "posts_for: gln:5790000435976")


def test_identifiers_entered_before_the_checks_are_reported(app: Flask, runner: FlaskCliRunner,
                                                            make_partner: Any) -> None:
    from sqlalchemy import update

    from hub.db import new_session
    from hub.models import PartnerIdentifier
    partner = make_partner("old", edi_id="5412345000013")
    with app.app_context(), new_session() as session:
        session.execute(update(PartnerIdentifier).where(PartnerIdentifier.partner_id == partner.id)
                        .values(value="5412345000019"))
        session.commit()
    result = runner.invoke(args=["hub", "check-identifiers"])
    assert result.exit_code == 1
    header, row = [line for line in result.output.splitlines() if "\t" in line]
    assert header.split("\t") == ["partner", "name", "setting", "problem"]
    assert row.startswith(f"{partner.id}\told\tedi\tedi:5412345000019 (qualifier 14) is not a valid GLN")
    assert runner.invoke(args=["hub", "partner-list"]).exit_code == 0  # listed, not refused


@pytest.mark.parametrize("command", ["partner-list", "key-list", "connector-list", "deliveries",
                                     "company-list"])
def test_list_commands_print_a_header_row(command: str, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["hub", command])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("id\t")


def test_a_database_without_schema_says_run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", testing=True,
                              audit_key=TEST_AUDIT_KEY), start_scheduler=False)
    one_line_refusal(app.test_cli_runner().invoke(args=["hub", "partner-list"]), "run flask hub init")


def test_an_unreachable_postgresql_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(Settings(database_url="postgresql+psycopg://hub@127.0.0.1:9/nowhere?connect_timeout=2",
                              testing=True, audit_key=TEST_AUDIT_KEY), start_scheduler=False)
    one_line_refusal(app.test_cli_runner().invoke(args=["hub", "init"]), "DATABASE_URL")


def test_an_unexpected_error_keeps_its_traceback(runner: FlaskCliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.partners import service as partners

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")
    monkeypatch.setattr(partners, "find_partner", broken)
    result = runner.invoke(args=["hub", "key-add", "acme"])
    assert isinstance(result.exception, RuntimeError)  # raised on: a shell shows its traceback


@pytest.mark.parametrize(("setting", "naming"), [
    ({"DATABASE_URL": "postgresql://hub@127.0.0.1:9/nowhere", "HUB_AUDIT_KEY": ""}, "HUB_AUDIT_KEY"),
    ({"HUB_RETENTION_INVOICE_MIN_YEARS": "3"}, "below the legal minimum"),
])
def test_a_setting_the_hub_cannot_start_with_is_one_line(tmp_path: Path, setting: dict[str, str],
                                                         naming: str) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(root), **setting)
    command = [sys.executable, "-m", "flask", "--app", str(root / "wsgi.py"), "hub", "partner-list"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ") and naming in lines[0]
