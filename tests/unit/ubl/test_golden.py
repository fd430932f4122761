"""Every UBL fixture maps to its expected canonical JSON (UPDATE_GOLDEN=1 rewrites the expectations)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.domain import codec
from mappings.ubl import parse_ubl, render_ubl

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ubl"
CASES = sorted(FIXTURES.glob("*.xml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_maps_to_expected_canonical_json(path: Path) -> None:
    got = codec.dumps(parse_ubl(path.read_bytes()))
    expected = path.with_suffix(".expected.json")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_renders_back_to_schema_valid_ubl(path: Path) -> None:
    doc = parse_ubl(path.read_bytes())
    assert parse_ubl(render_ubl(doc)).number == doc.number  # render_ubl validates against the XSD


def test_there_is_a_fixture_for_every_document_type() -> None:
    kinds = {codec.loads(p.with_suffix(".expected.json").read_text()).doc_type for p in CASES}
    assert kinds == {"purchase_order", "order_response", "despatch_advice", "invoice", "catalogue",
                     "inventory_report", "remittance_advice"}
