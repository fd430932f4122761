"""EN 16931 business rules for UBL invoices and credit notes, with the official CEN/TC 434 XSLT.

The compiled schematron (`en16931/EN16931-UBL-validation.xslt`, validation release 1.3.16, EUPL-1.2, see
`en16931/LICENSE.txt`) is XSLT 2.0, so it runs with Saxon-HE (saxonche, see `schematron.py`), not lxml.
Compilation takes a few seconds: it happens once per process.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from hub.domain.errors import Problem
from hub.xmlsafe import parse_xml
from mappings.ubl.schematron import compile_rules, run_rules

XSLT_PATH = Path(__file__).parent / "en16931" / "EN16931-UBL-validation.xslt"
RULES_VERSION = "EN16931 1.3.16"


def warm_up() -> None:
    """Compile the rules now (a few seconds) rather than on the first invoice."""
    compile_rules(XSLT_PATH)


def check_en16931(xml: bytes) -> list[Problem]:
    """Run the EN 16931 rules on a UBL Invoice or CreditNote: fatal -> error, warning -> warning."""
    return check_en16931_tree(parse_xml(xml))  # refuses DOCTYPEs and entities before Saxon sees it


def check_en16931_tree(root: etree._Element) -> list[Problem]:
    """The EN 16931 rules on an already safely parsed Invoice or CreditNote."""
    return run_rules(XSLT_PATH, root, ref=_doc_id(root))


def _doc_id(root: etree._Element) -> str | None:
    found = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID")
    return found.text if found is not None else None
