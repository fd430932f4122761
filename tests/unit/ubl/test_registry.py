"""UBL documents are read and written through the registry EDIFACT messages use: (syntax, message,
version, direction, partner), the most specific entry winning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mappings import registry
from mappings.edifact import registry as edifact_registry
from mappings.registry import INBOUND, MessageMapping
from mappings.ubl import order, parse_ubl, render_ubl_unchecked

ORDER = (Path(__file__).resolve().parents[3] / "fixtures" / "ubl" / "oasis_order_example.xml").read_bytes()


@pytest.fixture
def special_order() -> Iterator[list[str]]:
    """An Order mapping for UBL 2.1 alone, beside the generic one."""
    calls: list[str] = []

    def parse(root: Any) -> Any:
        calls.append("parse")
        doc = order.parse(root)
        doc.number = f"special-{doc.number}"
        return doc

    special = MessageMapping("Order", parse, order.render, "special")
    registry.register("ubl", special, version="2.1", directions=(INBOUND,))
    yield calls
    registry.unregister("ubl", "Order", direction=INBOUND, version="2.1")


def test_a_version_specific_ubl_mapping_beats_the_generic_one(special_order: list[str]) -> None:
    doc = parse_ubl(ORDER)
    assert special_order == ["parse"] and doc.number.startswith("special-")
    data, kind = render_ubl_unchecked(doc)  # written by the registry's outbound Order mapping
    assert kind == "Order" and b"<cbc:ID>special-34</cbc:ID>" in data


def test_ubl_and_edifact_share_one_registry_without_meeting() -> None:
    assert {"ORDER", "INVOICE", "CREDITNOTE", "CATALOGUE"} <= set(registry.messages("ubl"))
    assert {"ORDERS", "INVOIC"} <= set(registry.messages("edifact"))
    assert registry.find("ubl", "ORDERS", None) is None and edifact_registry.supported() == \
        registry.messages("edifact")
