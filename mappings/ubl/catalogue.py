"""UBL 2.1 Catalogue <-> canonical Catalogue, in the Peppol BIS Catalogue 3 profile (T19).

The provider is the supplier, the receiver the buyer. Each CatalogueLine is one item: its ActionCode
(Add, Update, Delete) is the line's status; MinimumOrderQuantity and OrderQuantityIncrementNumeric its
minimum order quantity and order multiple; LineValidityPeriod its validity; each
RequiredItemLocationQuantity a price, a price break when it has a MinimumQuantity.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from hub.domain.documents import Catalogue, Line, PartyRole, Price, Quantity
from mappings.ubl.common import (
    NS,
    day,
    decimal,
    each,
    fill_party,
    issued,
    new_root,
    opt,
    parse_item,
    parse_party,
    render_item,
    render_period,
    require,
    serialize,
    sub,
    text,
    texts,
    unit_code,
)
from mappings.ubl.common import header as ubl_header
from mappings.ubl.order import with_endpoint

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:catalogue:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:catalogue_only:3"
PARTIES = (("cac:ProviderParty", PartyRole.supplier), ("cac:ReceiverParty", PartyRole.buyer))
ACTIONS = {"Add": "add", "Replace": "replace", "Update": "update", "Delete": "delete"}
ACTION_CODES = {v: k for k, v in ACTIONS.items()}
LINE_ACTIONS = {"Add": "added", "Update": "changed", "Delete": "deleted"}
LINE_ACTION_CODES = {v: k for k, v in LINE_ACTIONS.items()}


def parse(root: etree._Element) -> Catalogue:
    """Map a schema-valid UBL Catalogue to a canonical Catalogue."""
    action = text(root, "cbc:ActionCode")
    doc = Catalogue(
        number=require(text(root, "cbc:ID"), "catalogue number", "/Catalogue/cbc:ID"),
        issued=issued(root, "cbc:IssueDate", "cbc:IssueTime"),
        notes=texts(root, "cbc:Note"),
        action=ACTIONS.get(action or "", action or "replace"),
        name=text(root, "cbc:Name"),
        valid_from=day(root, "cac:ValidityPeriod/cbc:StartDate"),
        valid_to=day(root, "cac:ValidityPeriod/cbc:EndDate"),
    )
    doc.parties = [p for path, role in PARTIES
                   if (p := parse_party(root.find(path, NS), role, path.split(":")[1])) is not None]
    doc.lines = [_line(el) for el in each(root, "cac:CatalogueLine")]
    amount = root.find(".//cac:Price/cbc:PriceAmount", NS)
    doc.currency = amount.get("currencyID") if amount is not None else None
    return doc


def _line(el: etree._Element) -> Line:
    action = text(el, "cbc:ActionCode")
    line = Line(number=text(el, "cbc:ID") or "", item=parse_item(el.find("cac:Item", NS)),
                status=LINE_ACTIONS.get(action or "", action),
                valid_from=day(el, "cac:LineValidityPeriod/cbc:StartDate"),
                valid_to=day(el, "cac:LineValidityPeriod/cbc:EndDate"))
    minimum = el.find("cbc:MinimumOrderQuantity", NS)
    unit = (minimum.get("unitCode") if minimum is not None else None) or "C62"
    if minimum is not None:
        line.quantities.append(Quantity(Decimal((minimum.text or "0").strip()), unit, "minimum_order"))
    multiple = decimal(el, "cbc:OrderQuantityIncrementNumeric")
    if multiple is not None:
        line.quantities.append(Quantity(multiple, unit, "order_multiple"))
    for where in each(el, "cac:RequiredItemLocationQuantity"):
        amount = decimal(where, "cac:Price/cbc:PriceAmount")
        if amount is None:
            continue
        base = where.find("cac:Price/cbc:BaseQuantity", NS)
        line.prices.append(Price(amount, decimal(where, "cac:Price/cbc:BaseQuantity") or Decimal(1),
                                 base.get("unitCode") if base is not None else None,
                                 min_quantity=decimal(where, "cbc:MinimumQuantity")))
    return line


def render(doc: Catalogue) -> bytes:
    """The canonical catalogue as a Peppol BIS Catalogue 3 UBL Catalogue."""
    root = new_root("Catalogue")
    ubl_header(root, CUSTOMIZATION, PROFILE, doc.number, doc.issued, version=None)
    sub(root, "cbc:ActionCode", ACTION_CODES.get(doc.action, doc.action))
    opt(root, "cbc:Name", doc.name)
    for note in doc.notes:
        sub(root, "cbc:Note", note)
    render_period(root, "cac:ValidityPeriod", doc.valid_from or doc.issued, doc.valid_to)
    for path, role in PARTIES:
        party, el = doc.party(role), sub(root, path)  # both mandatory in the schema
        if party is not None:
            fill_party(el, with_endpoint(party), legal=True)
    currency = doc.currency or "EUR"
    for line in doc.lines:
        _render_line(root, line, currency)
    return serialize(root)


def _render_line(root: etree._Element, line: Line, currency: str) -> None:
    el = sub(root, "cac:CatalogueLine")
    sub(el, "cbc:ID", line.number)
    opt(el, "cbc:ActionCode", LINE_ACTION_CODES.get(line.status or "", line.status))
    multiple, minimum = line.quantity("order_multiple"), line.quantity("minimum_order")
    if multiple is not None:
        sub(el, "cbc:OrderQuantityIncrementNumeric", multiple.value)
    if minimum is not None:
        sub(el, "cbc:MinimumOrderQuantity", minimum.value,
            unitCode=unit_code(minimum.unit, "cac:CatalogueLine/cbc:MinimumOrderQuantity/@unitCode"))
    render_period(el, "cac:LineValidityPeriod", line.valid_from, line.valid_to)
    for price in line.prices:
        where = sub(el, "cac:RequiredItemLocationQuantity")
        opt(where, "cbc:MinimumQuantity", price.min_quantity,
            unitCode=unit_code(minimum.unit if minimum else "C62",
                               "cac:RequiredItemLocationQuantity/cbc:MinimumQuantity/@unitCode")
            if price.min_quantity is not None else None)
        el_price = sub(where, "cac:Price")
        sub(el_price, "cbc:PriceAmount", price.amount, currencyID=currency)
        sub(el_price, "cbc:BaseQuantity", price.base_quantity,
            unitCode=unit_code(price.unit, "cac:Price/cbc:BaseQuantity/@unitCode") if price.unit else None)
    render_item(el, line.item, icd_only=True)
