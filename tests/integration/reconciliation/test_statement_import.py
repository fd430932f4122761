"""Importing statements through the API: idempotent by the bank's identifiers, every file an exchange."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, Exchange
from hub.partners import service as partners
from hub.reconciliation.models import BankStatement
from tests.integration.reconciliation.conftest import bank_file, stored

URL = "/api/v1/reconciliation/statements"
CAMT = "ponte_camt053_eur.xml"


def upload(client: FlaskClient, headers: dict[str, str], data: bytes, query: str = "") -> Any:
    return client.post(URL + query, data=data, headers={**headers, "Content-Type": "application/xml"})


def test_a_statement_is_imported_once_and_a_repeat_changes_nothing(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    first = upload(client, staff["operator"], bank_file(CAMT))
    assert first.status_code == 201, first.json
    assert (first.json["statements_new"], first.json["entries_imported"], first.json["entries_not_booked"]) \
        == (1, 8, 1)
    again = upload(client, staff["operator"], bank_file(CAMT))
    assert again.status_code == 200 and again.json["same_file"] and again.json["repeat"]
    assert again.json["exchange_id"] == first.json["exchange_id"]
    # the same statement in other bytes (the bank re-sent it, indented otherwise): nothing new either
    respaced = upload(client, staff["admin"], bank_file(CAMT).replace(b"\n      <Ntry>", b"\n<Ntry>"))
    assert respaced.status_code == 200 and respaced.json["repeat"] and not respaced.json["same_file"]
    assert respaced.json["statements"][0]["id"] == first.json["statements"][0]["id"]
    statements, entries = stored(app)
    assert len(statements) == 1 and len(entries) == 8
    with new_session(app) as session:
        exchanges = list(session.scalars(select(Exchange).where(Exchange.doc_type == "BANKSTMT")))
        assert [e.state for e in exchanges] == ["processed", "processed"]
        assert exchanges[0].raw == bank_file(CAMT)


def test_a_statement_dated_otherwise_by_an_earlier_reader_is_the_same_statement(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    """Before, a camt.053 was dated by the day its file was written (the 2nd for a statement of the
    1st): the bank re-sending it (other bytes) finds the statement held under that day, nothing new."""
    first = upload(client, staff["admin"], bank_file(CAMT))
    assert first.status_code == 201
    with new_session(app) as session:
        held = session.get(BankStatement, first.json["statements"][0]["id"])
        assert held is not None
        held.statement_date = held.statement_date.replace(day=held.statement_date.day + 1)
        session.commit()
    again = upload(client, staff["admin"], bank_file(CAMT).replace(b"\n      <Ntry>", b"\n<Ntry>"))
    assert again.status_code == 200 and again.json["repeat"]
    statements, entries = stored(app)
    assert len(statements) == 1 and len(entries) == 8


def test_a_statement_id_reused_next_year_with_other_entries_is_a_new_statement(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    assert upload(client, staff["admin"], bank_file(CAMT)).status_code == 201
    next_year = (bank_file(CAMT).replace(b"2026-12-0", b"2027-12-0")
                 .replace(b"<AcctSvcrRef>202612", b"<AcctSvcrRef>202712"))
    reused = upload(client, staff["admin"], next_year)
    assert reused.status_code == 201 and reused.json["entries_imported"] == 8
    statements, entries = stored(app)
    assert [s.statement_ref for s in statements] == ["2026-231", "2026-231"]
    assert [s.statement_date.year for s in statements] == [2026, 2027] and len(entries) == 16


def test_entries_already_held_on_an_overlapping_statement_are_skipped_and_counted(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    assert upload(client, staff["admin"], bank_file(CAMT)).status_code == 201
    # the bank's corrected statement: same id and day, one entry more
    extra = b"""<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>2026120100099</AcctSvcrRef></Ntry></Stmt>"""
    corrected = upload(client, staff["admin"], bank_file(CAMT).replace(b"</Stmt>", extra))
    assert corrected.status_code == 201
    assert (corrected.json["entries_imported"], corrected.json["entries_known"]) == (1, 8)
    statements, entries = stored(app)
    assert len(statements) == 2 and len(entries) == 9 and statements[1].entry_count == 1


def test_statuses_reversal_link_and_partner_by_iban(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]], make_partner: Any) -> None:
    retail = make_partner("demo-retail")
    with new_session(app) as session:
        partner = partners.find_partner(session, str(retail.id))
        partners.update_profile(session, partner, {"bank_accounts": ["BE71 0961 2345 6769"]}, actor="test")
        session.commit()
    statement_id = upload(client, staff["admin"], bank_file(CAMT)).json["statements"][0]["id"]
    detail = client.get(f"{URL}/{statement_id}", headers=staff["auditor"]).json
    by_ref = {e["details"]["entry_reference"]: e for e in detail["entries"]}
    assert by_ref["1"]["partner_id"] == retail.id and by_ref["1"]["details"]["partner_by"] == "iban"
    assert (by_ref["1"]["status"], by_ref["1"]["open_amount"]) == ("unmatched", "1815.00")
    credit, reversal = by_ref["5"], by_ref["6"]
    assert reversal["status"] == "ignored" and reversal["details"]["reverses"]["entry_id"] == credit["id"]
    assert credit["status"] == "ignored" and credit["open_amount"] == "0.00"
    assert credit["details"]["reversed_by"]["entry_id"] == reversal["id"]
    assert by_ref["7"]["status"] == "ignored" and by_ref["7"]["details"]["kind"] == "debit"
    assert detail["statuses"] == {"unmatched": 5, "ignored": 3}
    with new_session(app) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"statement.imported", "statement_entry.reversed", "exchange.received"} <= actions


def test_pix_payer_found_by_cnpj(app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]],
                                 runner: Any) -> None:
    result = runner.invoke(args=["hub", "partner-add", "Mercado Boa Vista", "--edi-id", "MBV01",
                                 "--id", "cnpj:11.222.333/0001-81"])
    assert result.exit_code == 0, result.output
    answer = client.post(URL + "?format=csv&profile=pix", data=bank_file("ponte_pix_export.csv"),
                         headers=staff["operator"])
    assert answer.status_code == 201, answer.json
    _, entries = stored(app)
    assert [e.partner_id is not None for e in entries] == [True, False, False, False, True]
    assert entries[0].amount == Decimal("12450.00") and entries[0].pix_txid == "NFE2026000401PONTE0001"
    refund = entries[3]
    assert refund.reversal and refund.details["reverses"]["entry_id"] == entries[1].id


def test_an_unreadable_file_is_stored_failed_with_its_problems(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    bad = bank_file(CAMT).replace(b'<Amt Ccy="EUR">1250.00</Amt>', b'<Amt Ccy="EUR">1.250,00</Amt>')
    answer = upload(client, staff["admin"], bad)
    assert answer.status_code == 422
    problem = answer.json["error"]["problems"][0]
    assert problem["element"] == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt"
    with new_session(app) as session:
        exchange = session.get(Exchange, answer.json["exchange_id"])
        assert exchange is not None and exchange.state == "failed" and exchange.raw == bad
        assert exchange.error is not None and exchange.error["code"] == "STATEMENT_INVALID"
    assert stored(app) == ([], [])
    again = upload(client, staff["admin"], bad)
    assert again.status_code == 422 and again.json["exchange_id"] == answer.json["exchange_id"]


def test_refusals_store_nothing(app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]],
                                make_partner: Any) -> None:
    assert client.post(URL, data=b"%PDF-1.7\x00\x01", headers=staff["admin"]).status_code == 415
    assert client.post(URL, data=b"", headers=staff["admin"]).status_code == 400
    assert client.post(URL + "?format=pdf", data=b"x", headers=staff["admin"]).status_code == 400
    assert client.post(URL + "?profile=nubank", data=b"a,b\n1,2\n", headers=staff["admin"]).status_code == 400
    assert upload(client, staff["auditor"], bank_file(CAMT)).status_code == 403
    assert upload(client, make_partner("buyer").headers, bank_file(CAMT)).status_code == 403
    big = b"<x>" + b" " * (1024 * 1024) + b"</x>"
    assert upload(client, staff["admin"], big).status_code == 413
    with new_session(app) as session:
        assert session.scalars(select(Exchange)).first() is None


def test_an_erp_connector_uploads_and_staff_list(app: Flask, client: FlaskClient, runner: Any,
                                                 staff: dict[str, dict[str, str]]) -> None:
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll"]).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", "erp"]).output.strip().splitlines()[-1]
    erp = {"Authorization": f"Bearer {token}"}
    answer = client.post(URL, data=bank_file("ponte_mt940_eur.sta"), headers=erp)
    assert answer.status_code == 201 and answer.json["statements_new"] == 2
    assert client.post(URL, data=bank_file("ponte_camt054_usd.xml"), headers=erp).status_code == 201
    listing = client.get(URL + "?account=NL91 ABNA 0417 1643 00", headers=staff["auditor"]).json
    assert [s["statement_ref"] for s in listing["items"]] == ["STARTUMS/00242", "STARTUMS/00241"]
    dated = client.get(URL + "?date_from=2026-12-02", headers=staff["auditor"]).json
    assert {s["account"] for s in dated["items"]} == {"NL91ABNA0417164300", "0260095934471902"}
    assert client.get(URL + "?date_from=yesterday", headers=staff["auditor"]).status_code == 400
    assert client.get(URL + "/999999", headers=staff["auditor"]).status_code == 404
    with new_session(app) as session:
        exchange = session.get(Exchange, answer.json["exchange_id"])
        assert exchange is not None and exchange.connector_id is not None


def test_intraday_reports_then_the_evenings_statements_do_not_double_the_entries(
        app: Flask, client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    """A camt.052 at 13:00 then the camt.053; an MT942 at 11:30 then the MT940: each entry once, and the
    camt.052's pending payment arrives with the evening's statement."""
    intraday = upload(client, staff["operator"], bank_file("ponte_camt052_eur.xml"))
    assert intraday.status_code == 201, intraday.json
    assert (intraday.json["entries_imported"], intraday.json["entries_not_booked"]) == (2, 2)
    assert intraday.json["statements"][0]["format"] == "camt.052"
    evening = upload(client, staff["operator"], bank_file(CAMT))
    assert (evening.json["statements_new"], evening.json["entries_imported"], evening.json["entries_known"]) \
        == (1, 6, 2)
    interim = client.post(URL, data=bank_file("ponte_mt942_eur.sta"),
                          headers={**staff["operator"], "Content-Type": "text/plain"})
    assert interim.status_code == 201 and interim.json["statements"][0]["format"] == "mt942"
    mt940 = client.post(URL, data=bank_file("ponte_mt940_eur.sta"),
                        headers={**staff["operator"], "Content-Type": "text/plain"})
    assert (mt940.json["entries_imported"], mt940.json["entries_known"]) == (4, 1)
    keys = [e.entry_key for e in stored(app)[1]]
    assert len(keys) == len(set(keys)) == 8 + 5
    assert "ref:2026120100017" in keys, "the payment pending at noon, booked in the evening"
    # the evening's statement again after all that: nothing new
    again = upload(client, staff["admin"], bank_file(CAMT))
    assert again.json["repeat"] and len(stored(app)[1]) == 13
