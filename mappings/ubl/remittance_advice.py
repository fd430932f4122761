"""UBL 2.1 RemittanceAdvice <-> canonical RemittanceAdvice, the same document REMADV gives.

Header: ID, IssueDate (and time), Note, DocumentCurrencyCode, TotalPaymentAmount (the total paid),
PaymentOrderReference (the payment reference, REMADV RFF+PQ), AdditionalDocumentReference (other
references, their kind in DocumentType), AccountingCustomerParty (the payer, REMADV NAD+PR),
AccountingSupplierParty (the payee, NAD+PE, or the supplier when a PayeeParty names the payee), and
PaymentMeans/PaymentDueDate, the payment date (REMADV DTM 209; UBL has no element of that name).
The canonical document has no payment means: the hub writes PaymentMeansCode 1 (instrument not
defined) and does not keep the code it reads.
One RemittanceAdviceLine per invoice paid: BillingReference/InvoiceDocumentReference (number, issue
date), DebitLineAmount what is paid (CreditLineAmount when negative: a credit note taken off, named by a
CreditNoteDocumentReference, which is read as a deduction whichever amount carries it),
BillingReferenceLine/Amount the invoice's amount, an AllowanceCharge there the adjustment (negative:
an allowance, the deduction the payer took) with its reason code (REMADV AJT), and BalanceAmount what
remains open after the payment (written, not read: it follows from the others).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from hub.domain.documents import Party, PartyRole, Reference, RemittanceAdvice, RemittanceLine
from hub.domain.errors import MappingError, Problem
from mappings.ubl.common import (
    NS,
    day,
    decimal,
    header_fields,
    new_root,
    opt,
    parse_party,
    render_party,
    require,
    serialize,
    sub,
    text,
)

VERSION = "2.1"
UNDEFINED_MEANS = "1"  # UNCL 4461: instrument not defined
PAYMENT_REFERENCE = "payment_reference"
_PATH = "/RemittanceAdvice/cac:RemittanceAdviceLine"


def parse(root: etree._Element) -> RemittanceAdvice:
    """Map a schema-valid UBL RemittanceAdvice to a canonical RemittanceAdvice."""
    doc = RemittanceAdvice(
        **header_fields(root, "remittance advice number"),
        total_paid=decimal(root, "cbc:TotalPaymentAmount"),
        payment_date=day(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
    )
    payment_ref = text(root, "cbc:PaymentOrderReference")
    if payment_ref:
        doc.references.append(Reference(PAYMENT_REFERENCE, payment_ref, raw_kind="PaymentOrderReference"))
    for ref in root.findall("cac:AdditionalDocumentReference", NS):
        kind = text(ref, "cbc:DocumentType") or "additional"
        doc.references.append(Reference(kind, text(ref, "cbc:ID") or "", issued=day(ref, "cbc:IssueDate")))
    doc.parties = _parties(root)
    doc.remittances = [_line(line, n) for n, line in
                       enumerate(root.findall("cac:RemittanceAdviceLine", NS), 1)]
    return doc


def _parties(root: etree._Element) -> list[Party]:
    has_payee = root.find("cac:PayeeParty", NS) is not None
    found = [
        parse_party(root.find("cac:AccountingCustomerParty", NS), PartyRole.payer, "AccountingCustomerParty"),
        parse_party(root.find("cac:AccountingSupplierParty", NS),
                    PartyRole.supplier if has_payee else PartyRole.payee, "AccountingSupplierParty"),
        parse_party(root.find("cac:PayeeParty", NS), PartyRole.payee, "PayeeParty"),
    ]
    return [p for p in found if p is not None]


def _line(el: etree._Element, n: int) -> RemittanceLine:
    where = f"{_PATH}[{n}]"
    invoice = el.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    credit_note = None
    if invoice is None:
        invoice = credit_note = el.find("cac:BillingReference/cac:CreditNoteDocumentReference", NS)
    if invoice is None:
        invoice = el.find("cac:DocumentReference", NS)
    number = require(text(invoice, "cbc:ID"), "the number of the document paid",
                     f"{where}/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
    debit, credit = decimal(el, "cbc:DebitLineAmount"), decimal(el, "cbc:CreditLineAmount")
    if debit is None and credit is None:
        message = f"remittance line {n} ({number}) has no DebitLineAmount or CreditLineAmount"
        raise MappingError(message, problems=[Problem(code="MISSING_VALUE", message=message,
                                                      element=f"{where}/cbc:DebitLineAmount")])
    reference_line = el.find("cac:BillingReference/cac:BillingReferenceLine", NS)
    adjustment, reason = _adjustment(reference_line)
    paid = (debit or Decimal(0)) - (credit or Decimal(0))
    amount = decimal(reference_line, "cbc:Amount")
    if credit_note is not None:  # a credit note deducts, whichever amount carries it
        paid = -abs(paid)
        amount = None if amount is None else -abs(amount)
    return RemittanceLine(invoice_number=number, paid=paid, invoice_amount=amount, adjustment=adjustment,
                          adjustment_reason=reason, invoice_date=day(invoice, "cbc:IssueDate"))


def _adjustment(reference_line: etree._Element | None) -> tuple[Decimal | None, str | None]:
    """The signed sum of a billing reference line's allowances (-) and charges (+), and the first reason."""
    if reference_line is None:
        return None, None
    total, reason, seen = Decimal(0), None, False
    for alc in reference_line.findall("cac:AllowanceCharge", NS):
        amount = decimal(alc, "cbc:Amount") or Decimal(0)
        total += amount if text(alc, "cbc:ChargeIndicator") == "true" else -amount
        reason = reason or text(alc, "cbc:AllowanceChargeReasonCode")
        seen = True
    return (total, reason) if seen else (None, None)


def render(doc: RemittanceAdvice) -> bytes:
    """The canonical remittance advice as a UBL 2.1 RemittanceAdvice (not Peppol: it has no BIS)."""
    currency = doc.currency
    if not currency:
        message = f"remittance advice {doc.number} has no currency: UBL amounts need their currencyID"
        raise MappingError(message, problems=[Problem(code="MISSING_VALUE", message=message,
                                                      element="/RemittanceAdvice/cbc:DocumentCurrencyCode")])
    root = new_root("RemittanceAdvice")
    sub(root, "cbc:UBLVersionID", VERSION)
    sub(root, "cbc:ID", doc.number)
    _render_issued(root, doc)
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    sub(root, "cbc:DocumentCurrencyCode", currency)
    opt(root, "cbc:TotalPaymentAmount", doc.total_paid, currencyID=currency)
    _render_references(root, doc.references)
    _render_parties(root, doc)
    if doc.payment_date is not None:
        means = sub(root, "cac:PaymentMeans")
        sub(means, "cbc:PaymentMeansCode", UNDEFINED_MEANS)
        sub(means, "cbc:PaymentDueDate", doc.payment_date)
    for n, remit in enumerate(doc.remittances, 1):
        _render_line(sub(root, "cac:RemittanceAdviceLine"), n, remit, currency)
    return serialize(root)


def _render_issued(root: etree._Element, doc: RemittanceAdvice) -> None:
    when = doc.issued
    sub(root, "cbc:IssueDate", when or date.today())
    if isinstance(when, datetime):
        sub(root, "cbc:IssueTime", when.timetz().isoformat())


def _render_references(root: etree._Element, refs: list[Reference]) -> None:
    payment = next((r for r in refs if r.kind == PAYMENT_REFERENCE), None)
    if payment is not None:
        sub(root, "cbc:PaymentOrderReference", payment.number)
    for ref in refs:
        if ref is not payment:
            el = sub(root, "cac:AdditionalDocumentReference")
            sub(el, "cbc:ID", ref.number)
            opt(el, "cbc:IssueDate", ref.issued)
            sub(el, "cbc:DocumentType", ref.kind)


def _render_parties(root: etree._Element, doc: RemittanceAdvice) -> None:
    """Payer and payee (both required by the schema: an empty party when the document names none)."""
    payer = doc.party(PartyRole.payer) or doc.party(PartyRole.buyer)
    payee = doc.party(PartyRole.payee)
    supplier = doc.party(PartyRole.supplier)
    accounting_supplier = supplier if supplier is not None and payee is not None else (payee or supplier)
    for path, party in (("cac:AccountingCustomerParty", payer),
                        ("cac:AccountingSupplierParty", accounting_supplier)):
        el = sub(root, path)
        if party is not None:
            render_party(el, party)
    if payee is not None and accounting_supplier is not payee:
        render_party(root, payee).tag = f"{{{NS['cac']}}}PayeeParty"


def _render_line(el: etree._Element, n: int, remit: RemittanceLine, currency: str) -> None:
    sub(el, "cbc:ID", str(n))
    if remit.paid < 0:
        sub(el, "cbc:CreditLineAmount", -remit.paid, currencyID=currency)
    else:
        sub(el, "cbc:DebitLineAmount", remit.paid, currencyID=currency)
    if remit.invoice_amount is not None:
        balance = remit.invoice_amount - remit.paid + (remit.adjustment or Decimal(0))
        sub(el, "cbc:BalanceAmount", balance, currencyID=currency)
    billing = sub(el, "cac:BillingReference")
    invoice = sub(billing, "cac:CreditNoteDocumentReference" if remit.paid < 0
                  else "cac:InvoiceDocumentReference")
    sub(invoice, "cbc:ID", remit.invoice_number)
    opt(invoice, "cbc:IssueDate", remit.invoice_date)
    if remit.invoice_amount is None and remit.adjustment is None:
        return
    line = sub(billing, "cac:BillingReferenceLine")
    sub(line, "cbc:ID", str(n))
    opt(line, "cbc:Amount", remit.invoice_amount, currencyID=currency)
    if remit.adjustment is not None:
        alc = sub(line, "cac:AllowanceCharge")
        sub(alc, "cbc:ChargeIndicator", remit.adjustment > 0)
        opt(alc, "cbc:AllowanceChargeReasonCode", remit.adjustment_reason)
        sub(alc, "cbc:Amount", abs(remit.adjustment), currencyID=currency)
