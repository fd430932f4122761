"""UBL 2.1 DespatchAdvice <-> canonical DespatchAdvice, in the Peppol BIS Despatch Advice 3 profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lxml import etree

from hub.domain.documents import DespatchAdvice, Line, Party, PartyRole, Reference
from mappings.ubl.common import (
    NS,
    day,
    document_code,
    each,
    header,
    issued,
    new_root,
    opt,
    parse_item,
    parse_party,
    peppol_endpoint,
    period_date,
    quantity,
    render_item,
    render_party,
    render_period,
    require,
    serialize,
    sub,
    text,
    texts,
    unit_code,
)
from mappings.ubl.peppol_model import fit_peppol

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:despatch_advice:3"

def parse(root: etree._Element) -> DespatchAdvice:
    """Map a schema-valid UBL 2.1 DespatchAdvice to a canonical DespatchAdvice."""
    order_number = text(root, "cac:OrderReference/cbc:ID")
    delivery = root.find("cac:Shipment/cac:Delivery", NS)
    doc = DespatchAdvice(
        number=require(text(root, "cbc:ID"), "despatch advice number", "/DespatchAdvice/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        type_code=text(root, "cbc:DespatchAdviceTypeCode"),
        notes=texts(root, "cbc:Note"),
        order_number=order_number,
        delivery_date=period_date(delivery, "cac:EstimatedDeliveryPeriod"),
        despatch_date=None if delivery is None else issued(
            delivery, "cac:Despatch/cbc:ActualDespatchDate", "cac:Despatch/cbc:ActualDespatchTime"),
    )
    if order_number:  # as the EDIFACT mapping does: the order is also a document reference
        doc.references.append(Reference(kind="order", number=order_number,
                                        issued=day(root, "cac:OrderReference/cbc:IssueDate")))
    has_seller = root.find("cac:SellerSupplierParty/cac:Party", NS) is not None
    roles = (
        ("cac:DespatchSupplierParty", PartyRole.ship_from if has_seller else PartyRole.supplier),
        ("cac:DeliveryCustomerParty", PartyRole.delivery),
        ("cac:BuyerCustomerParty", PartyRole.buyer),
        ("cac:SellerSupplierParty", PartyRole.supplier),
    )
    for path, role in roles:
        party = parse_party(root.find(path, NS), role, path.split(":")[1])
        if party:
            doc.parties.append(party)
    doc.lines = [_line(el, order_number) for el in each(root, "cac:DespatchLine")]
    return doc

def _line(el: etree._Element, order_number: str | None) -> Line:
    refs = [Reference(kind="order", number=text(r, "cac:OrderReference/cbc:ID") or order_number or "",
                      line=text(r, "cbc:LineID"))
            for r in each(el, "cac:OrderLineReference") if text(r, "cbc:LineID") not in (None, "NA")]
    return Line(
        number=text(el, "cbc:ID") or "",
        item=parse_item(el.find("cac:Item", NS)),
        quantities=quantity(el, "cbc:DeliveredQuantity", "despatched")
        + quantity(el, "cbc:BackorderQuantity", "backordered")
        + quantity(el, "cbc:OutstandingQuantity", "backordered"),  # Peppol's name for it
        references=refs,
        notes=texts(el, "cbc:Note"),
    )

def render(doc: DespatchAdvice) -> bytes:
    """The canonical despatch advice as a Peppol BIS Despatch Advice 3 UBL DespatchAdvice."""
    root = new_root("DespatchAdvice")
    header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued, version=None)
    opt(root, "cbc:DespatchAdviceTypeCode",
        document_code(doc.type_code, "cbc:DespatchAdviceTypeCode") if doc.type_code else None)
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    order_ref = doc.reference("order")
    order_number = doc.order_number or (order_ref.number if order_ref else None)
    if order_number:
        el = sub(root, "cac:OrderReference")
        sub(el, "cbc:ID", order_number)
        opt(el, "cbc:IssueDate", order_ref.issued if order_ref else None)
    ship_from, supplier = doc.party(PartyRole.ship_from), doc.party(PartyRole.supplier)
    _party(root, "cac:DespatchSupplierParty", ship_from or supplier)
    _party(root, "cac:DeliveryCustomerParty", doc.party(PartyRole.delivery) or doc.party(PartyRole.buyer))
    _party(root, "cac:BuyerCustomerParty", doc.party(PartyRole.buyer), optional=True)
    if ship_from is not None:
        _party(root, "cac:SellerSupplierParty", supplier, optional=True)
    if doc.delivery_date or doc.despatch_date:
        delivery = sub(sub(root, "cac:Shipment"), "cac:Delivery")
        sub(root.find("cac:Shipment", NS), "cbc:ID", "1")
        render_period(delivery, "cac:EstimatedDeliveryPeriod", doc.delivery_date)
        if doc.despatch_date:
            despatch = sub(delivery, "cac:Despatch")
            sub(despatch, "cbc:ActualDespatchDate", doc.despatch_date)
            if isinstance(doc.despatch_date, datetime):
                sub(despatch, "cbc:ActualDespatchTime", doc.despatch_date.timetz().isoformat())
    for line in doc.lines:
        _render_line(root, line, doc.order_number)
    fit_peppol(root)
    return serialize(root)

def _party(root: etree._Element, path: str, party: Party | None, optional: bool = False) -> None:
    if party is not None:
        render_party(sub(root, path), party if optional else replace(party, endpoint=peppol_endpoint(party)))
    elif not optional:
        sub(root, path)

def _render_line(root: etree._Element, line: Line, order_number: str | None) -> None:
    el = sub(root, "cac:DespatchLine")
    sub(el, "cbc:ID", line.number)
    for note in line.notes:
        sub(el, "cbc:Note", note)
    for kind, tag in (("despatched", "cbc:DeliveredQuantity"), ("backordered", "cbc:OutstandingQuantity")):
        qty = line.quantity(kind) or (line.quantity() if kind == "despatched" else None)
        if qty:
            where = f"DespatchLine {line.number}/{tag}/@unitCode"
            sub(el, tag, qty.value, unitCode=unit_code(qty.unit, where))
    ref = next((r for r in line.references if r.kind == "order"), None)
    olr = sub(el, "cac:OrderLineReference")  # mandatory in the schema
    sub(olr, "cbc:LineID", (ref.line or ref.number) if ref else "NA")
    if ref and ref.number and ref.number != order_number:
        sub(sub(olr, "cac:OrderReference"), "cbc:ID", ref.number)
    render_item(el, line.item, icd_only=False)

