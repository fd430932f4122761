"""Which UBL document is this: root element and namespace, version, Peppol customization and profile."""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from hub.domain.errors import Problem, UnsupportedContent, ValidationError
from mappings.ubl.common import UBL, text

SUPPORTED = ("Order", "OrderResponse", "DespatchAdvice", "Invoice", "CreditNote", "OrderChange",
             "OrderCancellation", "Catalogue", "InventoryReport", "RemittanceAdvice")
UBL23 = ("OrderChange", "OrderCancellation")  # Peppol T114/T115 are UBL 2.3 documents
# UBL main documents the hub recognises but does not translate (yet): rejected by name.
KNOWN_UNSUPPORTED = (
    "OrderResponseSimple", "ApplicationResponse", "DebitNote",
    "SelfBilledInvoice", "SelfBilledCreditNote", "ReceiptAdvice", "Reminder",
)


class Detected(NamedTuple):
    kind: str  # root element local name, e.g. "Invoice"
    version: str | None  # UBLVersionID as sent (None when absent)
    customization_id: str | None
    profile_id: str | None


def detect(root: etree._Element) -> Detected:
    """Kind, version, CustomizationID and ProfileID of a UBL document; ValidationError when not UBL."""
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    expected = f"{UBL}{qname.localname}-2"
    if namespace != expected:
        message = (f"root element {{{namespace}}}{qname.localname} is not a UBL 2.x document"
                   if namespace else f"root element {qname.localname} has no namespace: not a UBL document")
        raise ValidationError(message, problems=[
            Problem(code="UBL_NOT_UBL", message=message, element=f"/{qname.localname}")])
    return Detected(
        kind=qname.localname,
        version=text(root, "cbc:UBLVersionID"),
        customization_id=text(root, "cbc:CustomizationID"),
        profile_id=text(root, "cbc:ProfileID"),
    )


def check_supported(found: Detected) -> None:
    """Raise UnsupportedContent naming the document (and version) when the hub cannot translate it."""
    if found.version and not found.version.startswith("2."):
        _unsupported(found, f"UBL version {found.version} is not supported (2.1 expected)")
    allowed = (None, "2.1", "2.2", "2.3") if found.kind in UBL23 else (None, "2.1")
    if found.kind in SUPPORTED and found.version not in allowed:
        _unsupported(found, f"UBL {found.kind} {found.version} is not supported: only UBL "
                            f"{'2.1 to 2.3' if found.kind in UBL23 else '2.1'} is translated")
    if found.kind not in SUPPORTED:
        what = "recognised but not translated" if found.kind in KNOWN_UNSUPPORTED else "unknown"
        _unsupported(found, f"UBL {found.kind} ({what}): the hub translates {', '.join(SUPPORTED)}")


def _unsupported(found: Detected, message: str) -> None:
    raise UnsupportedContent(message, problems=[
        Problem(code="UBL_UNSUPPORTED_DOCUMENT", message=message, element=f"/{found.kind}")])
