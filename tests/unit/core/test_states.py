"""The transition table: what may follow what, and nothing else."""

from __future__ import annotations

import itertools

import pytest

from hub.domain.errors import IllegalTransition
from hub.domain.states import TRANSITIONS, Direction, ExchangeState, check_transition

S = ExchangeState


@pytest.mark.parametrize(("direction", "path"), [
    (Direction.inbound, [S.received, S.processing, S.processed]),
    (Direction.inbound, [S.received, S.processing, S.failed, S.processing, S.processed]),
    (Direction.outbound, [S.pending, S.sending, S.retrying, S.sending, S.sent]),
    (Direction.outbound, [S.pending, S.sending, S.dead, S.pending]),
    # held before sending, rendered again after a fix
    (Direction.outbound, [S.invalid, S.pending, S.sending, S.sent]),
])
def test_allowed_paths(direction: Direction, path: list[ExchangeState]) -> None:
    for current, target in itertools.pairwise(path):
        check_transition(direction, current, target)


@pytest.mark.parametrize(("direction", "current", "target"), [
    (Direction.inbound, S.received, S.processed),  # must go through processing
    (Direction.inbound, S.processed, S.processing),  # done is done
    (Direction.inbound, S.received, S.sent),  # an outbound state
    (Direction.outbound, S.pending, S.sent),
    (Direction.outbound, S.sent, S.sending),
    (Direction.outbound, S.invalid, S.sending),  # an invalid file is never sent as it is
    (Direction.outbound, S.pending, S.dead),  # what cannot be sent is invalid, not dead
])
def test_illegal_transitions_raise(direction: Direction, current: ExchangeState,
                                   target: ExchangeState) -> None:
    with pytest.raises(IllegalTransition, match=f"from {current.value} to {target.value}"):
        check_transition(direction, current, target)


def test_every_target_is_a_state_of_the_same_direction() -> None:
    inbound = {S.received, S.processing, S.processed, S.failed}
    for (direction, current), targets in TRANSITIONS.items():
        own = inbound if direction is Direction.inbound else set(S) - inbound
        assert current in own and targets <= own
