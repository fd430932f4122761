"""`flask hub statement-import`, the scheduled fetch from a connector's folder, and remittance advices."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from hub.db import new_session
from hub.exchanges.processing import process_pending
from hub.jobruns.models import JobRun
from hub.models import AuditEvent, Exchange
from hub.reconciliation.fetch import run
from hub.reconciliation.models import RemittanceRecord
from tests.integration.reconciliation.conftest import BANK, bank_file, stored

REMADV = BANK.parent / "edifact" / "demo_remadv_d96a_reconciliation.edi"


def test_cli_imports_with_a_progress_bar_and_says_when_nothing_is_new(app: Flask, runner: Any) -> None:
    path = str(BANK / "ponte_bank_export.csv")
    first = runner.invoke(args=["hub", "statement-import", path])
    assert first.exit_code == 0, first.output
    assert "1 statement(s) new" in first.output and "5 entries imported" in first.output
    assert "importing ponte_bank_export.csv" in first.output  # the progress bar (stderr, mixed in)
    again = runner.invoke(args=["hub", "statement-import", path, "--format", "csv", "--profile", "generic"])
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1].startswith("nothing new: this file")
    assert len(stored(app)[1]) == 5


def test_cli_errors_are_one_line_each_and_exit_2(app: Flask, runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(bank_file("ponte_pix_export.csv").replace(b"12.450,00", b"12,450.00")
                    .replace(b"529.982.247-25", b"529.982.247-26"))
    result = runner.invoke(args=["hub", "statement-import", str(bad)])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if "failed:" in line]
    assert len(errors) == 2
    assert errors[0].endswith("line 2, Valor: '12,450.00' is not an amount")
    assert "line 4, CPF/CNPJ Pagador: '529.982.247-26' is not a valid CPF" in errors[1]
    unknown = runner.invoke(args=["hub", "statement-import", str(bad), "--profile", "nubank"])
    assert unknown.exit_code == 2 and "error: profile: unknown profile 'nubank'" in unknown.output
    with new_session(app) as session:
        assert len(list(session.scalars(select(Exchange)))) == 1, "a wrong profile name stores nothing"


def _file_connector(runner: Any, folder: Path) -> Path:
    result = runner.invoke(args=["hub", "connector-add", "bank-drop", "--key", "file", "--endpoint",
                                 str(folder), "--option", "statements=true"])
    assert result.exit_code == 0, result.output
    inbox = folder / "inbox" / "statements"
    inbox.mkdir(parents=True)
    return inbox


def test_scheduled_fetch_imports_a_folder_once_per_slot(app: Flask, runner: Any, tmp_path: Path) -> None:
    inbox = _file_connector(runner, tmp_path / "bank")
    (inbox / "camt053.xml").write_bytes(bank_file("ponte_camt053_eur.xml"))
    (inbox / "broken.sta").write_bytes(b":20:X\n:25:NL91ABNA0417164300\n:61:nonsense\n")
    slot = datetime(2026, 12, 2, 10, 3, tzinfo=UTC)
    with freeze_time(slot):
        run(app)
    assert sorted(p.name for p in (tmp_path / "bank" / "archive" / "statements").iterdir()) == [
        "broken.sta", "camt053.xml"]
    assert not list(inbox.iterdir())
    (inbox / "mt940.sta").write_bytes(bank_file("ponte_mt940_eur.sta"))
    with freeze_time(slot + timedelta(minutes=10)):  # the same 15-minute slot: not fetched again
        run(app)
    assert (inbox / "mt940.sta").exists()
    with freeze_time(slot + timedelta(minutes=15)):
        run(app)
    assert not (inbox / "mt940.sta").exists()
    with new_session(app) as session:
        runs = list(session.scalars(select(JobRun).order_by(JobRun.id)))
        states = sorted(e.state for e in session.scalars(select(Exchange)))
    assert [r.slot for r in runs] == ["2026-12-02T10:00:00+00:00", "2026-12-02T10:15:00+00:00"]
    assert [f["file"] for f in runs[0].details["files"]] == ["broken.sta", "camt053.xml"]
    assert "error" in runs[0].details["files"][0] and states == ["failed", "processed", "processed"]
    assert len(stored(app)[0]) == 3  # camt.053, then MT940's two statements


def test_an_accepted_remittance_advice_becomes_a_record_once(app: Flask, client: FlaskClient,
                                                             make_partner: Any) -> None:
    buyer = make_partner("demo-retail", edi_id="5412345000013")
    posted = client.post("/api/v1/exchanges", data=REMADV.read_bytes(), headers=buyer.headers)
    assert posted.status_code == 202, posted.json
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    resent = REMADV.read_bytes().replace(b"REM7781'", b"REM7782'")  # a new interchange, same advice
    assert client.post("/api/v1/exchanges", data=resent, headers=buyer.headers).status_code == 202
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    with new_session(app) as session:
        records = list(session.scalars(select(RemittanceRecord)))
    assert len(records) == 1
    record = records[0]
    assert (record.partner_id, record.number, record.currency, str(record.total)) == (
        buyer.id, "REM-2026-7781", "EUR", "1815.00")
    assert [(line["invoice"], line["amount"]) for line in record.lines] == [
        ("INV-2026-000101", "500.00"), ("INV-2026-000102", "815.00"), ("INV-2026-000103", "500.00")]
    assert record.lines[2]["adjustment"] == "-2.00" and record.exchange_id == posted.json["id"]
    assert record.payment_date is not None and record.payment_date.isoformat() == "2026-12-01"
    replacing = (REMADV.read_bytes().replace(b"REM7781'", b"REM7783'").replace(b"+REM-2026-7781+9'",
                 b"+REM-2026-7781+5'").replace(b"MOA+12:815.00'", b"MOA+12:800.00'")
                 .replace(b"MOA+12:1815.00'", b"MOA+12:1800.00'"))
    assert client.post("/api/v1/exchanges", data=replacing, headers=buyer.headers).status_code == 202
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    with new_session(app) as session:
        replaced = session.scalars(select(RemittanceRecord)).one()
        actions = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "remittance_record").order_by(AuditEvent.id)))
    assert (str(replaced.total), replaced.lines[1]["amount"]) == ("1800.00", "800.00")
    assert actions == ["remittance.recorded", "remittance.replaced"]


def test_a_failed_file_is_read_again_by_reprocess_after_its_profile_is_added(
        app: Flask, client: FlaskClient, make_user: Any, runner: Any, tmp_path: Path) -> None:
    export = b"Datum|Betrag|Zweck\n01.12.2026|1.234,50|INV-2026-000101\n"
    answer = client.post("/api/v1/reconciliation/statements", data=export,
                         headers=make_user("ana", "operator"))
    assert answer.status_code == 422 and "fits no CSV profile" in answer.json["error"]["message"]
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "hausbank.json").write_text(
        '{"name": "hausbank", "delimiter": "|", "decimal_mark": ",", "thousands": ".", '
        '"date_format": "%d.%m.%Y", "account": "DE89370400440532013000", "currency": "EUR", '
        '"columns": {"booking_date": "Datum", "amount": "Betrag", "remittance_info": "Zweck"}}')
    app.config["HUB_SETTINGS"].statement_profiles = str(tmp_path / "profiles")
    result = runner.invoke(args=["hub", "reprocess", answer.json["exchange_id"]])
    assert result.exit_code == 0, result.output
    statements, entries = stored(app)
    assert [s.source_format for s in statements] == ["csv:hausbank"]
    assert [str(e.amount) for e in entries] == ["1234.50"]
    with new_session(app) as session:
        exchange = session.get(Exchange, answer.json["exchange_id"])
        assert exchange is not None and exchange.state == "processed"
        assert exchange.result["statements"] == [statements[0].id]


def test_a_rest_erp_hands_statements_over_on_the_schedule(app: Flask) -> None:
    from hub.erp.connectors import ConnectorSpec, add_connector
    from hub.reconciliation.fetch import fetch
    from hub.reconciliation.statements.csv_profiles import load_profiles
    from tests.support.servers import running_rest_erp

    def record(name: str, at: str) -> dict[str, str]:
        return {"id": name, "filename": name, "updated_at": at,
                "content": base64.b64encode(bank_file(name)).decode()}

    with running_rest_erp() as (erp, server):
        junk = {"id": "junk", "content": "***", "updated_at": "2026-12-02T10:01:00+00:00"}
        erp.records["statements"] = [record("ponte_camt054_usd.xml", "2026-12-02T10:00:00+00:00"), junk]
        with app.app_context(), new_session() as session:
            add_connector(session, ConnectorSpec(
                name="erp", key="rest", endpoint=server.url, document_types=(),
                options={"allow_loopback": True, "statements": True}, connect_timeout=1.0, read_timeout=5.0),
                actor="test", secret_key=app.config["HUB_SETTINGS"].secret_key)
            session.commit()
        sessions = lambda: new_session(app)  # noqa: E731
        hour = timedelta(hours=1)
        first = fetch(sessions, at=datetime(2026, 12, 2, 10, 5, tzinfo=UTC), every=hour,
                      profiles=load_profiles(), secret_key=app.config["HUB_SETTINGS"].secret_key)
        assert [f.get("entries_imported", f.get("error")) for f in first["erp"]["files"]] == [
            2, "statements[1].content is not base64"]
        erp.records["statements"].append(record("ponte_mt940_eur.sta", "2026-12-02T11:30:00+00:00"))
        later = fetch(sessions, at=datetime(2026, 12, 2, 11, 45, tzinfo=UTC), every=hour,
                      profiles=load_profiles(), secret_key=app.config["HUB_SETTINGS"].secret_key)
    assert [f["file"] for f in later["erp"]["files"]] == ["ponte_mt940_eur.sta"], "only what came since"
    assert later["erp"]["newest"] == "2026-12-02T11:30:00+00:00"
    assert len(stored(app)[0]) == 3
