"""UBL 2.1 InventoryReport <-> canonical InventoryReport (no Peppol transaction: plain UBL 2.1).

The inventory reporting party sends it about the retailer's (our) stock it holds or manages; each
InventoryReportLine is one item at one InventoryLocation (its ID), its Quantity on hand. The report's
time is the end of its InventoryPeriod (else its issue date and time).
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from hub.domain.documents import InventoryReport, Line, PartyRole
from mappings.ubl.common import (
    NS,
    each,
    fill_party,
    header,
    issued,
    new_root,
    opt,
    parse_item,
    parse_party,
    quantity,
    render_item,
    render_party,
    require,
    serialize,
    sub,
    text,
    texts,
    unit_code,
)

CUSTOMIZATION = "urn:ponte:ubl:inventory_report:1"
PROFILE = "urn:ponte:ubl:inventory:1"
REPORTER = "cac:InventoryReportingParty"
RETAILER = "cac:RetailerCustomerParty"


def parse(root: etree._Element) -> InventoryReport:
    """Map a schema-valid UBL InventoryReport to a canonical InventoryReport."""
    doc = InventoryReport(
        number=require(text(root, "cbc:ID"), "inventory report number", "/InventoryReport/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        currency=text(root, "cbc:DocumentCurrencyCode"),
        notes=texts(root, "cbc:Note"),
        as_of=issued(root, "cac:InventoryPeriod/cbc:EndDate", "cac:InventoryPeriod/cbc:EndTime"),
    )
    parties = [parse_party(root.find(REPORTER, NS), PartyRole.inventory_reporter, "InventoryReportingParty"),
               parse_party(root.find(RETAILER, NS), PartyRole.buyer, "RetailerCustomerParty")]
    doc.parties = [p for p in parties if p is not None]
    doc.lines = [Line(number=text(el, "cbc:ID") or "", item=parse_item(el.find("cac:Item", NS)),
                      quantities=quantity(el, "cbc:Quantity", "on_hand"),
                      location=text(el, "cac:InventoryLocation/cbc:ID"))
                 for el in each(root, "cac:InventoryReportLine")]
    return doc


def render(doc: InventoryReport) -> bytes:
    """The canonical inventory report as a UBL 2.1 InventoryReport."""
    root = new_root("InventoryReport")
    header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued)
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    opt(root, "cbc:DocumentCurrencyCode", doc.currency)
    if doc.as_of is not None:
        period = sub(root, "cac:InventoryPeriod")
        sub(period, "cbc:EndDate", doc.as_of)
        if isinstance(doc.as_of, datetime):
            sub(period, "cbc:EndTime", doc.as_of.timetz().isoformat())
    retailer = doc.party(PartyRole.buyer)
    el = sub(root, RETAILER)
    if retailer is not None:
        render_party(el, retailer)
    reporter = doc.party(PartyRole.inventory_reporter) or doc.party(PartyRole.supplier)
    reporting = sub(root, REPORTER)
    if reporter is not None:
        fill_party(reporting, reporter)
    for line in doc.lines:
        el = sub(root, "cac:InventoryReportLine")
        sub(el, "cbc:ID", line.number)
        q = line.quantity()
        sub(el, "cbc:Quantity", q.value if q else 0,
            unitCode=unit_code(q.unit if q else "C62", "cac:InventoryReportLine/cbc:Quantity/@unitCode"))
        render_item(el, line.item, icd_only=False)
        if line.location:
            sub(sub(el, "cac:InventoryLocation"), "cbc:ID", line.location)
    return serialize(root)
