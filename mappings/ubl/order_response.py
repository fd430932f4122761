"""UBL 2.1 OrderResponse <-> canonical OrderResponse, in the Peppol BIS Ordering 3 profile."""

from __future__ import annotations

from lxml import etree

from hub.domain.documents import OrderResponse, PartyRole, Reference
from mappings.ubl.common import (
    NS,
    day,
    each,
    header,
    issued,
    new_root,
    opt,
    period_date,
    period_end,
    render_delivery_party,
    render_period,
    require,
    serialize,
    sub,
    text,
    texts,
)
from mappings.ubl.order import parse_line, parse_parties, render_line, render_parties
from mappings.ubl.peppol_model import fit_peppol

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order_response:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
# Peppol Advanced Ordering's response (T116), to an order or an order change: a response that came as one
# goes on as one (its CustomizationID is recorded in the canonical profile); any other is a T76
ADVANCED = "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3"
ADVANCED_PROFILE = "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"
PARTIES = (
    ("cac:SellerSupplierParty", PartyRole.supplier),
    ("cac:BuyerCustomerParty", PartyRole.buyer),
    ("cac:OriginatorCustomerParty", PartyRole.other),
    ("cac:AccountingCustomerParty", PartyRole.invoicee),
)
# UNCL 4343 response type codes used by Peppol (AP accepted, RE rejected, CA conditionally accepted).
RESPONSE_BY_CODE = {"AP": "accepted", "RE": "rejected", "CA": "accepted_with_changes", "AB": "accepted"}
CODE_BY_RESPONSE = {"accepted": "AP", "rejected": "RE", "accepted_with_changes": "CA"}
# UNCL 1229 line action codes used by Peppol (5 accepted, 3 changed, 7 not accepted).
STATUS_BY_CODE = {"5": "accepted", "3": "changed", "7": "rejected"}
CODE_BY_STATUS = {v: k for k, v in STATUS_BY_CODE.items()}


def parse(root: etree._Element) -> OrderResponse:
    """Map a schema-valid UBL OrderResponse to a canonical OrderResponse."""
    code = text(root, "cbc:OrderResponseCode")
    order_number = text(root, "cac:OrderReference/cbc:ID")
    doc = OrderResponse(
        number=require(text(root, "cbc:ID"), "order response number", "/OrderResponse/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        currency=text(root, "cbc:DocumentCurrencyCode"),
        type_code=code,
        notes=texts(root, "cbc:Note"),
        response=RESPONSE_BY_CODE.get(code or "", code or "accepted"),
        order_number=order_number,
        delivery_date=period_date(root.find("cac:Delivery", NS), "cac:PromisedDeliveryPeriod")
        or period_date(root.find("cac:Delivery", NS), "cac:RequestedDeliveryPeriod"),
        delivery_end=period_end(root.find("cac:Delivery", NS), "cac:PromisedDeliveryPeriod"),
    )
    if order_number:  # as the EDIFACT mapping does: the order is also a document reference
        doc.references.append(Reference(kind="order", number=order_number,
                                        issued=day(root, "cac:OrderReference/cbc:IssueDate")))
    doc.parties = parse_parties(root, PARTIES)
    doc.lines = [parse_line(el, "confirmed", "cac:PromisedDeliveryPeriod", STATUS_BY_CODE)
                 for el in each(root, "cac:OrderLine")]
    return doc


def render(doc: OrderResponse) -> bytes:
    """The canonical order response as a Peppol BIS Ordering 3 UBL OrderResponse."""
    cur = doc.currency or "EUR"
    root = new_root("OrderResponse")
    advanced = doc.profile.get("customization_id", "").startswith(ADVANCED)
    header(root, ADVANCED if advanced else CUSTOMIZATION, ADVANCED_PROFILE if advanced else PROFILE,
           doc.number, doc.issued, version=None)
    sub(root, "cbc:OrderResponseCode", CODE_BY_RESPONSE.get(doc.response, doc.type_code or doc.response))
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    opt(root, "cbc:DocumentCurrencyCode", doc.currency)
    order_ref = doc.reference("order")
    order_el = sub(root, "cac:OrderReference")
    sub(order_el, "cbc:ID", doc.order_number or (order_ref.number if order_ref else "NA"))
    opt(order_el, "cbc:IssueDate", order_ref.issued if order_ref else None)
    render_parties(root, doc, PARTIES)
    delivery = doc.party(PartyRole.delivery)
    if delivery or doc.delivery_date or doc.delivery_end:
        el = sub(root, "cac:Delivery")
        if delivery:
            render_delivery_party(el, delivery, invoice=False)
        render_period(el, "cac:PromisedDeliveryPeriod", doc.delivery_date, doc.delivery_end)
    for line in doc.lines:
        render_line(root, line, cur, "confirmed", "cac:PromisedDeliveryPeriod",
                    CODE_BY_STATUS.get(line.status or "", line.status))
    fit_peppol(root)
    return serialize(root)
