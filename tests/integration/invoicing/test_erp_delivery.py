"""An issued invoice also goes to the ERP connectors that take invoices, never back to the one that posted
it; a credit note follows the same way."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.integration.invoicing.conftest import invoice_body


def _connector(runner: Any, name: str, *doc_types: str) -> dict[str, str]:
    args = ["hub", "connector-add", name, "--key", "poll"]
    for doc_type in doc_types:
        args += ["--doc-type", doc_type]
    assert runner.invoke(args=args).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", name]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def _fetched(client: FlaskClient, erp: dict[str, str]) -> list[tuple[str, str]]:
    answer = client.get("/api/v1/outbox?limit=50", headers=erp)
    assert answer.status_code == 200, answer.get_json()
    return [(d["type"], d["canonical"]["number"]) for d in answer.get_json()["items"]]


def test_an_erp_invoice_goes_to_the_other_erps_that_take_invoices_not_back_to_its_poster(
        client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    poster = _connector(runner, "sales-erp", "invoice")
    books = _connector(runner, "bookkeeping", "invoice")
    everything = _connector(runner, "archive")  # no types listed: every document
    buying = _connector(runner, "purchasing", "purchase_order")
    posted = client.post("/api/v2/erp/invoices", headers=poster,
                         json={"invoices": [invoice_body(external_id="ERP-1")]})
    assert posted.status_code == 201, posted.get_json()
    number = posted.get_json()["items"][0]["number"]
    assert _fetched(client, books) == [("invoice", number)]
    assert _fetched(client, everything) == [("invoice", number)]
    assert _fetched(client, poster) == [] and _fetched(client, buying) == []
    detail = client.get(f"/api/v1/invoicing/invoices/{posted.get_json()['items'][0]['id']}",
                        headers=invoicing["auditor"]).get_json()
    assert detail["history"][0]["erps"] == ["bookkeeping", "archive"]


def test_an_invoice_staff_issue_and_its_credit_note_go_to_every_erp_taking_invoices(
        client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    sales = _connector(runner, "sales-erp", "invoice")
    invoice = client.post("/api/v1/invoicing/invoices", json=invoice_body(), headers=invoicing["admin"])
    assert invoice.status_code == 201, invoice.get_json()
    note = client.post(f"/api/v1/invoicing/invoices/{invoice.get_json()['id']}/credit-notes", json={},
                       headers=invoicing["admin"])
    assert note.status_code == 201, note.get_json()
    assert _fetched(client, sales) == [("invoice", "INV-2026-000001"), ("invoice", "CN-2026-000001")]
