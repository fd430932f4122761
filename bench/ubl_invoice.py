"""Benchmark: UBL invoices with 50 lines, documents per second for parse and render.

Run: .venv/bin/python bench/ubl_invoice.py [--seconds 3]
parse  = safe parse + UBL 2.1 XSD validation + mapping to the canonical Invoice (totals checked)
render = canonical -> UBL + XSD validation;  render+EN16931 = that plus the official EN 16931 XSLT (Saxon)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from stdnum import ean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.domain.documents import (
    Address,
    Identifier,
    IdScheme,
    Invoice,
    Item,
    Line,
    Party,
    PartyRole,
    PaymentTerms,
    Price,
    Quantity,
    TaxSubtotal,
    Totals,
)
from mappings.ubl import parse_ubl, render_invoice_checked, render_ubl
from mappings.ubl.en16931_rules import warm_up


def _gtin(n: int) -> str:
    body = f"57900004{n:04d}"
    return body + ean.calc_check_digit(body)


def make_invoice(lines: int = 50) -> Invoice:
    """A Peppol BIS Billing 3 invoice with `lines` lines at 25 % VAT."""
    doc_lines = [
        Line(number=str(n), item=Item(name=f"Item {n}", description=f"Item {n}, boxed",
                                      gtin=_gtin(n), supplier_number=f"S{n}"),
             quantities=[Quantity(Decimal(n), "C62", "invoiced")], prices=[Price(Decimal("9.95"))],
             line_amount=Decimal(n) * Decimal("9.95"), tax_category="S", tax_rate=Decimal(25))
        for n in range(1, lines + 1)
    ]
    net = sum((ln.line_amount or Decimal(0) for ln in doc_lines), Decimal("0.00"))
    tax = (net * Decimal("0.25")).quantize(Decimal("0.01"))

    def party(role: PartyRole, name: str, gln: str, vat: str) -> Party:
        return Party(role=role, name=name, ids=[Identifier(gln, IdScheme.gln, "0088")],
                     endpoint=Identifier(gln, IdScheme.gln, "0088"),
                     tax_ids=[Identifier(vat, IdScheme.vat, "VAT")],
                     address=Address(street=["Street 1"], city="Copenhagen", postcode="1000", country="DK"))

    return Invoice(
        number="BENCH-1", issued=date(2024, 3, 1), currency="EUR", due_date=date(2024, 3, 31),
        buyer_reference="REF", lines=doc_lines,
        parties=[party(PartyRole.supplier, "Seller", "5790000435975", "DK12345678"),
                 party(PartyRole.buyer, "Buyer", "5798000416604", "DK87654321")],
        payment_terms=[PaymentTerms(means_code="30", account_id="DK5000400440116243")],
        tax_subtotals=[TaxSubtotal("S", Decimal(25), net, tax)],
        totals=Totals(line_total=net, tax_exclusive=net, tax_total=tax, tax_inclusive=net + tax,
                      payable=net + tax),
    )


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of fn over about `seconds` (after one warm-up call)."""
    fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--lines", type=int, default=50)
    args = ap.parse_args()
    doc = make_invoice(args.lines)
    data = render_invoice_checked(doc)
    warm_up()
    print(f"UBL invoice, {args.lines} lines, {len(data)} bytes")
    print(f"parse (safe parse + XSD + map): {rate(lambda: parse_ubl(data), args.seconds):8.1f} documents/s")
    print(f"render (+ XSD):                 {rate(lambda: render_ubl(doc), args.seconds):8.1f} documents/s")
    print(f"render (+ XSD + EN 16931):      {rate(lambda: render_invoice_checked(doc), args.seconds):8.1f} "
          "documents/s")


if __name__ == "__main__":
    main()
