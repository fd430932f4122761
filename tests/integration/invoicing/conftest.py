"""A company that invoices, and buyers taking UBL (Peppol) or EDIFACT, registered through the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def invoicing(app: Flask, runner: Any, make_user: Any) -> dict[str, Any]:
    """The company Ponte Seller SA, buyers peppol-buyer (UBL) and edi-buyer (EDIFACT), an admin's headers."""
    for args in (["company-add", "Ponte Seller SA", "--country", "BE", "--id", "gln:5790000435975",
                  "--id", "vat:BE0123456749", "--street", "Rue Neuve 1", "--city", "Brussels",
                  "--postal-code", "1000", "--iban", "BE71 0961 2345 6769"],
                 ["partner-add", "peppol-buyer", "--edi-id", "5790000435968", "--syntax", "ubl",
                  "--id", "gln:5790000435968", "--id", "vat:DE123456788"],
                 ["partner-add", "edi-buyer", "--edi-id", "4012345000009", "--syntax", "edifact",
                  "--id", "gln:4012345000009"],
                 ["partner-add", "nobody-buyer", "--edi-id", "NOBODY", "--syntax", "ubl"]):
        result = runner.invoke(args=["hub", *args])
        assert result.exit_code == 0, result.output
    return {"admin": make_user("boss", "admin"), "auditor": make_user("eve", "auditor")}


def invoice_body(buyer: str = "peppol-buyer", **changes: Any) -> dict[str, Any]:
    """An invoice request: two lines at 21 % and 6 %, a line discount and a freight charge."""
    body = {"buyer": buyer, "currency": "EUR", "issued": "2026-05-04", "order_number": "PO-1",
            "buyer_address": {"street": "Hauptstrasse 2", "city": "Berlin", "postal_code": "10115",
                              "country": "DE"},
            "lines": [{"description": "Widget", "quantity": "3", "price": "10.333", "base_quantity": "2",
                       "tax_category": "S", "tax_rate": "21",
                       "allowances_charges": [{"charge": False, "percent": "10", "reason": "Discount"}]},
                      {"description": "Bolt", "quantity": "1.5", "price": "7", "unit": "KGM",
                       "tax_category": "S", "tax_rate": "6"}],
            "allowances_charges": [{"charge": True, "amount": "5", "reason": "Freight", "tax_category": "S",
                                    "tax_rate": "21"}]}
    body.update(changes)
    return body
