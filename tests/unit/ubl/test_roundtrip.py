"""Canonical -> UBL -> canonical loses nothing UBL carries, and what the hub renders is officially valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Document, Invoice
from hub.domain.errors import ValidationError
from mappings.ubl import check_en16931, parse_ubl, render_invoice_checked, render_ubl
from tests.unit.ubl import samples
from tests.unit.ubl.conftest import oracle_fatal

DOCS = {
    "order": samples.order,
    "order_response": samples.order_response,
    "despatch_advice": samples.despatch_advice,
    "invoice": lambda: samples.invoice(3),
    "credit_note": lambda: samples.invoice(2, credit=True),
}


INVOICES = ("invoice", "credit_note")


@pytest.mark.parametrize("name", INVOICES)
def test_canonical_to_ubl_to_canonical_is_lossless(name: str) -> None:
    doc: Document = DOCS[name]()
    again = parse_ubl(render_ubl(doc))
    assert again.profile.pop("syntax") == "ubl"
    assert again.profile.pop("customization_id").startswith(("urn:fdc:peppol.eu", "urn:cen.eu:en16931"))
    assert again.profile.pop("profile_id").startswith("urn:fdc:peppol.eu")
    again.profile.pop("document")
    again.profile.pop("ubl_version", None)
    assert again == doc


@pytest.mark.parametrize("name", ["invoice", "credit_note"])
def test_rendered_invoices_give_zero_fatal_with_the_official_oracle(name: str, oracle: Any,
                                                                     tmp_path: Path) -> None:
    data = render_invoice_checked(DOCS[name]())  # type: ignore[arg-type]
    assert oracle_fatal(oracle, data, tmp_path, f"{name}.xml") == []


def test_peppol_identifiers_are_kept() -> None:
    doc = parse_ubl(render_ubl(samples.invoice(1)))
    seller = doc.parties[0]
    assert seller.endpoint is not None and (seller.endpoint.value, seller.endpoint.raw_scheme) == (
        "5790000435975", "0088")
    assert seller.ids[0].scheme == "gln"
    assert doc.profile["customization_id"] == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    assert doc.profile["profile_id"] == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def test_en16931_check_names_the_broken_rule_and_where() -> None:
    doc = samples.invoice(1)
    doc.tax_subtotals[0].tax_amount += 1  # the breakdown no longer matches the rate
    doc.totals.tax_total = doc.tax_subtotals[0].tax_amount
    assert doc.totals.tax_exclusive is not None
    doc.totals.tax_inclusive = doc.totals.payable = doc.totals.tax_exclusive + doc.totals.tax_total
    problems = check_en16931(render_ubl(doc))
    fatal = [p for p in problems if p.severity == "error"]
    assert "BR-CO-17" in {p.code for p in fatal}
    assert all(p.element and p.message_ref == doc.number for p in fatal)


def test_an_invoice_failing_en16931_is_not_rendered_for_sending() -> None:
    doc: Invoice = samples.invoice(1)
    seller = doc.parties[0]
    seller.address = None  # BR-08: the seller postal address is mandatory
    with pytest.raises(ValidationError) as info:
        render_invoice_checked(doc)
    assert "BR-08" in {p.code for p in info.value.problems}
    assert "not sent" in info.value.message


def test_issue_time_with_zone_survives_and_naive_time_is_dropped() -> None:
    data = render_ubl(samples.order())
    assert b"<cbc:IssueTime>09:30:00+01:00</cbc:IssueTime>" in data
    naive = parse_ubl(data.replace(b"09:30:00+01:00", b"09:30:00"))
    assert str(naive.issued) == "2024-02-20"


@pytest.mark.parametrize("name", [n for n in DOCS if n not in INVOICES])
def test_ordering_documents_reach_a_fixpoint_within_the_peppol_data_model(name: str) -> None:
    # The Peppol ordering transactions have no place for some canonical fields (a tax number on an order
    # response party, a despatch advice type code): the first rendering fits the document to the
    # transaction, after which UBL -> canonical -> UBL loses nothing more.
    once = parse_ubl(render_ubl(DOCS[name]()))
    twice = parse_ubl(render_ubl(once))
    assert twice == once
