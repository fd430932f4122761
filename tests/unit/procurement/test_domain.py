"""Replenishment rules: trigger, quantity, supplier choice and the explanation kept with each line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from hub.procurement.domain import (
    Position,
    PriceBreak,
    Proposal,
    ReorderRule,
    RuleKind,
    Skipped,
    SupplierTerm,
    choose_supplier,
    needed,
    propose,
)

TODAY = date(2026, 12, 2)
MINMAX = ReorderRule("SKU1", "WH1", RuleKind.min_max, minimum=D(10), maximum=D(50))
ROP = ReorderRule("SKU1", "WH1", RuleKind.reorder_point, minimum=D(20), maximum=D(12))


@pytest.mark.parametrize("rule, position, want", [
    (MINMAX, Position(on_hand=D(11)), D(0)),  # above min: nothing
    (MINMAX, Position(on_hand=D(10)), D(40)),  # at min: up to max
    (MINMAX, Position(on_hand=D(4), in_flight=D(6)), D(40)),  # in flight counts
    (MINMAX, Position(on_hand=D(30), reserved=D(25)), D(45)),  # reserved counts against
    (MINMAX, Position(on_hand=D(-5)), D(55)),  # a backorder
    (ROP, Position(on_hand=D(21)), D(0)),
    (ROP, Position(on_hand=D(20)), D(12)),  # at the point: one lot takes it above
    (ROP, Position(on_hand=D(8)), D(24)),  # 8 + 12 = 20 is not above 20: two lots
    (ROP, Position(on_hand=D(0)), D(24)),
])
def test_how_much_a_rule_wants(rule: ReorderRule, position: Position, want: D) -> None:
    assert needed(rule, position) == want


def test_minimum_and_multiple_round_the_quantity_up() -> None:
    term = SupplierTerm("SKU1", 1, price=D("2.00"), currency="BRL", min_qty=D(50), multiple=D(12))
    assert term.orderable(D(40)) == D(60)  # 50, then the next multiple of 12
    assert term.orderable(D(61)) == D(72)
    assert SupplierTerm("SKU1", 1, D(1), "BRL").orderable(D("3.5")) == D("3.5")


def test_price_breaks_apply_from_their_quantity() -> None:
    term = SupplierTerm("SKU1", 1, price=D("10"), currency="BRL",
                        price_breaks=(PriceBreak(D(100), D("9")), PriceBreak(D(500), D("8"))))
    assert [term.unit_price(D(q)) for q in (99, 100, 499, 500)] == [D(10), D(9), D(9), D(8)]


def test_the_supplier_is_valid_terms_then_priority_then_cost() -> None:
    expired = SupplierTerm("SKU1", 1, D("1"), "BRL", valid_to=date(2026, 11, 30))
    preferred = SupplierTerm("SKU1", 2, D("5"), "BRL", priority=1)
    cheap = SupplierTerm("SKU1", 3, D("4"), "BRL", priority=2)
    assert choose_supplier([expired, preferred, cheap], D(10), TODAY) is preferred
    a = SupplierTerm("SKU1", 4, D("5"), "BRL", priority=1, price_breaks=(PriceBreak(D(10), D("3")),))
    assert choose_supplier([preferred, a], D(10), TODAY) is a  # cheaper for this quantity
    assert choose_supplier([expired], D(10), TODAY) is None


def test_a_proposal_explains_itself() -> None:
    term = SupplierTerm("SKU1", 7, D("2.50"), "BRL", supplier_sku="S-1", multiple=D(6))
    proposal = propose(MINMAX, Position(on_hand=D(3), in_flight=D(5), reserved=D(1)), [term], TODAY)
    assert isinstance(proposal, Proposal)
    assert (proposal.supplier_id, proposal.quantity, proposal.amount) == (7, D(48), D("120.00"))
    assert proposal.explanation["projected"] == "7" and proposal.explanation["needed"] == "43"
    assert proposal.explanation["terms"]["multiple"] == "6"


def test_paused_snoozed_and_unorderable_rules() -> None:
    low = Position(on_hand=D(0))
    term = SupplierTerm("SKU1", 1, D(1), "BRL")
    paused = ReorderRule("SKU1", "WH1", RuleKind.min_max, D(10), D(50), paused=True)
    snoozed = ReorderRule("SKU1", "WH1", RuleKind.min_max, D(10), D(50), snoozed_until=date(2026, 12, 2))
    assert propose(paused, low, [term], TODAY) is None
    assert propose(snoozed, low, [term], TODAY) is None  # snoozed through the 2nd
    assert isinstance(propose(snoozed, low, [term], date(2026, 12, 3)), Proposal)
    assert propose(MINMAX, low, [], TODAY) == Skipped("SKU1", "WH1", "no valid supplier terms for this item")
