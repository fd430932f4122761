"""Benchmark: what validating an outbound file costs, per document and per layer.

Run: .venv/bin/python bench/outbound_validation.py [--seconds 3] [--lines 50]
Generates its own canonical documents (an order and an invoice of `--lines` lines), renders them
as the hub sends them (EDIFACT ORDERS, INVOIC and ORDCHG, D.96A; UBL Order claiming Peppol T01, UBL
Invoice claiming Peppol BIS Billing 3, UBL 2.3 OrderChange claiming T114, and a Message Level Response
(T71) rejecting the invoice for 20 problems) and times each layer of the outbound checks on the rendered
bytes: EDIFACT envelope (parse), structure, D.24A code values; UBL safe parse, UBL 2.1 XSD,
EN 16931, OpenPeppol rules; then the whole check as the hub runs it. Rules are compiled before timing
(once per process in the hub). Prints documents/s and ms per document, and what putting a document
in a Peppol envelope (SBDH) costs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ubl_invoice import make_invoice
from hub.domain.documents import Invoice, OrderChange, PurchaseOrder
from hub.domain.errors import Problem
from hub.exchanges.outbound import validate_outbound
from hub.partners.domain import build
from hub.rendering import Identity, render
from hub.xmlsafe import parse_xml
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.outbound_validation import code_problems
from mappings.edifact.structure import validate_message
from mappings.ubl.en16931_rules import check_en16931_tree
from mappings.ubl.mlr import refused_in, render_mlr
from mappings.ubl.peppol_rules import check_peppol
from mappings.ubl.sbdh import wrap
from mappings.ubl.schema import schema_problems, schema_version

IDENTITY = Identity("5790000435975", "14", "5798000416604", "14")


def make_order(lines: int) -> PurchaseOrder:
    """An order with the invoice's parties and lines (quantities as ordered)."""
    invoice = make_invoice(lines)
    order_lines = [replace(line, quantities=[replace(q, kind="ordered") for q in line.quantities])
                   for line in invoice.lines]
    return PurchaseOrder(number="PO-BENCH-1", issued=invoice.issued, currency="EUR",
                         parties=invoice.parties, lines=order_lines)


def make_change(order: PurchaseOrder) -> OrderChange:
    """The order as changed: every line's action 3 (changed)."""
    lines = [replace(line, status="3") for line in order.lines]
    return OrderChange(number="PO-BENCH-1-C1", issued=order.issued, currency=order.currency,
                       parties=order.parties, lines=lines, order_number=order.number, sequence="1")


def make_mlr(invoice_xml: bytes, problems: int) -> bytes:
    """A Message Level Response rejecting the invoice for `problems` problems."""
    found = [Problem(code="BENCH", message=f"problem {n}", element=f"/Invoice/cac:InvoiceLine[{n}]")
             for n in range(1, problems + 1)]
    return render_mlr("M00000001", datetime.now(UTC), refused_in(invoice_xml, None), found,
                      sender=None, receiver=None)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of fn over about `seconds` (after one warm-up call)."""
    fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def report(name: str, fn: Callable[[], object], seconds: float) -> None:
    """One line: documents per second and milliseconds per document."""
    per_second = rate(fn, seconds)
    print(f"  {name:<34} {per_second:9.1f} documents/s {1000 / per_second:9.2f} ms/document")


def edifact(name: str, data: bytes, seconds: float) -> None:
    """The EDIFACT layers on one rendered interchange."""
    interchange = parse_interchange(data)
    (message,) = interchange.messages
    print(f"{name}: {len(data)} bytes, {len(message.segments)} segments")
    report("envelope (parse + UNB..UNZ checks)", lambda: parse_interchange(data), seconds)
    report("structure (directory version)", lambda: validate_message(message), seconds)
    report("code values (D.24A lists)", lambda: code_problems(message), seconds)
    report("all, as the hub runs it", lambda: validate_outbound(data, "edifact"), seconds)


def ubl(name: str, data: bytes, kind: str, seconds: float) -> None:
    """The UBL layers on one rendered document (each layer timed even if an earlier one fails)."""
    root = parse_xml(data)
    found = validate_outbound(data, "ubl")
    print(f"{name}: {len(data)} bytes; rules {', '.join(found.rules)}; "
          f"{len(found.fatal)} fatal, {len(found.warnings)} warnings")
    report("safe parse", lambda: parse_xml(data), seconds)
    report(f"UBL {schema_version(kind)} XSD", lambda: schema_problems(root, kind), seconds)
    if kind == "Invoice":
        report("EN 16931", lambda: check_en16931_tree(root), seconds)
    report("OpenPeppol", lambda: check_peppol(root), seconds)
    report("all, as the hub runs it", lambda: validate_outbound(data, "ubl"), seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    ap.add_argument("--lines", type=int, default=50, help="lines per document")
    args = ap.parse_args()
    profile = build({})
    invoice: Invoice = make_invoice(args.lines)
    order = make_order(args.lines)
    change = make_change(order)
    for title, doc in (("EDIFACT ORDERS D.96A", order), ("EDIFACT INVOIC D.96A", invoice),
                       ("EDIFACT ORDCHG D.96A", change)):
        out = render(doc, "edifact", profile=profile, identity=IDENTITY, control_ref="B1")
        edifact(f"{title}, {args.lines} lines", out.data, args.seconds)
    rendered = {}
    for title, doc, kind in (("UBL Order (Peppol T01)", order, "Order"),
                             ("UBL Invoice (Peppol BIS Billing 3)", invoice, "Invoice"),
                             ("UBL 2.3 OrderChange (Peppol T114)", change, "OrderChange")):
        out = render(doc, "ubl", profile=profile, identity=IDENTITY, control_ref="B1", check=False)
        rendered[kind] = out.data
        ubl(f"{title}, {args.lines} lines", out.data, kind, args.seconds)
    ubl("UBL ApplicationResponse (Peppol MLR, T71), 20 problems", make_mlr(rendered["Invoice"], 20),
        "ApplicationResponse", args.seconds)
    root = parse_xml(rendered["Invoice"])
    print(f"Peppol envelope (SBDH) around the invoice, {args.lines} lines:")
    report("wrap (endpoints, scopes, serialize)", lambda: wrap(root, created=datetime.now(UTC)), args.seconds)


if __name__ == "__main__":
    main()
