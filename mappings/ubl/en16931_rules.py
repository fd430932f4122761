"""EN 16931 business rules for UBL invoices and credit notes, with the official CEN/TC 434 XSLT.

The compiled schematron (`en16931/EN16931-UBL-validation.xslt`, validation release 1.3.16, EUPL-1.2, see
`en16931/LICENSE.txt`) is XSLT 2.0, so it runs with Saxon-HE (saxonche), not lxml. Compilation takes a few
seconds: it happens once per process and is cached.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from lxml import etree

from hub.domain.errors import Problem
from hub.xmlsafe import parse_xml

XSLT_PATH = Path(__file__).parent / "en16931" / "EN16931-UBL-validation.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_LOCATION_STEP = re.compile(r"\*:(\w+)\[namespace-uri\(\)='[^']*'\]")
_lock = threading.Lock()
_state: dict[str, Any] = {}


def _executable() -> Any:
    # Saxon objects are not documented as thread-safe: one processor, one executable, used under a lock.
    if "exe" not in _state:
        from saxonche import PySaxonProcessor  # imported late: only invoicing needs Saxon

        proc = PySaxonProcessor(license=False)
        exe = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(XSLT_PATH))
        if exe is None:
            raise RuntimeError(f"cannot compile {XSLT_PATH}")
        _state["proc"], _state["exe"] = proc, exe
    return _state["exe"]


def warm_up() -> None:
    """Compile the rules now (a few seconds) rather than on the first invoice."""
    with _lock:
        _executable()


def check_en16931(xml: bytes) -> list[Problem]:
    """Run the EN 16931 rules on a UBL Invoice or CreditNote: fatal -> error, warning -> warning."""
    root = parse_xml(xml)  # refuses DOCTYPEs and entities before Saxon sees the text
    text = etree.tostring(root, encoding="unicode")
    with _lock:
        exe = _executable()
        node = _state["proc"].parse_xml(xml_text=text)
        svrl = exe.transform_to_string(xdm_node=node)
    return _problems(parse_xml(svrl.encode("utf-8"), max_elements=5_000_000), _doc_id(root))


def _doc_id(root: etree._Element) -> str | None:
    found = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID")
    return found.text if found is not None else None


def _problems(svrl: etree._Element, ref: str | None) -> list[Problem]:
    out = []
    for el in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text_el = el.find(f"{{{SVRL}}}text")
        text = " ".join("".join(text_el.itertext()).split()) if text_el is not None else ""
        flag = (el.get("flag") or "fatal").lower()
        rule = el.get("id") or "?"
        out.append(Problem(
            code=rule,
            message=text if text.startswith(f"[{rule}]") else f"[{rule}] {text}",
            message_ref=ref,
            element=_LOCATION_STEP.sub(r"\1", el.get("location") or "") or None,
            severity="error" if flag == "fatal" else "warning",
        ))
    return out
