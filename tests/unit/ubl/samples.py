"""Canonical documents built in code, used by the round-trip tests and to make the golden fixtures."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from stdnum import ean

from hub.domain.documents import (
    Address,
    AllowanceCharge,
    Contact,
    DespatchAdvice,
    Identifier,
    IdScheme,
    Invoice,
    Item,
    Line,
    OrderResponse,
    Party,
    PartyRole,
    PaymentTerms,
    Price,
    PurchaseOrder,
    Quantity,
    Reference,
    TaxSubtotal,
    Totals,
)

CET = timezone(timedelta(hours=1))
D = Decimal


def gtin(n: int) -> str:
    """The GTIN-13 of sample item n (GS1 check digit computed): 5790000400010 for item 1."""
    body = f"57900004{n:04d}"
    return body + ean.calc_check_digit(body)


def supplier() -> Party:
    return Party(
        role=PartyRole.supplier, raw_role="AccountingSupplierParty",
        ids=[Identifier("5790000435975", IdScheme.gln, "0088")],
        name="Ponte Supplies", legal_name="Ponte Supplies ApS",
        legal_id=Identifier("DK12345678", IdScheme.other, "0184"),
        address=Address(street=["Main street 1", "Building 2"], city="Copenhagen", postcode="1000",
                        country="DK"),
        tax_ids=[Identifier("DK12345678", IdScheme.vat, "VAT")],
        contact=Contact(name="Anne Seller", phone="+4511223344", email="sales@ponte.example"),
        endpoint=Identifier("5790000435975", IdScheme.gln, "0088"),
    )


def buyer() -> Party:
    return Party(
        role=PartyRole.buyer, raw_role="AccountingCustomerParty",
        ids=[Identifier("5798000416604", IdScheme.gln, "0088")],
        name="Buyer Foods A/S",
        address=Address(street=["Harbour road 9"], city="Aarhus", postcode="8000", country="DK"),
        tax_ids=[Identifier("DK87654321", IdScheme.vat, "VAT")],
        endpoint=Identifier("5798000416604", IdScheme.gln, "0088"),
    )


def delivery() -> Party:
    return Party(role=PartyRole.delivery, raw_role="Delivery",
                 ids=[Identifier("5798000416611", IdScheme.gln, "0088")], name="Aarhus warehouse",
                 address=Address(street=["Dock 4"], city="Aarhus", postcode="8000", country="DK"))


def invoice_line(n: int, qty: str = "10", price: str = "12.50") -> Line:
    amount = (D(qty) * D(price)).quantize(D("0.01"))
    return Line(
        number=str(n),
        item=Item(gtin=gtin(n), supplier_number=f"SUP-{n}", buyer_number=f"BUY-{n}",
                  name=f"Item {n}", description=f"Item number {n}, boxed"),
        quantities=[Quantity(D(qty), "C62", "invoiced")],
        prices=[Price(D(price)), Price(D(price) + D("1.00"), kind="gross")],
        line_amount=amount, tax_category="S", tax_rate=D("25"),
        references=[Reference(kind="order", number="PO-4711", line=str(n))],
        notes=[f"note on line {n}"],
    )


def invoice(lines: int = 2, credit: bool = False) -> Invoice:
    """An EN 16931-valid invoice (or credit note) with allowances, a charge and payment details."""
    doc_lines = [invoice_line(n) for n in range(1, lines + 1)]
    payee = Party(role=PartyRole.payee, raw_role="PayeeParty", name="Ponte Factoring",
                  ids=[Identifier("5790000435982", IdScheme.gln, "0088")])
    line_total = sum((ln.line_amount or D(0) for ln in doc_lines), D("0.00"))
    allowance, charge = D("10.00"), D("5.00")
    taxable = line_total - allowance + charge
    tax = (taxable * D("0.25")).quantize(D("0.01"))
    return Invoice(
        number="CN-2024-7" if credit else "INV-2024-1001",
        is_credit_note=credit,
        issued=date(2024, 3, 1),
        currency="EUR",
        type_code="381" if credit else "380",
        notes=["Thank you for your business"],
        due_date=date(2024, 3, 31),
        tax_point_date=date(2024, 3, 1),
        delivery_date=date(2024, 2, 28),
        buyer_reference="REF-77",
        parties=[supplier(), buyer(), payee, delivery()],
        references=[Reference(kind="order", number="PO-4711"),
                    *([Reference(kind="previous_invoice", number="INV-2024-1000", issued=date(2024, 2, 1))]
                      if credit else []),
                    Reference(kind="contract", number="CT-9")],
        lines=doc_lines,
        allowances_charges=[
            AllowanceCharge(is_charge=False, amount=allowance, reason="Discount", reason_code="95",
                            tax_category="S", tax_rate=D("25")),
            AllowanceCharge(is_charge=True, amount=charge, reason="Freight", reason_code="FC",
                            tax_category="S", tax_rate=D("25")),
        ],
        tax_subtotals=[TaxSubtotal("S", D("25"), taxable, tax)],
        payment_terms=[
            PaymentTerms(means_code="30", account_id="DK5000400440116243", payment_reference="INV1001"),
            PaymentTerms(description="30 days net"),
        ],
        totals=Totals(line_total=line_total, allowance_total=allowance, charge_total=charge,
                      tax_exclusive=taxable, tax_total=tax, tax_inclusive=taxable + tax,
                      payable=taxable + tax),
    )


def order() -> PurchaseOrder:
    buyer_party = buyer()
    buyer_party.raw_role = "BuyerCustomerParty"
    seller = supplier()
    seller.raw_role = "SellerSupplierParty"
    dp = delivery()
    dp.contact = Contact(name="Gate keeper", phone="+4587654321")
    return PurchaseOrder(
        number="PO-4711", issued=datetime(2024, 2, 20, 9, 30, tzinfo=CET), currency="EUR", type_code="220",
        notes=["Deliver before noon"], delivery_date=date(2024, 2, 28),
        parties=[buyer_party, seller, dp],
        references=[Reference(kind="buyer_reference", number="REF-77"),
                    Reference(kind="quotation", number="Q-12"),
                    Reference(kind="contract", number="CT-9")],
        lines=[Line(number=str(n), item=Item(gtin=gtin(n), supplier_number=f"SUP-{n}",
                                             description=f"Item {n}"),
                    quantities=[Quantity(D("10"), "C62", "ordered")],
                    prices=[Price(D("12.50"), D("1"), "C62")], line_amount=D("125.00"),
                    tax_category="S", tax_rate=D("25"), delivery_date=date(2024, 2, 27))
               for n in (1, 2)],
        totals=Totals(line_total=D("250.00"), tax_exclusive=D("250.00"), tax_total=D("62.50"),
                      tax_inclusive=D("312.50"), payable=D("312.50")),
    )


def order_response() -> OrderResponse:
    seller, buyer_party = supplier(), buyer()
    seller.raw_role, buyer_party.raw_role = "SellerSupplierParty", "BuyerCustomerParty"
    return OrderResponse(
        number="OR-88", issued=date(2024, 2, 21), currency="EUR", type_code="CA",
        response="accepted_with_changes", order_number="PO-4711", delivery_date=date(2024, 2, 28),
        references=[Reference(kind="order", number="PO-4711", issued=date(2024, 2, 20))],
        notes=["Line 2 is short"], parties=[seller, buyer_party],
        lines=[
            Line(number="1", item=Item(supplier_number="SUP-1", description="Item 1"), status="accepted",
                 quantities=[Quantity(D("10"), "C62", "confirmed")],
                 references=[Reference(kind="order", number="", line="1")]),
            Line(number="2", item=Item(supplier_number="SUP-2", description="Item 2"), status="changed",
                 quantities=[Quantity(D("6"), "C62", "confirmed")], prices=[Price(D("12.00"))],
                 delivery_date=date(2024, 3, 5), references=[Reference(kind="order", number="", line="2")]),
        ],
    )


def despatch_advice() -> DespatchAdvice:
    seller, dp, buyer_party = supplier(), delivery(), buyer()
    seller.raw_role, buyer_party.raw_role = "DespatchSupplierParty", "BuyerCustomerParty"
    dp.raw_role = "DeliveryCustomerParty"
    dp.address = None
    return DespatchAdvice(
        number="DA-5", issued=date(2024, 2, 26), order_number="PO-4711", type_code="351",
        references=[Reference(kind="order", number="PO-4711")],
        despatch_date=date(2024, 2, 26), delivery_date=date(2024, 2, 28), notes=["Two pallets"],
        parties=[seller, dp, buyer_party],
        lines=[Line(number=str(n), item=Item(gtin=gtin(n), description=f"Item {n}"),
                    quantities=[Quantity(D("10"), "C62", "despatched"),
                                Quantity(D("2"), "C62", "backordered")],
                    references=[Reference(kind="order", number="PO-4711", line=str(n))])
               for n in (1, 2)],
    )
