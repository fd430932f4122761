"""A UBL document the hub is about to send, checked as strictly as one it receives.

Layers, each run only when the one before found nothing fatal (business rules on a document the schema
refuses would only add noise): the UBL 2.1 schema of its root element (2.3 for OrderChange and
OrderCancellation); the EN 16931 rules for an
Invoice or CreditNote; the OpenPeppol rules of the transaction its CustomizationID claims, if any.
"""

from __future__ import annotations

from hub.domain.errors import HubError, Problem
from hub.domain.validation import Validation
from hub.xmlsafe import parse_xml
from mappings.ubl.common import text
from mappings.ubl.detect import detect
from mappings.ubl.en16931_rules import RULES_VERSION as EN16931_VERSION
from mappings.ubl.en16931_rules import check_en16931_tree
from mappings.ubl.peppol_rules import check_peppol, claims_peppol, rules_label
from mappings.ubl.schema import SCHEMA_DOCS, schema_problems, schema_version

INVOICES = ("Invoice", "CreditNote")


def validate_document(data: bytes) -> Validation:
    """Every layer's findings on an outbound UBL document, and which rules ran."""
    result = Validation()
    try:
        root = parse_xml(data)
        found = detect(root)
    except HubError as exc:
        result.add("XML", exc.problems)
        return result
    ref = text(root, "cbc:ID")
    if found.kind not in SCHEMA_DOCS:
        result.add("UBL XSD", [_no_schema(found.kind)])
        return result
    result.add(f"UBL {schema_version(found.kind)} XSD", schema_problems(root, found.kind, ref=ref))
    if found.kind in INVOICES and not result.fatal:
        result.add(EN16931_VERSION, check_en16931_tree(root))
    if claims_peppol(found.customization_id) and not result.fatal:
        result.add(rules_label(found.customization_id or ""), check_peppol(root))
    return result


def _no_schema(kind: str) -> Problem:
    return Problem(code="XML_SCHEMA", element=f"/{kind}",
                   message=f"the hub has no UBL schema for {kind}: not sent unchecked")
