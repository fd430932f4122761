"""Exchange states and the only transitions allowed between them, in one table."""

from __future__ import annotations

from enum import StrEnum

from hub.domain.errors import IllegalTransition


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class ExchangeState(StrEnum):
    # inbound
    received = "received"
    processing = "processing"
    processed = "processed"
    failed = "failed"
    # outbound
    pending = "pending"
    sending = "sending"
    sent = "sent"
    retrying = "retrying"
    dead = "dead"
    invalid = "invalid"  # failed the checks before sending: never sent until rendered again


S = ExchangeState

# (direction, from) -> allowed targets. Why the less obvious ones exist:
# - failed -> processing: `flask hub reprocess` after a fix;
# - processing -> received: a worker died mid-processing; the sweeper puts it back in the queue;
# - dead -> pending: `flask hub redeliver`; sending -> retrying covers a crash during a send;
# - invalid -> pending: rendered again (`reprocess`, after a profile or code-list fix) and now
#   passing its checks. An outbound exchange is created `pending`, or `invalid` when the file fails
#   them; nothing else leads to `invalid`, and an invalid file is never sent, so it never dies.
TRANSITIONS: dict[tuple[Direction, ExchangeState], frozenset[ExchangeState]] = {
    (Direction.inbound, S.received): frozenset({S.processing}),
    (Direction.inbound, S.processing): frozenset({S.processed, S.failed, S.received}),
    (Direction.inbound, S.failed): frozenset({S.processing}),
    (Direction.inbound, S.processed): frozenset(),
    (Direction.outbound, S.pending): frozenset({S.sending}),
    (Direction.outbound, S.sending): frozenset({S.sent, S.retrying, S.dead}),
    (Direction.outbound, S.retrying): frozenset({S.sending, S.dead}),
    (Direction.outbound, S.dead): frozenset({S.pending}),
    (Direction.outbound, S.sent): frozenset(),
    (Direction.outbound, S.invalid): frozenset({S.pending}),
}

INITIAL_STATE = {Direction.inbound: S.received, Direction.outbound: S.pending}


def check_transition(direction: Direction, current: ExchangeState, target: ExchangeState) -> None:
    """Raise IllegalTransition unless `current -> target` is allowed for the direction."""
    allowed = TRANSITIONS.get((direction, current))
    if allowed is None or target not in allowed:
        raise IllegalTransition(
            f"an {direction.value} exchange cannot go from {current.value} to {target.value}")
