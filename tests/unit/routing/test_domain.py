"""The routing decision and the batching settings, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.batching import BatchPolicy, batch_policy
from hub.domain.errors import ValidationError
from hub.routing.domain import (
    NO_ROUTE,
    Decision,
    Facts,
    Rule,
    decide,
    parse_test_flag,
)

DEFAULT = Decision(None, (7,), (9,))
ORDER = Facts(source_id=1, recipient_id=2, doc_type="purchase_order")


def test_no_rules_keeps_the_default_routing() -> None:
    assert decide([], ORDER, DEFAULT) is DEFAULT


def test_the_first_matching_rule_decides_by_position_not_by_age() -> None:
    broad = Rule(1, position=20, connector_ids=(11,))
    narrow = Rule(2, position=10, source_id=1, doc_type="purchase_order", connector_ids=(12,),
                  partner_ids=(2,))
    assert decide([broad, narrow], ORDER, DEFAULT) == Decision(2, (12,), (2,))
    invoice = Facts(source_id=1, recipient_id=2, doc_type="invoice")
    assert decide([broad, narrow], invoice, DEFAULT) == Decision(1, (11,), ())


def test_a_live_document_no_rule_matches_is_held_a_test_one_goes_nowhere() -> None:
    only_b = [Rule(1, 10, source_id=5, connector_ids=(11,))]
    held = decide(only_b, ORDER, DEFAULT)
    assert held.held and held.as_dict()["held"] == NO_ROUTE and not held.connector_ids
    test_order = Facts(1, 2, "purchase_order", test=True)
    assert decide(only_b, test_order, DEFAULT) == Decision(None)


def test_rules_take_live_documents_unless_they_say_test_yes_or_any() -> None:
    live_only = Rule(1, 10, connector_ids=(11,))  # --test no, the default
    test_too = Rule(2, 20, test=None, connector_ids=(12,))
    assert decide([live_only, test_too], Facts(1, 2, "invoice", test=True), DEFAULT).rule_id == 2
    assert decide([live_only, test_too], Facts(1, 2, "invoice"), DEFAULT).rule_id == 1
    assert parse_test_flag("yes") is True and parse_test_flag("any") is None
    with pytest.raises(ValidationError, match="yes, no or any"):
        parse_test_flag("maybe")


def test_a_rule_never_sends_a_document_back_to_its_source() -> None:
    echo = Rule(1, 10, partner_ids=(1, 3))
    assert decide([echo], ORDER, DEFAULT).partner_ids == (3,)


_ids = st.one_of(st.none(), st.integers(1, 3))
_rules = st.lists(st.builds(Rule, id=st.integers(1, 50), position=st.integers(0, 5),
                            source_id=_ids, recipient_id=_ids,
                            doc_type=st.sampled_from([None, "invoice", "purchase_order"]),
                            test=st.sampled_from([None, True, False]),
                            connector_ids=st.tuples(st.integers(1, 4))),
                  min_size=1, max_size=6, unique_by=lambda r: r.id)
_facts = st.builds(Facts, source_id=st.integers(1, 3), recipient_id=_ids,
                   doc_type=st.sampled_from(["invoice", "purchase_order"]), test=st.booleans())


@given(_rules, _facts)
def test_the_decision_is_the_earliest_matching_rule_or_a_hold(rules: list[Rule],
                                                               facts: Facts) -> None:
    decision = decide(rules, facts, DEFAULT)
    matching = sorted((r for r in rules if r.matches(facts)), key=lambda r: (r.position, r.id))
    if matching:
        assert decision.rule_id == matching[0].id
        assert decision.connector_ids == matching[0].connector_ids
    else:
        assert decision == Decision(None, held=not facts.test)


def test_batching_is_off_by_default_and_a_window_alone_caps_at_a_thousand() -> None:
    assert not batch_policy({}).on and not batch_policy(None).on
    policy = batch_policy({"batch_window_seconds": 60})
    assert policy == BatchPolicy(60, 1000) and policy.on
    opened = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert policy.due_at(opened) == opened + timedelta(seconds=60)
    assert batch_policy({"batch_max_messages": 500}) == BatchPolicy(0, 500)


@pytest.mark.parametrize("profile", [{"batch_window_seconds": True}, {"batch_max_messages": 100_000},
                                     {"batch_window_seconds": 1.5}])
def test_bad_batching_values_name_their_setting(profile: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        batch_policy(profile)
    assert caught.value.problems[0].element == next(iter(profile))
