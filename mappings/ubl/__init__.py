"""UBL 2.1 / Peppol BIS 3: safe parse -> schema validation -> canonical documents, and back.

Public API: `parse_ubl(data) -> Document`, `render_ubl(doc) -> bytes`, `render_invoice_checked(doc) -> bytes`,
`render_ubl_unchecked(doc) -> (bytes, root name)`,
`read_application_response(data) -> ApplicationAck` (a partner's MLR or Invoice Response),
`detect(root)`, `check_en16931(xml)`.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from hub.domain.acknowledgements import ApplicationAck
from hub.domain.documents import (
    Catalogue,
    DespatchAdvice,
    Document,
    InventoryReport,
    Invoice,
    OrderCancellation,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
    RemittanceAdvice,
)
from hub.domain.errors import MappingError, Problem, ValidationError
from hub.xmlsafe import parse_xml
from mappings.ubl import (
    application_response,
    catalogue,
    despatch_advice,
    inventory_report,
    invoice,
    order,
    order_cancellation,
    order_change,
    order_response,
    remittance_advice,
)
from mappings.ubl.common import text
from mappings.ubl.detect import Detected, check_supported, detect
from mappings.ubl.en16931_rules import check_en16931
from mappings.ubl.schema import schema_problems, validate_schema

__all__ = ["check_en16931", "detect", "parse_ubl", "read_application_response",
           "render_invoice_checked", "render_ubl", "render_ubl_unchecked"]

_PARSERS: dict[str, Callable[[etree._Element], Document]] = {
    "Order": order.parse,
    "OrderResponse": order_response.parse,
    "DespatchAdvice": despatch_advice.parse,
    "Invoice": invoice.parse,
    "CreditNote": invoice.parse,
    "OrderChange": order_change.parse,
    "OrderCancellation": order_cancellation.parse,
    "Catalogue": catalogue.parse,
    "InventoryReport": inventory_report.parse,
    "RemittanceAdvice": remittance_advice.parse,
}


def parse_ubl(data: bytes, *, max_bytes: int | None = None) -> Document:
    """Safe parse, detect, validate against the UBL 2.1 schema, and map to a canonical document."""
    root = parse_xml(data) if max_bytes is None else parse_xml(data, max_bytes=max_bytes)
    found = detect(root)
    check_supported(found)
    validate_schema(root, found.kind, ref=text(root, "cbc:ID"))
    doc = _PARSERS[found.kind](root)
    doc.profile.update(_profile(found))
    return doc


def read_application_response(data: bytes, *, max_bytes: int | None = None) -> ApplicationAck:
    """Safe parse and validate a UBL 2.1 ApplicationResponse, and read what it answers."""
    root = parse_xml(data) if max_bytes is None else parse_xml(data, max_bytes=max_bytes)
    found = detect(root)
    if found.kind != "ApplicationResponse" or (found.version and found.version != "2.1"):
        message = f"expected a UBL 2.1 ApplicationResponse, got {found.kind} {found.version or ''}"
        raise ValidationError(message.strip(), problems=[Problem(
            code="UBL_UNSUPPORTED_DOCUMENT", message=message.strip(), element=f"/{found.kind}")])
    validate_schema(root, found.kind, ref=text(root, "cbc:ID"))
    return application_response.read(root)


def _profile(found: Detected) -> dict[str, str]:
    values = {"syntax": "ubl", "document": found.kind, "ubl_version": found.version,
              "customization_id": found.customization_id, "profile_id": found.profile_id}
    return {k: v for k, v in values.items() if v}


def render_ubl(doc: Document) -> bytes:
    """Render a canonical document as Peppol BIS 3 UBL (2.1; 2.3 for T114/T115); raise ValidationError if
    not schema-valid."""
    data, kind = render_ubl_unchecked(doc)
    problems = schema_problems(parse_xml(data), kind, ref=doc.number)
    if problems:
        raise ValidationError(f"rendered {kind} {doc.number} is not valid UBL", problems=problems)
    return data


def render_ubl_unchecked(doc: Document) -> tuple[bytes, str]:
    """The document as UBL and its root element's name, not yet validated (the outbound checks
    validate what the hub sends, and keep what fails them)."""
    if isinstance(doc, Invoice):
        return invoice.render(doc), "CreditNote" if doc.is_credit_note else "Invoice"
    if isinstance(doc, OrderChange):  # before PurchaseOrder: an order change is one
        return order_change.render(doc), "OrderChange"
    if isinstance(doc, OrderCancellation):
        return order_cancellation.render(doc), "OrderCancellation"
    if isinstance(doc, PurchaseOrder):
        return order.render(doc), "Order"
    if isinstance(doc, OrderResponse):
        return order_response.render(doc), "OrderResponse"
    if isinstance(doc, DespatchAdvice):
        return despatch_advice.render(doc), "DespatchAdvice"
    if isinstance(doc, Catalogue):
        return catalogue.render(doc), "Catalogue"
    if isinstance(doc, InventoryReport):
        return inventory_report.render(doc), "InventoryReport"
    if isinstance(doc, RemittanceAdvice):
        return remittance_advice.render(doc), "RemittanceAdvice"
    raise MappingError(f"no UBL rendering for {doc.doc_type}", problems=[
        Problem(code="UBL_NO_RENDERING", message=f"{doc.doc_type} has no UBL 2.1 form in the hub")])


def render_invoice_checked(doc: Invoice) -> bytes:
    """Render an invoice or credit note and run the EN 16931 rules; raise ValidationError on any fatal."""
    data = render_ubl(doc)
    problems = check_en16931(data)
    fatal = [p for p in problems if p.severity == "error"]
    if fatal:
        raise ValidationError(f"invoice {doc.number} breaks {len(fatal)} EN 16931 rule(s): not sent",
                              problems=problems)
    return data
