"""UBL 2.1 Invoice and CreditNote <-> canonical Invoice, in the Peppol BIS Billing 3 profile (EN 16931)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from lxml import etree

from hub.domain.documents import (
    Invoice,
    Line,
    PartyRole,
    PaymentTerms,
    Quantity,
    Reference,
    TaxSubtotal,
    Totals,
)
from hub.domain.errors import Problem, ValidationError
from mappings import codelists
from mappings.ubl.common import (
    DEFAULT_EXEMPTION,
    NS,
    day,
    decimal,
    document_code,
    each,
    fill_party,
    issued,
    new_root,
    opt,
    parse_allowance_charge,
    parse_delivery_party,
    parse_doc_reference,
    parse_item,
    parse_party,
    parse_prices,
    peppol_endpoint,
    render_allowance_charge,
    render_delivery_party,
    render_item,
    render_party,
    render_price,
    require,
    serialize,
    sub,
    tax_category,
    text,
    texts,
    unit_code,
)

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_PARTIES = (
    ("cac:AccountingSupplierParty", PartyRole.supplier),
    ("cac:AccountingCustomerParty", PartyRole.buyer),
    ("cac:PayeeParty", PartyRole.payee),
    ("cac:TaxRepresentativeParty", PartyRole.tax_representative),
)
_REFERENCES = (
    ("cac:BillingReference/cac:InvoiceDocumentReference", "previous_invoice"),
    ("cac:DespatchDocumentReference", "despatch_advice"),
    ("cac:ReceiptDocumentReference", "receipt_advice"),
    ("cac:OriginatorDocumentReference", "tender"),
    ("cac:ContractDocumentReference", "contract"),
    ("cac:AdditionalDocumentReference", "additional"),
    ("cac:ProjectReference", "project"),
)


# ---------------------------------------------------------------------------------------------- parse


def parse(root: etree._Element) -> Invoice:
    """Map a schema-valid UBL Invoice or CreditNote to a canonical Invoice (totals checked)."""
    credit = etree.QName(root).localname == "CreditNote"
    number = require(text(root, "cbc:ID"), "document number", "/*/cbc:ID")
    currency = text(root, "cbc:DocumentCurrencyCode")
    doc = Invoice(
        number=number,
        is_credit_note=credit,
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        currency=currency,
        tax_currency=text(root, "cbc:TaxCurrencyCode"),
        type_code=text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
        notes=texts(root, "cbc:Note"),
        due_date=day(root, "cac:PaymentMeans/cbc:PaymentDueDate" if credit else "cbc:DueDate"),
        tax_point_date=day(root, "cbc:TaxPointDate"),
        buyer_reference=text(root, "cbc:BuyerReference"),
        accounting_cost=text(root, "cbc:AccountingCost"),
        delivery_date=day(root, "cac:Delivery/cbc:ActualDeliveryDate"),
        period_start=day(root, "cac:InvoicePeriod/cbc:StartDate"),
        period_end=day(root, "cac:InvoicePeriod/cbc:EndDate"),
        references=_references(root),
        allowances_charges=[parse_allowance_charge(a) for a in each(root, "cac:AllowanceCharge")],
        payment_terms=_payment_terms(root),
    )
    for path, role in _PARTIES:
        party = parse_party(root.find(path, NS), role, path.split(":")[1])
        if party:
            doc.parties.append(party)
    delivery = parse_delivery_party(root.find("cac:Delivery", NS))
    if delivery:
        doc.parties.append(delivery)
    _creditor_id(doc)
    _taxes(root, doc)
    order = doc.reference("order")
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    qty_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    doc.lines = [_line(el, qty_tag, order.number if order else "") for el in each(root, line_tag)]
    check_totals(doc, line_tag)
    return doc


def _references(root: etree._Element) -> list[Reference]:
    refs = []
    order_id = text(root, "cac:OrderReference/cbc:ID")
    sales_id = text(root, "cac:OrderReference/cbc:SalesOrderID")
    if order_id:
        when = day(root, "cac:OrderReference/cbc:IssueDate")
        refs.append(Reference(kind="order", number=order_id, issued=when))
    if sales_id:
        refs.append(Reference(kind="sales_order", number=sales_id))
    for path, kind in _REFERENCES:
        refs += [parse_doc_reference(el, kind) for el in each(root, path)]
    return refs


def _payment_terms(root: etree._Element) -> list[PaymentTerms]:
    terms = [
        PaymentTerms(means_code=text(pm, "cbc:PaymentMeansCode"), payment_reference=text(pm, "cbc:PaymentID"),
                     account_id=text(pm, "cac:PayeeFinancialAccount/cbc:ID")
                     or text(pm, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
                     means_text=next((c.get("name") for c in each(pm, "cbc:PaymentMeansCode")), None),
                     payee_name=text(pm, "cac:PayeeFinancialAccount/cbc:Name"),
                     bank_id=text(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
                     mandate_reference=text(pm, "cac:PaymentMandate/cbc:ID"))
        for pm in each(root, "cac:PaymentMeans")
    ]
    notes = [n for pt in each(root, "cac:PaymentTerms") for n in texts(pt, "cbc:Note")]
    if notes:
        terms.append(PaymentTerms(description="\n".join(notes)))
    return terms


def _creditor_id(doc: Invoice) -> None:
    """A direct debit's creditor identifier (BT-90) comes as the seller's identifier of scheme SEPA:
    it belongs to the direct debit's payment means, not to the seller's identifiers."""
    seller = doc.party(PartyRole.supplier)
    debits = [t for t in doc.payment_terms if t.mandate_reference or t.means_code in ("49", "59")]
    if seller is None or not debits:
        return
    creditor = next((i for i in seller.ids if i.raw_scheme == "SEPA"), None)
    if creditor is not None:
        seller.ids.remove(creditor)
        debits[0].creditor_id = creditor.value


def _taxes(root: etree._Element, doc: Invoice) -> None:
    for total in each(root, "cac:TaxTotal"):
        amount_el = total.find("cbc:TaxAmount", NS)
        amount = decimal(total, "cbc:TaxAmount")
        if amount_el is not None and doc.tax_currency and amount_el.get("currencyID") == doc.tax_currency \
                and doc.tax_currency != doc.currency:
            doc.totals.tax_total_tax_currency = amount
            continue
        doc.totals.tax_total = amount
        for st in each(total, "cac:TaxSubtotal"):
            doc.tax_subtotals.append(TaxSubtotal(
                category=text(st, "cac:TaxCategory/cbc:ID") or "",
                rate=decimal(st, "cac:TaxCategory/cbc:Percent"),
                taxable_amount=decimal(st, "cbc:TaxableAmount") or Decimal(0),
                tax_amount=decimal(st, "cbc:TaxAmount") or Decimal(0),
                scheme=text(st, "cac:TaxCategory/cac:TaxScheme/cbc:ID") or "VAT",
                exemption_reason=text(st, "cac:TaxCategory/cbc:TaxExemptionReason"),
                exemption_reason_code=text(st, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
            ))
    money = root.find("cac:LegalMonetaryTotal", NS)
    t = doc.totals
    t.line_total = decimal(money, "cbc:LineExtensionAmount")
    t.tax_exclusive = decimal(money, "cbc:TaxExclusiveAmount")
    t.tax_inclusive = decimal(money, "cbc:TaxInclusiveAmount")
    t.allowance_total = decimal(money, "cbc:AllowanceTotalAmount")
    t.charge_total = decimal(money, "cbc:ChargeTotalAmount")
    t.prepaid = decimal(money, "cbc:PrepaidAmount")
    t.rounding = decimal(money, "cbc:PayableRoundingAmount")
    t.payable = decimal(money, "cbc:PayableAmount")


def _line(el: etree._Element, qty_tag: str, order_number: str) -> Line:
    qty_el = el.find(qty_tag, NS)
    quantities = []
    if qty_el is not None and qty_el.text:
        quantities.append(Quantity(value=Decimal(qty_el.text.strip()), unit=qty_el.get("unitCode") or "C62",
                                   kind="invoiced"))
    refs = [Reference(kind="order", number=text(r, "cac:OrderReference/cbc:ID") or order_number,
                      line=text(r, "cbc:LineID"))
            for r in each(el, "cac:OrderLineReference") if text(r, "cbc:LineID")]
    refs += [parse_doc_reference(r, "additional") for r in each(el, "cac:DocumentReference")]
    return Line(
        number=text(el, "cbc:ID") or "",
        item=parse_item(el.find("cac:Item", NS)),
        quantities=quantities,
        prices=parse_prices(el.find("cac:Price", NS)),
        line_amount=decimal(el, "cbc:LineExtensionAmount"),
        tax_category=text(el, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        tax_rate=decimal(el, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        allowances_charges=[parse_allowance_charge(a) for a in each(el, "cac:AllowanceCharge")],
        references=refs,
        notes=texts(el, "cbc:Note"),
        accounting_cost=text(el, "cbc:AccountingCost"),
    )


def check_totals(doc: Invoice, line_tag: str = "cac:InvoiceLine") -> None:
    """Reject an invoice whose totals do not add up (EN 16931 BR-CO-10, BR-CO-13, BR-CO-15, BR-CO-16)."""
    t, z = doc.totals, Decimal(0)
    problems: list[Problem] = []

    def differ(rule: str, what: str, path: str, stated: Decimal | None, computed: Decimal) -> None:
        if stated is not None and stated != computed:
            problems.append(Problem(
                code="UBL_TOTALS", message=f"{rule}: {what} is {stated} but the figures give {computed}",
                message_ref=doc.number, element=f"/*/cac:LegalMonetaryTotal/{path}"))

    line_sum = sum((ln.line_amount or z for ln in doc.lines), z)
    differ("BR-CO-10", f"LineExtensionAmount (sum of {line_tag} amounts)", "cbc:LineExtensionAmount",
           t.line_total, line_sum)
    if t.line_total is not None:
        differ("BR-CO-13", "TaxExclusiveAmount (lines - allowances + charges)", "cbc:TaxExclusiveAmount",
               t.tax_exclusive, t.line_total - (t.allowance_total or z) + (t.charge_total or z))
    # UBL 2.1 examples predating EN 16931 fold the rounding into TaxInclusiveAmount; both readings add up.
    rounding = t.rounding or z
    folded = False
    if t.tax_exclusive is not None:
        plain = t.tax_exclusive + (t.tax_total or z)
        folded = bool(rounding) and t.tax_inclusive == plain + rounding
        differ("BR-CO-15", "TaxInclusiveAmount (tax exclusive + TaxTotal/TaxAmount)",
               "cbc:TaxInclusiveAmount", t.tax_inclusive, plain + rounding if folded else plain)
    if t.tax_inclusive is not None:
        differ("BR-CO-16", "PayableAmount (tax inclusive - prepaid + rounding)", "cbc:PayableAmount",
               t.payable, t.tax_inclusive - (t.prepaid or z) + (z if folded else rounding))
    if problems:
        raise ValidationError(f"invoice {doc.number}: totals do not add up", problems=problems)


# ---------------------------------------------------------------------------------------------- render


def render(doc: Invoice) -> bytes:
    """The canonical invoice as a Peppol BIS Billing 3 UBL Invoice or CreditNote."""
    credit = doc.is_credit_note
    cur = doc.currency or "EUR"
    root = new_root("CreditNote" if credit else "Invoice")
    sub(root, "cbc:CustomizationID", CUSTOMIZATION)
    sub(root, "cbc:ProfileID", PROFILE)
    sub(root, "cbc:ID", doc.number)
    sub(root, "cbc:IssueDate", doc.issued)
    if not credit:
        opt(root, "cbc:DueDate", doc.due_date)
    type_tag = "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"
    sub(root, type_tag, document_code(doc.type_code or ("381" if credit else "380"), type_tag))
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    opt(root, "cbc:TaxPointDate", doc.tax_point_date)
    sub(root, "cbc:DocumentCurrencyCode", cur)
    opt(root, "cbc:TaxCurrencyCode", doc.tax_currency)
    opt(root, "cbc:AccountingCost", doc.accounting_cost)
    opt(root, "cbc:BuyerReference", doc.buyer_reference)
    if doc.period_start or doc.period_end:
        period = sub(root, "cac:InvoicePeriod")
        opt(period, "cbc:StartDate", doc.period_start)
        opt(period, "cbc:EndDate", doc.period_end)
    _render_references(root, doc)
    _render_parties(root, doc)
    _render_payment(root, doc)
    for ac in doc.allowances_charges:
        render_allowance_charge(root, ac, cur, with_tax=True)
    _render_taxes(root, doc, cur)
    _render_totals(root, doc.totals, cur)
    for line in doc.lines:
        _render_line(root, line, cur, credit)
    return serialize(root)


def _render_references(root: etree._Element, doc: Invoice) -> None:
    order, sales = doc.reference("order"), doc.reference("sales_order")
    if order or sales:
        el = sub(root, "cac:OrderReference")
        sub(el, "cbc:ID", order.number if order else "NA")
        opt(el, "cbc:SalesOrderID", sales.number if sales else None)
        opt(el, "cbc:IssueDate", order.issued if order else None)
    for path, kind in _REFERENCES:
        for ref in (r for r in doc.references if r.kind == kind):
            parts = path.split("/")
            el = sub(root, parts[0])
            if len(parts) > 1:
                el = sub(el, parts[1])
            sub(el, "cbc:ID", ref.number)
            if kind in ("previous_invoice", "additional"):
                opt(el, "cbc:IssueDate", ref.issued if kind == "previous_invoice" else None)
                opt(el, "cbc:DocumentTypeCode", ref.raw_kind if kind == "additional" else None)


def _render_parties(root: etree._Element, doc: Invoice) -> None:
    for path, role in _PARTIES:
        party = doc.party(role)
        if party is None and role == PartyRole.buyer:
            # UBL's AccountingCustomerParty is the party billed: with no buyer named (EDIFACT NAD+BY),
            # the invoicee (NAD+IV, BT) is it, as in a UBL Order; it reads back as the buyer (EN 16931 BG-7)
            party = doc.party(PartyRole.invoicee)
        if party is None:
            continue
        legal = role in (PartyRole.supplier, PartyRole.buyer)
        if legal:  # Peppol BIS 3 needs the seller's and buyer's electronic address (BT-34, BT-49)
            party = replace(party, endpoint=peppol_endpoint(party))
        if role in (PartyRole.payee, PartyRole.tax_representative):  # these are of PartyType themselves
            fill_party(sub(root, path), party, invoice=True, legal=legal)
        else:
            render_party(sub(root, path), party, invoice=True, legal=legal)
    delivery = doc.party(PartyRole.delivery)
    if delivery or doc.delivery_date:
        el = sub(root, "cac:Delivery")
        opt(el, "cbc:ActualDeliveryDate", doc.delivery_date)
        if delivery:
            render_delivery_party(el, delivery, invoice=True)


def _render_payment(root: etree._Element, doc: Invoice) -> None:
    means = [p for p in doc.payment_terms if p.means_code]
    for i, pm in enumerate(means):
        el = sub(root, "cac:PaymentMeans")
        code = sub(el, "cbc:PaymentMeansCode", codelists.load("uncl4461").code(
            pm.means_code or "", element="cbc:PaymentMeansCode"))
        if pm.means_text:  # BT-82
            code.set("name", pm.means_text)
        if doc.is_credit_note and i == 0:
            opt(el, "cbc:PaymentDueDate", doc.due_date)
        opt(el, "cbc:PaymentID", pm.payment_reference)
        if pm.mandate_reference or (pm.account_id and pm.means_code in ("49", "59")):
            mandate = sub(el, "cac:PaymentMandate")
            opt(mandate, "cbc:ID", pm.mandate_reference)
            if pm.account_id:
                sub(sub(mandate, "cac:PayerFinancialAccount"), "cbc:ID", pm.account_id)
        elif pm.account_id:
            account = sub(el, "cac:PayeeFinancialAccount")
            sub(account, "cbc:ID", pm.account_id)
            opt(account, "cbc:Name", pm.payee_name)
            if pm.bank_id:
                sub(sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", pm.bank_id)
    _render_creditor_id(root, next((p.creditor_id for p in means if p.creditor_id), None))
    notes = [p.description for p in doc.payment_terms if p.description] + \
        [f"{p.means_text or p.means_code}: {p.instruction}" for p in means if p.instruction]
    if notes:
        sub(sub(root, "cac:PaymentTerms"), "cbc:Note", "\n".join(notes))


def _render_creditor_id(root: etree._Element, creditor_id: str | None) -> None:
    """A direct debit's creditor identifier (BT-90): the seller's PartyIdentification, scheme SEPA."""
    party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    if creditor_id is None or party is None:
        return
    before = party.findall("cac:PartyIdentification", NS) or party.findall("cbc:EndpointID", NS)
    position = party.index(before[-1]) + 1 if before else 0
    ident = etree.Element(f"{{{NS['cac']}}}PartyIdentification")
    etree.SubElement(ident, f"{{{NS['cbc']}}}ID", schemeID="SEPA").text = creditor_id
    party.insert(position, ident)


def _render_taxes(root: etree._Element, doc: Invoice, cur: str) -> None:
    total = sub(root, "cac:TaxTotal")
    tax_total = doc.totals.tax_total
    if tax_total is None:
        tax_total = sum((s.tax_amount for s in doc.tax_subtotals), Decimal("0.00"))
    sub(total, "cbc:TaxAmount", tax_total, currencyID=cur)
    for st in doc.tax_subtotals:
        el = sub(total, "cac:TaxSubtotal")
        sub(el, "cbc:TaxableAmount", st.taxable_amount, currencyID=cur)
        sub(el, "cbc:TaxAmount", st.tax_amount, currencyID=cur)
        reason_code = st.exemption_reason_code
        if reason_code is None and st.exemption_reason is None:
            reason_code = DEFAULT_EXEMPTION.get(st.category)
        tax_category(el, "cac:TaxCategory", st.category, st.rate, reason_code, st.exemption_reason, st.scheme)
    if doc.tax_currency and doc.totals.tax_total_tax_currency is not None:
        sub(sub(root, "cac:TaxTotal"), "cbc:TaxAmount", doc.totals.tax_total_tax_currency,
            currencyID=doc.tax_currency)


def _render_totals(root: etree._Element, t: Totals, cur: str) -> None:
    el = sub(root, "cac:LegalMonetaryTotal")
    z = Decimal("0.00")
    sub(el, "cbc:LineExtensionAmount", t.line_total if t.line_total is not None else z, currencyID=cur)
    sub(el, "cbc:TaxExclusiveAmount", t.tax_exclusive if t.tax_exclusive is not None else z, currencyID=cur)
    sub(el, "cbc:TaxInclusiveAmount", t.tax_inclusive if t.tax_inclusive is not None else z, currencyID=cur)
    opt(el, "cbc:AllowanceTotalAmount", t.allowance_total, currencyID=cur)
    opt(el, "cbc:ChargeTotalAmount", t.charge_total, currencyID=cur)
    opt(el, "cbc:PrepaidAmount", t.prepaid, currencyID=cur)
    opt(el, "cbc:PayableRoundingAmount", t.rounding, currencyID=cur)
    sub(el, "cbc:PayableAmount", t.payable if t.payable is not None else z, currencyID=cur)


def _render_line(root: etree._Element, line: Line, cur: str, credit: bool) -> None:
    el = sub(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    sub(el, "cbc:ID", line.number)
    if line.notes:  # EN 16931 has one line note (BT-127, UBL-SR-34): several are written as its lines
        sub(el, "cbc:Note", "\n".join(line.notes))
    qty = line.quantity("invoiced") or line.quantity()
    sub(el, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
        qty.value if qty else Decimal(1),
        unitCode=unit_code(qty.unit, f"line {line.number} quantity/@unitCode") if qty else "C62")
    sub(el, "cbc:LineExtensionAmount", line.line_amount if line.line_amount is not None else Decimal("0.00"),
        currencyID=cur)
    opt(el, "cbc:AccountingCost", line.accounting_cost)
    for ref in line.references:
        if ref.kind == "order" and (ref.line or ref.number):
            sub(sub(el, "cac:OrderLineReference"), "cbc:LineID", ref.line or ref.number)
        elif ref.kind == "additional":
            doc_ref = sub(el, "cac:DocumentReference")
            sub(doc_ref, "cbc:ID", ref.number)
            opt(doc_ref, "cbc:DocumentTypeCode", ref.raw_kind)
    for ac in line.allowances_charges:
        render_allowance_charge(el, ac, cur, with_tax=False)
    item = render_item(el, line.item, icd_only=True)
    if line.tax_category:
        tax_category(item, "cac:ClassifiedTaxCategory", line.tax_category, line.tax_rate)
    render_price(el, line.prices, cur)
