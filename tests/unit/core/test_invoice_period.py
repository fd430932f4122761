"""The invoicing period (EN 16931 BG-14) crosses both syntaxes: DTM 167/168 <-> cac:InvoicePeriod."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from hub.domain.codec import from_dict
from hub.domain.documents import Invoice
from mappings.edifact import invoic
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message
from mappings.ubl import parse_ubl, render_invoice_checked
from tests.support.conformance import EDIFACT_CORPUS

ROOT = Path(__file__).resolve().parents[3]
CORPUS = EDIFACT_CORPUS / "en16931-invoic-d14b"


def _acme() -> Invoice:
    doc = from_dict(json.loads((ROOT / "fixtures" / "edifact" /
                                "acme_invoic_d01b_allowances.expected.json").read_text()))
    assert isinstance(doc, Invoice)
    return replace(doc, period_start=date(2024, 3, 1), period_end=date(2024, 3, 31))


def test_period_survives_edifact_render_and_parse() -> None:
    doc = _acme()
    body = invoic.render(doc)
    assert any(s.tag == "DTM" and s.get(0) == "167" for s in body)
    message = Message("1", "INVOIC", "D", "01B", "UN", None, body)
    back = invoic.parse(message)
    assert (back.period_start, back.period_end) == (date(2024, 3, 1), date(2024, 3, 31))


def test_period_survives_ubl_and_passes_en16931() -> None:
    xml = render_invoice_checked(_acme())
    assert b"<cac:InvoicePeriod>" in xml
    back = parse_ubl(xml)
    assert isinstance(back, Invoice)
    assert (back.period_start, back.period_end) == (date(2024, 3, 1), date(2024, 3, 31))


def test_en16931_edifact_example_keeps_its_period() -> None:
    interchange = parse_interchange((CORPUS / "EDIFACT_EXAMPLE3.TXT").read_bytes(),
                                    tolerate_count_mismatch=True)
    doc = invoic.parse(interchange.messages[0])
    assert (doc.period_start, doc.period_end) == (date(2013, 1, 1), date(2013, 4, 1))  # DTM 167, 168
