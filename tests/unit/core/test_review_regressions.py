"""Inputs a code review found that escaped as the wrong exception type, or leaked a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import ConnectorSettings
from connectors.file import FileConnector
from hub.domain.errors import HubError, ValidationError
from hub.exchanges.erp_inbound import ErpInputError, parse_invoice
from mappings.edifact.envelope import parse_interchange
from mappings.ubl import parse_ubl

UBL = Path(__file__).resolve().parents[3] / "fixtures" / "ubl"


@pytest.mark.parametrize("text", [
    "UNB+UNOC:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+\u00b2+1'UNZ+1+1'",
    "UNB+UNOC:3+S+R+\u00b2\u00b20101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'UNZ+\u00b9+1'",
    "UNB+UNOC:3+S+R+240101:1200+1'UNO+\u00b2'",
])
def test_superscript_digits_are_invalid_values_not_crashes(text: str) -> None:
    try:  # "²".isdigit() is True but int("²") raises ValueError
        interchange = parse_interchange(text.encode("latin-1"))
    except HubError:
        return
    assert any(p.severity == "error" for p in interchange.problems)


@pytest.mark.parametrize(("old", "new"), [
    ("<cbc:IssueDate>2024-03-01</cbc:IssueDate>", "<cbc:IssueDate>12024-03-01</cbc:IssueDate>"),
    ("<cbc:IssueDate>2024-03-01</cbc:IssueDate>", "<cbc:IssueDate>-2024-03-01</cbc:IssueDate>"),
])
def test_xsd_dates_python_cannot_hold_are_named(old: str, new: str) -> None:
    data = (UBL / "ponte_invoice_peppol.xml").read_text()
    assert old in data
    with pytest.raises(ValidationError) as caught:
        parse_ubl(data.replace(old, new).encode())
    assert caught.value.problems[0].code in ("BAD_DATE", "XML_SCHEMA")


def _invoice(**line: str) -> dict:
    return {"id": "R1", "customer": "5412345000013", "currency": "EUR", "order_number": "PO1",
            "amount": "1.00",
            "lines": [{"item": "X", "description": "d", "quantity": "1", "price": "1", **line}]}


@pytest.mark.parametrize("line", [{"price": "1e30"}, {"quantity": "1e999999"},
                                  {"price": "0.0000001"}, {"description": "bad\x01text"}])
def test_erp_invoice_values_out_of_range_are_refused_by_field(line: dict) -> None:
    with pytest.raises(ErpInputError) as caught:
        parse_invoice(_invoice(**line), "invoices[0]")
    assert "invoices[0].lines[0]" in str(caught.value.problems[0].element or caught.value.message)


def test_a_file_nobody_can_parse_is_set_aside_not_blocking_the_inbox(tmp_path: Path) -> None:
    connector = FileConnector(ConnectorSettings(endpoint=str(tmp_path)))
    inbox = tmp_path / "inbox" / "payments"
    inbox.mkdir(parents=True)
    (inbox / "a.json").write_text("[" * 200_000 + "]" * 200_000)
    (inbox / "b.json").write_text('[{"invoice": "1", "amount": "10.00"}]')
    assert connector.fetch("payments", None) == [{"invoice": "1", "amount": "10.00"}]
    assert not (inbox / "a.json").exists()


def test_connector_secrets_stay_out_of_repr() -> None:
    settings = ConnectorSettings(endpoint="https://erp", username="u", password="s3cret",
                                 token="t0ken")
    assert "s3cret" not in repr(settings) and "t0ken" not in repr(settings)


def test_the_same_invoice_with_sane_values_parses() -> None:
    request_id, customer, invoice = parse_invoice(_invoice(), "invoices[0]")
    assert (request_id, customer, len(invoice.lines)) == ("R1", "5412345000013", 1)


def test_stored_errors_keep_the_first_problems_and_the_total() -> None:
    from hub.domain.errors import MAX_PROBLEMS, Problem, bounded

    many = [Problem(code="X", message=str(n)) for n in range(MAX_PROBLEMS + 50)]
    stored = ValidationError("rejected", problems=many).as_dict()
    assert len(stored["problems"]) == MAX_PROBLEMS and stored["problems_total"] == MAX_PROBLEMS + 50
    counted = ValidationError("rejected", problems=many[:3], problems_total=9).as_dict()
    assert len(counted["problems"]) == 3 and counted["problems_total"] == 9
    assert "problems_total" not in ValidationError("one", problems=many[:1]).as_dict()
    kept = bounded(many)
    assert len(kept) == MAX_PROBLEMS and kept[-1].message == "51 more not kept"
