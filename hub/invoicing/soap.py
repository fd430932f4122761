"""SOAP `IssueInvoicesV2(Invoices)`: the second format of an ERP's invoices, a new WSDL type beside the
first (`SubmitInvoices` with `InvoiceToIssue`, kept as it was). `InvoiceV2` carries what the invoicing
request does (lines with tax category and rate, line and document allowances and charges, the stated
tax subtotals and totals); each is issued by `hub.invoicing.erp` exactly as over REST v2.
"""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy.orm import Session

from hub.erp.soap import NAMESPACE, flask_app_of, snake_fields, with_connector
from hub.invoicing import erp
from hub.models import ErpConnector

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ImportWarning)  # spyne's vendored six, as in hub.erp.soap
    from spyne import Array, Boolean, ComplexModel, Date, Decimal, Integer, ServiceBase, Unicode, rpc


class AllowanceChargeV2(ComplexModel):
    __namespace__ = NAMESPACE
    Charge = Boolean
    Amount = Decimal
    Percent = Decimal
    Base = Decimal
    Reason = Unicode
    ReasonCode = Unicode
    TaxCategory = Unicode  # document level only
    TaxRate = Decimal


class InvoiceLineV2(ComplexModel):
    __namespace__ = NAMESPACE
    Description = Unicode
    Quantity = Decimal
    Price = Decimal
    BaseQuantity = Decimal
    Unit = Unicode
    TaxCategory = Unicode
    TaxRate = Decimal
    ItemId = Unicode
    Gtin = Unicode
    OrderLine = Unicode
    LineAmount = Decimal  # stated: compared with the computed net amount
    AllowancesCharges = Array(AllowanceChargeV2)


class TaxSubtotalV2(ComplexModel):
    __namespace__ = NAMESPACE
    Category = Unicode
    Rate = Decimal
    TaxableAmount = Decimal
    TaxAmount = Decimal


class ExemptionV2(ComplexModel):
    __namespace__ = NAMESPACE
    Category = Unicode
    Code = Unicode
    Text = Unicode


class TotalsV2(ComplexModel):
    __namespace__ = NAMESPACE
    LineTotal = Decimal
    AllowanceTotal = Decimal
    ChargeTotal = Decimal
    TaxExclusive = Decimal
    TaxTotal = Decimal
    TaxInclusive = Decimal
    Prepaid = Decimal
    Payable = Decimal


class AddressV2(ComplexModel):
    __namespace__ = NAMESPACE
    Street = Unicode
    City = Unicode
    PostalCode = Unicode
    Country = Unicode


class InvoiceV2(ComplexModel):
    __namespace__ = NAMESPACE
    ExternalId = Unicode
    Company = Unicode
    Buyer = Unicode
    Number = Unicode
    Currency = Unicode
    Issued = Date
    DueDate = Date
    OrderNumber = Unicode
    BuyerReference = Unicode
    DeliveryDate = Date
    Note = Unicode
    Prepaid = Decimal
    BuyerAddress = AddressV2
    Lines = Array(InvoiceLineV2)
    AllowancesCharges = Array(AllowanceChargeV2)
    Exemptions = Array(ExemptionV2)
    Taxes = Array(TaxSubtotalV2)
    Totals = TotalsV2


class IssuedInvoiceV2(ComplexModel):
    __namespace__ = NAMESPACE
    ExternalId = Unicode
    Id = Integer
    Number = Unicode
    State = Unicode
    Payable = Decimal
    Currency = Unicode
    ExchangeId = Unicode
    Duplicate = Boolean


CHARGE = {"Charge": "charge", "Amount": "amount", "Percent": "percent", "Base": "base", "Reason": "reason",
          "ReasonCode": "reason_code", "TaxCategory": "tax_category", "TaxRate": "tax_rate"}
LINE = {"Description": "description", "Quantity": "quantity", "Price": "price",
        "BaseQuantity": "base_quantity", "Unit": "unit", "TaxCategory": "tax_category", "TaxRate": "tax_rate",
        "ItemId": "item_id", "Gtin": "gtin", "OrderLine": "order_line", "LineAmount": "line_amount"}
TAX = {"Category": "category", "Rate": "rate", "TaxableAmount": "taxable_amount", "TaxAmount": "tax_amount"}
TOTALS = {"LineTotal": "line_total", "AllowanceTotal": "allowance_total", "ChargeTotal": "charge_total",
          "TaxExclusive": "tax_exclusive", "TaxTotal": "tax_total", "TaxInclusive": "tax_inclusive",
          "Prepaid": "prepaid", "Payable": "payable"}
ADDRESS = {"Street": "street", "City": "city", "PostalCode": "postal_code", "Country": "country"}
INVOICE = {"ExternalId": "external_id", "Company": "company", "Buyer": "buyer", "Number": "number",
           "Currency": "currency", "Issued": "issued", "DueDate": "due_date", "OrderNumber": "order_number",
           "BuyerReference": "buyer_reference", "DeliveryDate": "delivery_date", "Note": "note",
           "Prepaid": "prepaid"}


def _fields(record: Any, names: dict[str, str]) -> dict[str, Any]:
    """The record's given fields by their request names (dates as ISO text, absent ones left out)."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in snake_fields(record, names).items() if v is not None}


def _charges(items: Any) -> list[dict[str, Any]]:
    return [{"charge": False, **_fields(item, CHARGE)} for item in items or []]


def invoice_request(inv: Any) -> dict[str, Any]:
    """An InvoiceV2 as the invoicing request it stands for."""
    request = _fields(inv, INVOICE)
    request["lines"] = [{**_fields(line, LINE), "allowances_charges": _charges(line.AllowancesCharges)}
                        for line in inv.Lines or []]
    request["allowances_charges"] = _charges(inv.AllowancesCharges)
    if inv.BuyerAddress is not None:
        request["buyer_address"] = _fields(inv.BuyerAddress, ADDRESS)
    if inv.Exemptions:
        request["exemptions"] = {str(e.Category or "").upper(): {"code": e.Code, "text": e.Text}
                                 for e in inv.Exemptions}
    if inv.Taxes:
        request["taxes"] = [_fields(tax, TAX) for tax in inv.Taxes]
    if inv.Totals is not None:
        request["totals"] = _fields(inv.Totals, TOTALS)
    return request


class InvoicingV2Service(ServiceBase):
    """The ERP's invoices in the second format; element names are the WSDL's."""

    @rpc(Array(InvoiceV2), _returns=Array(IssuedInvoiceV2))
    def IssueInvoicesV2(ctx, Invoices):
        payload = {"invoices": [invoice_request(inv) for inv in Invoices or []]}
        settings = flask_app_of(ctx).config["HUB_SETTINGS"]

        def work(session: Session, connector: ErpConnector) -> list[IssuedInvoiceV2]:
            from datetime import UTC, datetime

            issued = erp.issue_batch(session, payload, connector=connector, settings=settings,
                                     today=datetime.now(UTC).date())
            return [IssuedInvoiceV2(ExternalId=i.external_id, Id=i.id, Number=i.number, State=i.state,
                                    Payable=i.payable, Currency=i.currency, ExchangeId=i.exchange_id,
                                    Duplicate=not created) for i, created in issued]
        return with_connector(ctx, work)
