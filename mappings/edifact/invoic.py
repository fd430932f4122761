"""INVOIC <-> Invoice: lines, allowances and charges, tax breakdown, payment terms (PAT or PYT), totals."""

from __future__ import annotations

from datetime import date, datetime

from hub.domain.documents import Invoice, PaymentTerms, TaxSubtotal, Totals
from hub.domain.errors import Problem
from mappings.edifact import common as c
from mappings.edifact.model import Message, Segment
from mappings.edifact.orders import render_totals, totals
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import Reader, read
from mappings.edifact.writer import Writer, text_length

MESSAGE_TYPE = "INVOIC"
# VAT categories whose breakdown states why no VAT is due (EN 16931 BR-E-10, BR-AE-10, BR-G-10, ...)
EXEMPT_CATEGORIES = ("E", "AE", "K", "G", "O")


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> Invoice:
    """An INVOIC message as an Invoice (a credit note when BGM 1001 says so, e.g. 381)."""
    r = read(message, profile, decimal_mark, warnings)
    doc = Invoice(number=r.number or "")
    r.fill(doc, ("137", "3"))
    doc.is_credit_note = (r.type_code or "") in c.CREDIT_NOTE_TYPES
    doc.allowances_charges = r.allowances
    doc.totals = totals(r) or Totals()
    doc.tax_subtotals = _taxes(r, doc.totals)
    exempt = [t for t in doc.tax_subtotals if t.category in EXEMPT_CATEGORIES]
    for sub, (code, reason) in zip(exempt, r.tax_exemptions, strict=False):
        sub.exemption_reason_code, sub.exemption_reason = code, reason
    doc.payment_terms = _terms(r)
    _header_references(doc)
    doc.delivery_date = _day(r.first_date(("35",)))
    tax_point = r.first_date(("131",))
    doc.tax_point_date = tax_point.date() if isinstance(tax_point, datetime) else tax_point
    doc.period_start = _day(r.first_date(("167",)))
    doc.period_end = _day(r.first_date(("168",)))
    due = r.first_date(("13", "140"))
    doc.due_date = (due.date() if isinstance(due, datetime) else due) or next(
        (t.due_date for t in doc.payment_terms if t.due_date), None)
    return doc


def _header_references(doc: Invoice) -> None:
    """RFF+CR is the buyer reference (BT-10) and RFF+PQ the payment reference (BT-83) of the
    invoice, not references to other documents."""
    for ref in [r for r in doc.references if r.kind in ("buyer_reference", "payment_reference")]:
        if ref.kind == "buyer_reference" and doc.buyer_reference is None:
            doc.buyer_reference = ref.number
        elif ref.kind == "payment_reference":
            if not doc.payment_terms:
                doc.payment_terms.append(PaymentTerms())
            term = next((t for t in doc.payment_terms if t.means_code), doc.payment_terms[0])
            if term.payment_reference is not None:
                continue
            term.payment_reference = ref.number
        else:
            continue
        doc.references.remove(ref)


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _taxes(r: Reader, t: Totals) -> list[TaxSubtotal]:
    """Tax subtotals; a lone TAX without amounts (older files) takes the document's totals."""
    subs = r.taxes
    if len(subs) == 1 and id(subs[0]) not in r.taxes_with_amounts:
        sub = subs[0]
        sub.taxable_amount = t.tax_exclusive or t.line_total or sub.taxable_amount
        sub.tax_amount = t.tax_total or sub.tax_amount
    return subs


def _terms(r: Reader) -> list[PaymentTerms]:
    """Payment terms; means (PAI) given outside a terms group go to the first, and the payee's account
    (FII under its NAD) to the first that names means of payment (the account is paid to by those
    means, EN 16931 BT-84 with BT-81), else to the first."""
    terms = r.terms
    if (r.accounts or r.means_code or r.terms_notes) and not terms:
        terms.append(PaymentTerms())
    if r.terms_notes and terms[0].description is None:  # FTX+AAB: the terms' text, not a note (BT-20)
        terms[0].description = r.terms_notes[0]
        r.notes.remove(r.terms_notes[0])
    if terms:
        first = terms[0]
        first.means_code = first.means_code or r.means_code
        paid = next((t for t in terms if t.means_code), first)
        paid.account_id = paid.account_id or (r.accounts[0] if r.accounts else None)
    return terms


def render(doc: Invoice, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The INVOIC body for an Invoice."""
    w = Writer(profile)
    w.line_notes_first = True
    w.bgm(doc, "381" if doc.is_credit_note else "380")
    w.dtm("137", doc.issued)
    w.dtm("131", doc.tax_point_date)
    w.dtm("167", doc.period_start)
    w.dtm("168", doc.period_end)
    w.dtm("35", doc.delivery_date)
    first = doc.payment_terms[0] if doc.payment_terms else None
    first_due = next((t.due_date for t in doc.payment_terms if t.due_date), None)
    if doc.due_date is not None and doc.due_date != first_due:
        w.dtm("13", doc.due_date)
    if first is not None and first.means_code:
        w.pai(first.means_code)
    customization = doc.profile.get("customization_id")
    if customization and len(customization) <= text_length(profile.directory):
        # the source's specification id, kept where 4440 can hold it whole (not in D.96A's 70 characters)
        w.add("FTX", "DOC", "", "", customization)
    w.notes(doc.notes)
    for sub in doc.tax_subtotals:  # the exemption reasons, in the order of the exempt breakdowns
        if sub.category in EXEMPT_CATEGORIES and (sub.exemption_reason or sub.exemption_reason_code):
            reason = c.split35(sub.exemption_reason, text_length(profile.directory)) \
                if sub.exemption_reason else []
            w.add("FTX", "TXD", "", "", ([sub.exemption_reason_code] if sub.exemption_reason_code
                                         else []) + reason[:4])
    w.notes([t.instruction for t in doc.payment_terms if t.instruction], "PMD")  # e.g. a Pix BR Code
    if first is not None and first.description and len(first.description) > 70:
        w.notes([first.description], "AAB")  # PAT C110 holds 2 x 35: a longer terms text goes in FTX+AAB
    w.references(doc.references)
    if doc.buyer_reference and not doc.reference("buyer_reference"):
        w.add("RFF", ["CR", doc.buyer_reference])
    # RFF 1154 holds 35 characters in D.96A: a longer reference (a boleto's line) is in FTX+PMD
    reference = next((t.payment_reference for t in doc.payment_terms
                      if t.payment_reference and len(t.payment_reference) <= 35), None)
    if reference:
        w.add("RFF", ["PQ", reference])
    w.parties(doc.parties, first.account_id if first is not None and _payee_account(first) else None,
              accounting_cost=doc.accounting_cost)
    w.currency(doc.currency)
    w.payment_terms(doc.payment_terms)
    for alc in doc.allowances_charges:
        w.allowance(alc)
    w.lines(doc.lines)
    w.add("UNS", "S")
    w.add("CNT", ["2", str(len(doc.lines))])
    render_totals(w, doc.totals)
    for sub in doc.tax_subtotals:
        w.tax(sub.category, sub.rate, sub.scheme)
        w.moa("125", sub.taxable_amount)
        w.moa("124", sub.tax_amount)
    return w.out


def _payee_account(term: PaymentTerms) -> bool:
    """Whether the term's account is the payee's (FII+RB): not a direct debit's payer, not a Pix key."""
    return term.means_code not in ("49", "59") and not term.instruction
