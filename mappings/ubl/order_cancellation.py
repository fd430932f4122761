"""UBL 2.3 OrderCancellation <-> canonical OrderCancellation, Peppol Advanced Ordering 3 (T115)."""

from __future__ import annotations

from lxml import etree

from hub.domain.documents import OrderCancellation, PartyRole, Reference
from mappings.ubl.common import day, header, issued, new_root, opt, require, serialize, sub, text, texts
from mappings.ubl.order import parse_parties, render_parties
from mappings.ubl.peppol_model import fit_peppol

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"
PARTIES = (
    ("cac:BuyerCustomerParty", PartyRole.buyer),
    ("cac:SellerSupplierParty", PartyRole.supplier),
    ("cac:OriginatorCustomerParty", PartyRole.other),
)


def parse(root: etree._Element) -> OrderCancellation:
    """Map a schema-valid UBL OrderCancellation to a canonical OrderCancellation."""
    order_number = text(root, "cac:OrderReference/cbc:ID")
    doc = OrderCancellation(
        number=require(text(root, "cbc:ID"), "order cancellation number", "/OrderCancellation/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        notes=texts(root, "cbc:Note"),
        order_number=order_number,
        reason=text(root, "cbc:CancellationNote"),
        function="cancel",
    )
    if order_number:
        doc.references.append(Reference(kind="order", number=order_number,
                                        issued=day(root, "cac:OrderReference/cbc:IssueDate")))
    contract = text(root, "cac:Contract/cbc:ID")
    if contract:
        doc.references.append(Reference(kind="contract", number=contract))
    doc.parties = parse_parties(root, PARTIES)
    return doc


def render(doc: OrderCancellation) -> bytes:
    """The canonical cancellation as a Peppol T115 UBL 2.3 OrderCancellation."""
    root = new_root("OrderCancellation")
    header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued, version=None)
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    sub(root, "cbc:CancellationNote", doc.reason or "Order cancelled")  # mandatory in UBL
    order_ref = doc.reference("order")
    order_el = sub(root, "cac:OrderReference")
    sub(order_el, "cbc:ID", doc.order_number or (order_ref.number if order_ref else "NA"))
    opt(order_el, "cbc:IssueDate", order_ref.issued if order_ref else None)
    contract = doc.reference("contract")
    if contract:
        sub(sub(root, "cac:Contract"), "cbc:ID", contract.number)
    render_parties(root, doc, PARTIES)
    fit_peppol(root)
    return serialize(root)
