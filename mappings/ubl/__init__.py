"""UBL 2.1 / Peppol BIS 3: safe parse -> schema validation -> canonical documents, and back.

Public API: `parse_ubl(data) -> Document`, `render_ubl(doc) -> bytes`, `render_invoice_checked(doc) -> bytes`,
`render_ubl_unchecked(doc) -> (bytes, root name)`,
`read_application_response(data) -> ApplicationAck` (a partner's MLR or Invoice Response),
`detect(root)`, `check_en16931(xml)`.
"""

from __future__ import annotations

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
from mappings import registry
from mappings.registry import INBOUND, OUTBOUND, MessageMapping
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

SYNTAX = "ubl"

# Each UBL document (its root element) through the registry every syntax shares: read inbound,
# written outbound; a version- or partner-specific mapping may be registered beside these.
for _kind, _module in (("Order", order), ("OrderResponse", order_response),
                       ("DespatchAdvice", despatch_advice), ("Invoice", invoice), ("CreditNote", invoice),
                       ("OrderChange", order_change), ("OrderCancellation", order_cancellation),
                       ("Catalogue", catalogue), ("InventoryReport", inventory_report),
                       ("RemittanceAdvice", remittance_advice)):
    registry.register(SYNTAX, MessageMapping(_kind, _module.parse, _module.render, _module.__name__))


def _mapping(kind: str, direction: str, version: str | None = None) -> MessageMapping:
    found = registry.find(SYNTAX, kind, version, direction)
    if found is None:
        raise MappingError(f"no UBL mapping for {kind}", problems=[
            Problem(code="UBL_NO_MAPPING", message=f"no UBL mapping for {kind}", element=f"/{kind}")])
    return found


def parse_ubl(data: bytes, *, max_bytes: int | None = None) -> Document:
    """Safe parse, detect, validate against the UBL 2.1 schema, and map to a canonical document."""
    root = parse_xml(data) if max_bytes is None else parse_xml(data, max_bytes=max_bytes)
    found = detect(root)
    check_supported(found)
    validate_schema(root, found.kind, ref=text(root, "cbc:ID"))
    doc: Document = _mapping(found.kind, INBOUND, found.version).parse(root)
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
    kind = _kind_of(doc)
    if kind is not None:
        data: bytes = _mapping(kind, OUTBOUND).render(doc)
        return data, kind
    raise MappingError(f"no UBL rendering for {doc.doc_type}", problems=[
        Problem(code="UBL_NO_RENDERING", message=f"{doc.doc_type} has no UBL 2.1 form in the hub")])


def _kind_of(doc: Document) -> str | None:
    """The UBL root element a canonical document is written as."""
    if isinstance(doc, Invoice):
        return "CreditNote" if doc.is_credit_note else "Invoice"
    for cls, kind in ((OrderChange, "OrderChange"),  # before PurchaseOrder: an order change is one
                      (OrderCancellation, "OrderCancellation"), (PurchaseOrder, "Order"),
                      (OrderResponse, "OrderResponse"), (DespatchAdvice, "DespatchAdvice"),
                      (Catalogue, "Catalogue"), (InventoryReport, "InventoryReport"),
                      (RemittanceAdvice, "RemittanceAdvice")):
        if isinstance(doc, cls):
            return kind
    return None


def render_invoice_checked(doc: Invoice) -> bytes:
    """Render an invoice or credit note and run the EN 16931 rules; raise ValidationError on any fatal."""
    data = render_ubl(doc)
    problems = check_en16931(data)
    fatal = [p for p in problems if p.severity == "error"]
    if fatal:
        raise ValidationError(f"invoice {doc.number} breaks {len(fatal)} EN 16931 rule(s): not sent",
                              problems=problems)
    return data
