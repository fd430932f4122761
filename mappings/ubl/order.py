"""UBL 2.1 Order <-> canonical PurchaseOrder, in the Peppol BIS Ordering 3 profile."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from lxml import etree

from hub.domain.documents import Document, Line, Party, PartyRole, PurchaseOrder, Reference, Totals
from hub.domain.errors import Problem, ValidationError
from mappings.ubl.common import (
    NS,
    day,
    decimal,
    document_code,
    each,
    header,
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
    period_date,
    period_end,
    quantity,
    render_allowance_charge,
    render_delivery_party,
    render_item,
    render_party,
    render_period,
    render_price,
    require,
    serialize,
    sub,
    tax_category,
    text,
    texts,
    unit_code,
)
from mappings.ubl.peppol_model import fit_peppol

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
PARTIES = (
    ("cac:BuyerCustomerParty", PartyRole.buyer),
    ("cac:SellerSupplierParty", PartyRole.supplier),
    ("cac:OriginatorCustomerParty", PartyRole.other),
    ("cac:AccountingCustomerParty", PartyRole.invoicee),
)
REFERENCES = (
    ("cac:QuotationDocumentReference", "quotation"),
    ("cac:OrderDocumentReference", "previous_order"),
    ("cac:OriginatorDocumentReference", "tender"),
    ("cac:CatalogueReference", "catalogue"),
    ("cac:AdditionalDocumentReference", "additional"),
    ("cac:Contract", "contract"),
    ("cac:ProjectReference", "project"),
)


def parse(root: etree._Element) -> PurchaseOrder:
    """Map a schema-valid UBL Order to a canonical PurchaseOrder."""
    doc = PurchaseOrder(
        number=require(text(root, "cbc:ID"), "order number", "/Order/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        currency=text(root, "cbc:DocumentCurrencyCode"),
        type_code=text(root, "cbc:OrderTypeCode"),
        notes=texts(root, "cbc:Note"),
    )
    read_order_body(root, doc)
    return doc


def read_order_body(root: etree._Element, doc: PurchaseOrder) -> None:
    """What an Order and an OrderChange share: delivery, validity, references, parties, charges, lines."""
    delivery = root.find("cac:Delivery", NS)
    doc.delivery_date = period_date(delivery, "cac:RequestedDeliveryPeriod")
    doc.delivery_end = period_end(delivery, "cac:RequestedDeliveryPeriod")
    doc.validity_end = day(root, "cac:ValidityPeriod/cbc:EndDate")
    doc.accounting_cost = text(root, "cbc:AccountingCost")
    customer_ref = text(root, "cbc:CustomerReference")
    if customer_ref:
        doc.references.append(Reference(kind="buyer_reference", number=customer_ref))
    for path, kind in REFERENCES:
        doc.references += [parse_doc_reference(el, kind) for el in each(root, path)]
    doc.parties = parse_parties(root, PARTIES)
    doc.allowances_charges = [parse_allowance_charge(a) for a in each(root, "cac:AllowanceCharge")]
    doc.totals = _totals(root)
    doc.lines = [parse_line(el, "ordered") for el in each(root, "cac:OrderLine")]


def parse_parties(root: etree._Element, parties: tuple[tuple[str, PartyRole], ...]) -> list[Party]:
    """The parties at the given paths, then the delivery party."""
    out = []
    for path, role in parties:
        party = parse_party(root.find(path, NS), role, path.split(":")[1])
        if party:
            out.append(party)
    delivery = parse_delivery_party(root.find("cac:Delivery", NS))
    if delivery:
        out.append(delivery)
    return out


def _totals(root: etree._Element) -> Totals | None:
    money = root.find("cac:AnticipatedMonetaryTotal", NS)
    tax = decimal(root, "cac:TaxTotal/cbc:TaxAmount")
    if money is None and tax is None:
        return None
    return Totals(
        line_total=decimal(money, "cbc:LineExtensionAmount"),
        tax_exclusive=decimal(money, "cbc:TaxExclusiveAmount"),
        tax_inclusive=decimal(money, "cbc:TaxInclusiveAmount"),
        allowance_total=decimal(money, "cbc:AllowanceTotalAmount"),
        charge_total=decimal(money, "cbc:ChargeTotalAmount"), prepaid=decimal(money, "cbc:PrepaidAmount"),
        rounding=decimal(money, "cbc:PayableRoundingAmount"), payable=decimal(money, "cbc:PayableAmount"),
        tax_total=tax)


def parse_line(order_line: etree._Element, qty_kind: str, delivery_path: str = "cac:RequestedDeliveryPeriod",
               status_map: dict[str, str] | None = None) -> Line:
    """An OrderLine/LineItem (orders and order responses) as a canonical Line."""
    item = order_line.find("cac:LineItem", NS)
    if item is None:  # the schema makes LineItem mandatory; keep the error specific anyway
        raise ValidationError("order line without LineItem", problems=[
            Problem(code="MISSING_VALUE", message="OrderLine has no LineItem", element="cac:OrderLine")])
    status = text(item, "cbc:LineStatusCode")
    refs = [Reference(kind="order", number=text(r, "cac:OrderReference/cbc:ID") or "",
                      line=text(r, "cbc:LineID"))
            for r in each(order_line, "cac:OrderLineReference") if text(r, "cbc:LineID")]
    return Line(
        number=text(item, "cbc:ID") or "",
        item=parse_item(item.find("cac:Item", NS)),
        quantities=quantity(item, "cbc:Quantity", qty_kind),
        prices=parse_prices(item.find("cac:Price", NS)),
        line_amount=decimal(item, "cbc:LineExtensionAmount"),
        tax_category=text(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        tax_rate=decimal(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        allowances_charges=[parse_allowance_charge(a) for a in each(item, "cac:AllowanceCharge")],
        delivery_date=period_date(item.find("cac:Delivery", NS), delivery_path),
        delivery_end=period_end(item.find("cac:Delivery", NS), delivery_path),
        references=refs,
        status=(status_map or {}).get(status or "", status),
        notes=texts(order_line, "cbc:Note") + texts(item, "cbc:Note"),
        accounting_cost=text(item, "cbc:AccountingCost"),
    )


def render(doc: PurchaseOrder) -> bytes:
    """The canonical order as a Peppol BIS Ordering 3 UBL Order."""
    root = new_root("Order")
    header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued, version=None)
    opt(root, "cbc:OrderTypeCode", document_code(doc.type_code or "220", "cbc:OrderTypeCode"))
    write_order_body(root, doc)
    fit_peppol(root)
    return serialize(root)


def write_order_body(root: etree._Element, doc: PurchaseOrder, skip_kinds: tuple[str, ...] = ()) -> None:
    """What an Order and an OrderChange share (serialize() puts every element in schema order)."""
    cur = doc.currency or "EUR"
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    sub(root, "cbc:DocumentCurrencyCode", cur)
    opt(root, "cbc:AccountingCost", doc.accounting_cost)
    if doc.validity_end:
        sub(sub(root, "cac:ValidityPeriod"), "cbc:EndDate", doc.validity_end)
    buyer_ref = doc.reference("buyer_reference")
    opt(root, "cbc:CustomerReference", buyer_ref.number if buyer_ref else None)
    for path, kind in REFERENCES:
        for ref in (r for r in doc.references if r.kind == kind and kind not in skip_kinds):
            el = sub(root, path)
            sub(el, "cbc:ID", ref.number)
            opt(el, "cbc:IssueDate", ref.issued)
            opt(el, "cbc:DocumentTypeCode", ref.raw_kind if kind == "additional" else None)
    render_parties(root, doc, PARTIES)
    delivery = doc.party(PartyRole.delivery)
    if delivery or doc.delivery_date or doc.delivery_end:
        el = sub(root, "cac:Delivery")
        if delivery:
            render_delivery_party(el, delivery, invoice=False)
        render_period(el, "cac:RequestedDeliveryPeriod", doc.delivery_date, doc.delivery_end)
    for ac in doc.allowances_charges:
        render_allowance_charge(root, ac, cur, with_tax=True)
    _render_totals(root, doc.totals, cur)
    for line in doc.lines:  # an order change gives each line its action code (UNCL 1229) as status
        render_line(root, line, cur, "ordered", status=line.status if skip_kinds else None)


def render_parties(root: etree._Element, doc: Document, parties: tuple[tuple[str, PartyRole], ...]) -> None:
    """Append the parties of doc at their paths (the buyer and seller elements even when unknown)."""
    for path, role in parties:
        party = doc.party(role)
        if party is not None:
            render_party(sub(root, path), with_endpoint(party))
        elif role in (PartyRole.buyer, PartyRole.supplier):
            sub(root, path)  # mandatory in the schema; an empty one is valid


def with_endpoint(party: Party) -> Party:
    """The buyer or seller with its Peppol electronic address (derived when it gave none); other parties
    as they are (Peppol has no EndpointID for an originator or a delivery party)."""
    if party.role not in (PartyRole.buyer, PartyRole.supplier):
        return party
    return replace(party, endpoint=peppol_endpoint(party))


def _render_totals(root: etree._Element, t: Totals | None, cur: str) -> None:
    if t is None:
        return
    if t.tax_total is not None:
        sub(sub(root, "cac:TaxTotal"), "cbc:TaxAmount", t.tax_total, currencyID=cur)
    el = sub(root, "cac:AnticipatedMonetaryTotal")
    opt(el, "cbc:LineExtensionAmount", t.line_total, currencyID=cur)
    opt(el, "cbc:TaxExclusiveAmount", t.tax_exclusive, currencyID=cur)
    opt(el, "cbc:TaxInclusiveAmount", t.tax_inclusive, currencyID=cur)
    opt(el, "cbc:AllowanceTotalAmount", t.allowance_total, currencyID=cur)
    opt(el, "cbc:ChargeTotalAmount", t.charge_total, currencyID=cur)
    opt(el, "cbc:PrepaidAmount", t.prepaid, currencyID=cur)
    opt(el, "cbc:PayableRoundingAmount", t.rounding, currencyID=cur)
    payable = t.payable if t.payable is not None else (t.tax_inclusive or t.line_total or Decimal("0.00"))
    sub(el, "cbc:PayableAmount", payable, currencyID=cur)


def render_line(root: etree._Element, line: Line, cur: str, qty_kind: str,
                delivery_name: str = "cac:RequestedDeliveryPeriod", status: str | None = None) -> None:
    """Append a cac:OrderLine for line (orders and order responses)."""
    order_line = sub(root, "cac:OrderLine")
    item = sub(order_line, "cac:LineItem")
    sub(item, "cbc:ID", line.number)
    # Peppol places line notes on the OrderLine of an order (T01, T114), on the LineItem of a response (T76)
    for note in line.notes:
        sub(order_line if qty_kind == "ordered" else item, "cbc:Note", note)
    opt(item, "cbc:LineStatusCode", status)
    qty = line.quantity(qty_kind) or line.quantity()
    if qty:
        sub(item, "cbc:Quantity", qty.value,
            unitCode=unit_code(qty.unit, f"OrderLine {line.number}/cbc:Quantity/@unitCode"))
    opt(item, "cbc:LineExtensionAmount", line.line_amount, currencyID=cur)
    if qty_kind == "ordered":  # the buyer's accounting reference: an order's line, not a response's
        opt(item, "cbc:AccountingCost", line.accounting_cost)
    if line.delivery_date or line.delivery_end:
        render_period(sub(item, "cac:Delivery"), delivery_name, line.delivery_date, line.delivery_end)
    for ac in line.allowances_charges:
        render_allowance_charge(item, ac, cur, with_tax=False)
    render_price(item, line.prices, cur)
    el = render_item(item, line.item, icd_only=False)
    if line.tax_category:
        tax_category(el, "cac:ClassifiedTaxCategory", line.tax_category, line.tax_rate)
    for ref in line.references:
        if ref.kind == "order" and (ref.line or ref.number):
            olr = sub(order_line, "cac:OrderLineReference")
            sub(olr, "cbc:LineID", ref.line or ref.number)
            if ref.number and ref.line:
                sub(sub(olr, "cac:OrderReference"), "cbc:ID", ref.number)

