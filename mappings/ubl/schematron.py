"""Compiled schematron rules (XSLT 2.0) run with Saxon-HE: the EN 16931 and OpenPeppol layers.

One Saxon processor per process, each stylesheet compiled once, on first use (a few seconds each).
The processor may open no URI at all (Saxon's `allowedProtocols` is empty): stylesheets are compiled
from their text and documents handed over as text already parsed safely, so a rule cannot read a file
or the network. Saxon objects are not documented as thread-safe: every call runs under one lock.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from lxml import etree

from hub.domain.errors import Problem
from hub.xmlsafe import parse_xml

SVRL = "http://purl.oclc.org/dsdl/svrl"
_ALLOWED_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"
_LOCATION_STEP = re.compile(r"\*:(\w+)\[namespace-uri\(\)='[^']*'\]")
_lock = threading.Lock()
_processor: dict[str, Any] = {}
_compiled: dict[Path, Any] = {}


def _saxon() -> Any:
    if "proc" not in _processor:
        from saxonche import PySaxonProcessor  # imported late: only rule checks need Saxon

        proc = PySaxonProcessor(license=False)
        proc.set_configuration_property(_ALLOWED_PROTOCOLS, "")
        _processor["proc"] = proc
    return _processor["proc"]


def _executable(path: Path) -> Any:
    if path not in _compiled:
        compiler = _saxon().new_xslt30_processor()
        exe = compiler.compile_stylesheet(stylesheet_text=path.read_text(encoding="utf-8"))
        if exe is None:
            raise RuntimeError(f"cannot compile {path.name}")
        _compiled[path] = exe
    return _compiled[path]


def compile_rules(path: Path) -> None:
    """Compile the rules of `path` now rather than on the first document that needs them."""
    with _lock:
        _executable(path)


def run_rules(path: Path, root: etree._Element, *, ref: str | None = None) -> list[Problem]:
    """The failed asserts and reports of the rules of `path` on a safely parsed document:
    fatal -> error, anything else -> warning; each names its rule id, location and text."""
    text = etree.tostring(root, encoding="unicode")
    with _lock:
        exe = _executable(path)
        node = _saxon().parse_xml(xml_text=text)
        svrl = exe.transform_to_string(xdm_node=node)
    return svrl_problems(parse_xml(svrl.encode("utf-8"), max_elements=5_000_000), ref)


def svrl_problems(svrl: etree._Element, ref: str | None) -> list[Problem]:
    """Problems from an SVRL report (each failed assert or successful report)."""
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
