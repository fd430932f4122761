"""Generated canonical documents (order, order response, despatch advice, invoice, credit note; with
allowances, charges, exempt (E) and zero-rated (Z) tax, notes and references) are checked the same way
in both syntaxes: the UBL gives 0 fatal with the official validator (the Peppol rules it claims) and
reads back equal on what UBL carries; the EDIFACT passes the hub's own validation and reads back equal
on what EDIFACT carries (the fidelity table decides which fields are compared).

Bounded and deterministic: `derandomize=True`, a few examples per type (the oracle is the slow part).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.documents import AllowanceCharge, Document, Invoice, Line, Reference, TaxSubtotal, Totals
from mappings.ubl import parse_ubl
from tests.support.conformance import oracle_fatal, oracle_module
from tests.unit.fidelity import samples
from tests.unit.fidelity.compare import carried, lost_fields, only_carried
from tests.unit.fidelity.roundtrip import to_ubl, via_edifact
from tests.unit.ubl.samples import gtin

D = Decimal
CENT = D("0.01")
CATEGORIES = (("S", D("25")), ("Z", D("0")), ("E", None))
TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 .,-/+:?'", min_size=1,
               max_size=60).map(str.strip).filter(bool)
AMOUNT = st.integers(min_value=1, max_value=99_999).map(lambda c: D(c) / 100)
SETTINGS = settings(max_examples=10, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def oracle() -> Any:
    return oracle_module().Validator(peppol=True)


@st.composite
def line_specs(draw: st.DrawFn, notes: int) -> list[tuple[D, D, str, D | None, list[str]]]:
    """(quantity, price, tax category, rate, at most `notes` notes) per line."""
    count = draw(st.integers(min_value=1, max_value=3))
    return [(D(draw(st.integers(min_value=1, max_value=50))), draw(AMOUNT),
             *draw(st.sampled_from(CATEGORIES)), draw(st.lists(TEXT, max_size=notes))) for _ in range(count)]


def _lines(doc: Document, specs: list[tuple[D, D, str, D | None, list[str]]]) -> None:
    template = doc.lines[0]
    doc.lines = []
    for n, (qty, price, category, rate, notes) in enumerate(specs, start=1):
        line = Line(number=str(n), item=type(template.item)(gtin=gtin(n),
                                                              supplier_number=f"SUP-{n}",
                                                              description=f"Item {n}"),
                    quantities=[type(q)(qty, q.unit, q.kind) for q in template.quantities[:1]],
                    notes=notes, status=template.status,
                    references=[Reference(r.kind, r.number, line=str(n)) for r in template.references[:1]])
        if template.prices:
            line.prices = [type(template.prices[0])(price, unit="C62")]
            line.line_amount, line.tax_category, line.tax_rate = (qty * price).quantize(CENT), category, rate
        doc.lines.append(line)


def _tax_and_totals(doc: Document, allowance: D | None, charge: D | None) -> tuple[list[TaxSubtotal], Totals]:
    """The breakdown and totals of doc's lines with a document allowance and charge (standard rate)."""
    doc_level = [AllowanceCharge(False, a, "Discount", "95", tax_category="S", tax_rate=D("25"))
                 for a in [allowance] if a] + \
                [AllowanceCharge(True, c, "Freight", "FC", tax_category="S", tax_rate=D("25"))
                 for c in [charge] if c]
    doc.allowances_charges = doc_level  # type: ignore[attr-defined]
    subtotals = []
    for category, rate in CATEGORIES:
        taxable = sum((ln.line_amount or D(0) for ln in doc.lines if ln.tax_category == category), D("0.00"))
        taxable += sum((a.amount if a.is_charge else -a.amount
                        for a in doc_level if a.tax_category == category), D("0.00"))
        if not any(ln.tax_category == category for ln in doc.lines) and not (
                category == "S" and doc_level):
            continue
        subtotals.append(TaxSubtotal(category, rate, taxable, (taxable * (rate or 0) / 100).quantize(CENT),
                                     exemption_reason="Exempt goods" if category == "E" else None,
                                     exemption_reason_code="VATEX-EU-132" if category == "E" else None))
    line_total = sum((ln.line_amount or D(0) for ln in doc.lines), D("0.00"))
    exclusive = line_total - (allowance or 0) + (charge or 0)
    tax = sum((s.tax_amount for s in subtotals), D("0.00"))
    totals = Totals(line_total=line_total, allowance_total=allowance, charge_total=charge,
                    tax_exclusive=exclusive, tax_total=tax, tax_inclusive=exclusive + tax,
                    payable=exclusive + tax)
    return subtotals, totals


@st.composite
def documents(draw: st.DrawFn, kind: str) -> Document:
    doc = samples.DOCUMENTS[kind]()
    most = 1 if isinstance(doc, Invoice) else 2  # PEPPOL-EN16931-R002, UBL-SR-34
    _lines(doc, draw(line_specs(most)))
    doc.notes = draw(st.lists(TEXT, max_size=most))
    doc.references = [r for r in doc.references if r.kind == "order"] + [
        Reference(kind=k, number=draw(st.from_regex(r"[A-Z]{1,3}-[0-9]{1,6}", fullmatch=True)))
        for k in draw(st.lists(st.sampled_from(["contract", "quotation"]), max_size=2, unique=True))
        if kind == "order" or (k == "contract" and kind in ("invoice", "credit_note"))]
    if kind in ("order", "invoice", "credit_note"):
        standard = sum((ln.line_amount or D(0) for ln in doc.lines if ln.tax_category == "S"), D(0))
        allowance = draw(st.none() | st.integers(min_value=1, max_value=500).map(lambda c: D(c) / 100))
        allowance = allowance if allowance is not None and allowance < standard else None
        charge = draw(st.none() | st.integers(min_value=1, max_value=500).map(lambda c: D(c) / 100))
        subtotals, totals = _tax_and_totals(doc, allowance, charge)
        if isinstance(doc, Invoice):
            doc.tax_subtotals, doc.totals, doc.tax_currency = subtotals, totals, None
            for line in doc.lines:
                line.references = [Reference(kind="order", number="PO-4711", line=line.number)]
        else:
            doc.totals = totals  # type: ignore[attr-defined]
    return doc


def _check(doc: Document, kind: str, oracle: Any, tmp_path: Path) -> None:
    ubl_doc = doc  # rendered whole: the Peppol transaction decides where (and whether) a field goes
    data = to_ubl(ubl_doc)
    fatal = oracle_fatal(oracle, data, tmp_path, f"{kind}.xml")
    assert fatal == [], f"generated {kind} {doc.number}: the UBL breaks {fatal}\n{data.decode()}"
    lost = lost_fields(ubl_doc, parse_ubl(data), carried(kind, ("ubl",)))
    assert not lost, f"generated {kind}: UBL loses\n" + "\n".join(lost)
    edi_doc = only_carried(doc, kind, ("edifact",))
    lost = lost_fields(edi_doc, via_edifact(edi_doc), carried(kind, ("edifact",)))
    assert not lost, f"generated {kind}: EDIFACT loses\n" + "\n".join(lost)


@pytest.mark.parametrize("kind", ["order", "order_response", "despatch_advice", "invoice", "credit_note"])
def test_generated_documents_render_valid_and_read_back_in_both_syntaxes(kind: str, oracle: Any,
                                                                         tmp_path: Path) -> None:
    @SETTINGS
    @given(documents(kind))
    def check(doc: Document) -> None:
        _check(doc, kind, oracle, tmp_path)

    check()
