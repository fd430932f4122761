"""Parties and invoice specs for the invoicing tests: valid for Peppol BIS Billing 3 (a Belgian seller,
whose country has no Peppol national rules, with a GLN endpoint and a VAT number)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hub.domain.documents import Address, Identifier, IdScheme, Party, PartyRole, PaymentTerms
from hub.invoicing.arithmetic import Adjustment, LineInput
from hub.invoicing.domain import InvoiceSpec, LineSpec

SELLER = Party(PartyRole.supplier, ids=[Identifier("5790000435975", IdScheme.gln)], name="Ponte Seller SA",
               address=Address(["Rue Neuve 1"], "Brussels", "1000", country="BE"),
               tax_ids=[Identifier("BE0123456749", IdScheme.vat)],
               endpoint=Identifier("5790000435975", IdScheme.gln))
BUYER = Party(PartyRole.buyer, ids=[Identifier("5790000435968", IdScheme.gln)], name="Buyer GmbH",
              address=Address(["Hauptstrasse 2"], "Berlin", "10115", country="DE"),
              tax_ids=[Identifier("DE123456788", IdScheme.vat)],
              endpoint=Identifier("5790000435968", IdScheme.gln))
DELIVERY = Party(PartyRole.delivery, address=Address(["Hauptstrasse 2"], "Berlin", "10115", country="DE"))
TRANSFER = PaymentTerms(means_code="30", account_id="BE71096123456769", description="30 days net")


def simple_spec(category: str = "S", rate: Decimal | None = Decimal(21)) -> InvoiceSpec:
    """A two-line invoice with a line discount and a freight charge, in one tax category."""
    return InvoiceSpec(
        seller=SELLER, buyer=BUYER, currency="EUR", issued=date(2026, 5, 4), due_date=date(2026, 6, 3),
        lines=[LineSpec(LineInput(Decimal(3), Decimal("10.333"), category, rate, Decimal(2),
                                  [Adjustment(False, percent=Decimal(10), reason="Discount")]), "Widget"),
               LineSpec(LineInput(Decimal("1.5"), Decimal(7), category, rate), "Bolt", unit="KGM")],
        adjustments=[Adjustment(True, amount=Decimal(5), reason="Freight", category=category, rate=rate)],
        order_number="PO-1", delivery_date=date(2026, 5, 2), delivery=DELIVERY, payment=[TRANSFER])
