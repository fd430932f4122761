"""OpenPeppol rules (release 2026.5, `peppol/`) of the transaction a UBL document's CustomizationID claims.

A document that claims no Peppol transaction gets no Peppol check; one that claims a transaction the
hub has no rules for is refused (`PEPPOL_UNKNOWN_TRANSACTION`) rather than sent unchecked.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from hub.domain.errors import Problem
from mappings.ubl.common import text
from mappings.ubl.schematron import run_rules

RULES_DIR = Path(__file__).parent / "peppol"
RULES_VERSION = "OpenPeppol 2026.5"
PEPPOL_MARK = "peppol.eu"
BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
# CustomizationID prefix -> transaction, longest prefixes first (order_response before order)
TRANSACTIONS = {
    "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3": "T116",
    "urn:fdc:peppol.eu:poacc:trns:order_response:3": "T76",
    "urn:fdc:peppol.eu:poacc:trns:order_change:3": "T114",
    "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3": "T115",
    "urn:fdc:peppol.eu:poacc:trns:order:3": "T01",
    "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3": "T16",
    "urn:fdc:peppol.eu:poacc:trns:mlr:3": "T71",
    "urn:fdc:peppol.eu:poacc:trns:invoice_response:3": "T111",
    "urn:fdc:peppol.eu:poacc:trns:catalogue_response:3": "T58",
    "urn:fdc:peppol.eu:poacc:trns:catalogue:3": "T19",
}


def claims_peppol(customization_id: str | None) -> bool:
    """Whether a CustomizationID claims a Peppol specification."""
    return bool(customization_id) and PEPPOL_MARK in (customization_id or "")


def rules_file(customization_id: str) -> Path | None:
    """The vendored rules of the transaction a (Peppol) CustomizationID names, or None."""
    if BILLING in customization_id:
        return RULES_DIR / "PEPPOL-EN16931-UBL.xslt"
    name = next((t for prefix, t in TRANSACTIONS.items() if customization_id.startswith(prefix)), None)
    return RULES_DIR / f"PEPPOLBIS-{name}.xslt" if name else None


def rules_label(customization_id: str) -> str:
    """What ran, for the validation record: e.g. "OpenPeppol 2026.5 T01"."""
    path = rules_file(customization_id)
    name = path.stem.removeprefix("PEPPOLBIS-") if path else "?"
    return f"{RULES_VERSION} {'BIS Billing 3' if name == 'PEPPOL-EN16931-UBL' else name}"


def check_peppol(root: etree._Element) -> list[Problem]:
    """The OpenPeppol rules of the document's claimed transaction (call only when it claims one)."""
    customization = text(root, "cbc:CustomizationID") or ""
    ref = text(root, "cbc:ID")
    path = rules_file(customization)
    if path is None:
        return [Problem(code="PEPPOL_UNKNOWN_TRANSACTION", message_ref=ref,
                        element="/*/cbc:CustomizationID",
                        message=f"CustomizationID {customization!r} claims Peppol but names no "
                                f"transaction the hub has the {RULES_VERSION} rules of")]
    return run_rules(path, root, ref=ref)
