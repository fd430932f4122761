"""Suppliers' price lists as UBL Catalogue (Peppol BIS Catalogue 3, T19) and stock as UBL InventoryReport:
the fixtures pass the official rules, and what the hub writes passes them too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.documents import Catalogue, InventoryReport
from mappings.ubl import parse_ubl, render_ubl
from mappings.ubl.outbound_validation import validate_document
from tests.support.conformance import oracle_fatal, oracle_module

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ubl"
CATALOGUE = FIXTURES / "ponte_catalogue_peppol.xml"


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def test_the_peppol_catalogue_fixture_gives_zero_fatal_with_the_official_rules(peppol_oracle: Any,
                                                                              tmp_path: Path) -> None:
    assert oracle_fatal(peppol_oracle, CATALOGUE.read_bytes(), tmp_path, CATALOGUE.name) == []


def test_a_rendered_catalogue_gives_zero_fatal_and_the_hub_runs_the_t19_rules(peppol_oracle: Any,
                                                                             tmp_path: Path) -> None:
    data = render_ubl(parse_ubl(CATALOGUE.read_bytes()))
    assert oracle_fatal(peppol_oracle, data, tmp_path, "rendered.xml") == []
    checked = validate_document(data)
    assert "OpenPeppol 2026.5 T19" in checked.rules
    assert not [p for p in checked.problems if p.severity == "error"]


def test_price_breaks_minimum_multiple_and_deleted_lines_are_read() -> None:
    doc = parse_ubl(CATALOGUE.read_bytes())
    assert isinstance(doc, Catalogue) and doc.action == "update" and doc.currency == "EUR"
    bolt, nut = doc.lines
    assert [(p.amount, p.min_quantity) for p in bolt.prices] == [(Decimal("0.12"), None),
                                                               (Decimal("0.10"), Decimal(1000))]
    minimum, multiple = bolt.quantity("minimum_order"), bolt.quantity("order_multiple")
    assert minimum is not None and multiple is not None and (minimum.value, multiple.value) == (100, 50)
    assert bolt.item.supplier_number == "NF-BOLT-M8" and bolt.item.gtin == "5410000100016"
    assert nut.status == "deleted"


def test_an_inventory_report_is_read_per_item_and_location() -> None:
    doc = parse_ubl((FIXTURES / "ponte_inventoryreport_vmi.xml").read_bytes())
    assert isinstance(doc, InventoryReport) and isinstance(doc.as_of, datetime) and doc.as_of.tzinfo
    assert [(ln.item.gtin, ln.location, ln.quantities[0].value) for ln in doc.lines] == [
        ("5410000100016", "MAIN", 420), ("5410000100023", "EAST", 35)]
