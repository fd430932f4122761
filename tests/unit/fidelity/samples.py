"""One canonical document per message type with every field its syntaxes carry filled in.

Built on the UBL round-trip samples (tests/unit/ubl/samples.py), with what those leave empty added:
line allowances and notes, line references, delivery and validity periods, document-level allowances
and charges on an order, an exempt tax category with its reason, payment details.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from hub.domain.documents import (
    AllowanceCharge,
    Document,
    Invoice,
    OrderCancellation,
    OrderChange,
    PaymentTerms,
    Reference,
    TaxSubtotal,
)
from tests.unit.ubl import samples

D = Decimal


def order() -> Document:
    doc = samples.order()
    doc.delivery_end = date(2024, 3, 2)
    doc.validity_end = date(2024, 3, 31)
    doc.accounting_cost = "Project 7-Cost 42"
    for party in doc.parties:
        if party.address is not None:
            party.address.region = "Midtjylland"
    doc.references[1].issued = date(2024, 2, 1)
    for line in doc.lines:
        line.item.buyer_number = f"BUY-{line.number}"
        line.item.name = f"Item {line.number} name"
        line.notes = [f"note on line {line.number}"]
        line.delivery_end = date(2024, 3, 1)
        line.accounting_cost = f"Cost centre {line.number}"
        line.references = [Reference(kind="quotation", number="Q-12", line=line.number)]
    first = doc.lines[0]
    first.allowances_charges = [AllowanceCharge(is_charge=False, amount=D("5.00"), reason="Promotion",
                                                reason_code="95", base_amount=D("125.00"), percent=D("4"))]
    first.line_amount = D("120.00")
    doc.allowances_charges = [
        AllowanceCharge(is_charge=True, amount=D("10.00"), reason="Freight", reason_code="FC",
                        tax_category="S", tax_rate=D("25")),
        AllowanceCharge(is_charge=False, amount=D("12.00"), reason="Discount", reason_code="95",
                        base_amount=D("240.00"), percent=D("5"), tax_category="S", tax_rate=D("25"))]
    totals = doc.totals
    assert totals is not None
    totals.line_total, totals.charge_total, totals.allowance_total = D("245.00"), D("10.00"), D("12.00")
    totals.tax_exclusive, totals.tax_total = D("243.00"), D("60.75")
    totals.tax_inclusive, totals.prepaid, totals.rounding = D("303.75"), D("3.75"), D("0.00")
    totals.payable = D("300.00")
    return doc


def order_change() -> Document:
    base = order()
    change = OrderChange(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)},
                         order_number="PO-4711", sequence="1")
    change.number = "PO-4711-C1"
    change.references = [*change.references, Reference(kind="order", number="PO-4711")]
    for line, action in zip(change.lines, ("3", "1"), strict=False):  # UNCL 1229: changed, added
        line.status = action
    return change


def order_cancellation() -> Document:
    base = order()
    return OrderCancellation(number="PO-4711-X", issued=base.issued, parties=base.parties[:2],
                             order_number="PO-4711", reason="Ordered twice", notes=["Sorry"],
                             references=[Reference(kind="order", number="PO-4711")])


def order_response() -> Document:
    doc = samples.order_response()
    doc.delivery_end = date(2024, 3, 2)
    for line in doc.lines:
        line.notes = [f"note on line {line.number}"]
        line.item.gtin = samples.gtin(int(line.number))
        line.item.buyer_number = f"BUY-{line.number}"
        line.item.name = f"Item {line.number} name"
        line.delivery_end = date(2024, 3, 8) if line.delivery_date else None
    return doc


def despatch_advice() -> Document:
    doc = samples.despatch_advice()
    for line in doc.lines:
        line.item.supplier_number = f"SUP-{line.number}"
        line.item.name = f"Item {line.number} name"
        line.notes = [f"note on line {line.number}"]
    return doc


def invoice(credit: bool = False) -> Invoice:
    doc = samples.invoice(2, credit=credit)
    doc.period_start, doc.period_end = date(2024, 2, 1), date(2024, 2, 29)
    doc.parties[0].address.region = "Hovedstaden"  # type: ignore[union-attr]
    doc.tax_currency = "DKK"
    doc.accounting_cost = "Project cost code 123"
    doc.lines[0].accounting_cost = "BookingCode001"
    doc.allowances_charges[0].base_amount, doc.allowances_charges[0].percent = D("100.00"), D("10")
    terms = doc.payment_terms[0]
    terms.means_text, terms.bank_id, terms.payee_name = "Credit transfer", "DABADKKK", "Ponte Supplies"
    # EN 16931 has one payment terms text (BT-20): the discount terms go with the first one
    doc.payment_terms[1] = PaymentTerms(description="30 days net, 2% within 10 days",
                                        due_date=date(2024, 3, 11), discount_percent=D("2"), discount_days=10)
    if not credit:  # collected by SEPA direct debit: no payee account (see CHECKED_ELSEWHERE)
        terms.means_code, terms.means_text = "59", "SEPA direct debit"
        terms.mandate_reference, terms.creditor_id = "MANDATE-1", "DK98ZZZ123456"
        terms.account_id = terms.bank_id = terms.payee_name = None
    line = doc.lines[0]
    for each in doc.lines:
        for price in each.prices:
            price.unit = "C62"
    line.allowances_charges = [AllowanceCharge(is_charge=False, amount=D("5.00"), reason="Promotion",
                                               reason_code="95", base_amount=D("125.00"),
                                               percent=D("4"))]
    line.line_amount = (line.line_amount or D(0)) - D("5.00")
    exempt = doc.lines[1]
    exempt.tax_category, exempt.tax_rate = "E", None
    standard = sum((ln.line_amount or D(0) for ln in doc.lines if ln.tax_category == "S"), D("0.00"))
    taxable = standard - D("10.00") + D("5.00")
    tax = (taxable * D("0.25")).quantize(D("0.01"))
    doc.tax_subtotals = [TaxSubtotal("S", D("25"), taxable, tax),
                         TaxSubtotal("E", None, exempt.line_amount or D(0), D("0.00"),
                                     exemption_reason="Exempt goods", exemption_reason_code="VATEX-EU-132")]
    line_total = sum((ln.line_amount or D(0) for ln in doc.lines), D("0.00"))
    t = doc.totals
    t.line_total = line_total
    t.tax_exclusive = line_total - D("10.00") + D("5.00")
    t.tax_total = tax
    t.tax_inclusive = t.tax_exclusive + tax
    t.tax_total_tax_currency = (tax * D("7.45")).quantize(D("0.01"))
    t.prepaid, t.rounding = D("1.00"), D("0.00")
    t.payable = t.tax_inclusive - D("1.00")
    return doc


# carried fields a sample cannot fill, and the sample that checks them (a direct debit has no payee
# account; one invoice pays by one kind of means, UBL-SR-47)
CHECKED_ELSEWHERE: dict[str, dict[str, str]] = {
    "invoice": dict.fromkeys(("payment_terms[].account_id", "payment_terms[].bank_id",
                              "payment_terms[].payee_name"), "credit_note"),
    "credit_note": dict.fromkeys(("payment_terms[].mandate_reference", "payment_terms[].creditor_id"),
                                 "invoice"),
}

DOCUMENTS: dict[str, Callable[[], Document]] = {
    "order": order,
    "order_change": order_change,
    "order_cancellation": order_cancellation,
    "order_response": order_response,
    "despatch_advice": despatch_advice,
    "invoice": invoice,
    "credit_note": lambda: invoice(credit=True),
}
