"""UBL 2.3 OrderChange <-> canonical OrderChange, in the Peppol Advanced Ordering 3 profile (T114)."""

from __future__ import annotations

from lxml import etree

from hub.domain.documents import OrderChange, Reference
from mappings.ubl.common import day, header, issued, new_root, opt, require, serialize, sub, text, texts
from mappings.ubl.order import read_order_body, write_order_body
from mappings.ubl.peppol_model import fit_peppol

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order_change:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"


def parse(root: etree._Element) -> OrderChange:
    """Map a schema-valid UBL OrderChange to a canonical OrderChange."""
    order_number = text(root, "cac:OrderReference/cbc:ID")
    doc = OrderChange(
        number=require(text(root, "cbc:ID"), "order change number", "/OrderChange/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        currency=text(root, "cbc:DocumentCurrencyCode"),
        notes=texts(root, "cbc:Note"),
        order_number=order_number,
        sequence=text(root, "cbc:SequenceNumberID"),
    )
    read_order_body(root, doc)
    if order_number:  # as for order responses: the order changed is also a document reference
        doc.references.append(Reference(kind="order", number=order_number,
                                        issued=day(root, "cac:OrderReference/cbc:IssueDate")))
    return doc


def render(doc: OrderChange) -> bytes:
    """The canonical order change as a Peppol T114 UBL 2.3 OrderChange."""
    root = new_root("OrderChange")
    header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued, version=None)
    opt(root, "cbc:SequenceNumberID", doc.sequence)
    order_ref = doc.reference("order")
    order_el = sub(root, "cac:OrderReference")
    sub(order_el, "cbc:ID", doc.order_number or (order_ref.number if order_ref else "NA"))
    opt(order_el, "cbc:IssueDate", order_ref.issued if order_ref else None)
    write_order_body(root, doc, skip_kinds=("order",))
    fit_peppol(root)
    return serialize(root)
