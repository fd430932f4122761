"""Exchange and delivery states, the only transitions allowed between them (one table each), and
what one processing or delivery attempt came to."""

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


class DeliveryState(StrEnum):
    """A push delivery of one document to one ERP connector (its own lifecycle, not an exchange's)."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    retrying = "retrying"
    dead = "dead"


D = DeliveryState

# from -> allowed targets: dead -> pending is `flask hub redeliver`; sending -> retrying also covers a
# crash during a send (the recovery sweep); a delivery is created pending.
DELIVERY_TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    D.pending: frozenset({D.sending}),
    D.sending: frozenset({D.sent, D.retrying, D.dead}),
    D.retrying: frozenset({D.sending, D.dead}),
    D.dead: frozenset({D.pending}),
    D.sent: frozenset(),
}

DUE_DELIVERY_STATES = (D.pending, D.retrying)
WAITING_DELIVERY_STATES = (D.pending, D.retrying, D.sending)


def check_delivery_transition(current: DeliveryState, target: DeliveryState) -> None:
    """Raise IllegalTransition unless a delivery may go from `current` to `target`."""
    if target not in DELIVERY_TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"a delivery cannot go from {current.value} to {target.value}")


class DeliveryOutcome(StrEnum):
    """What one delivery attempt came to: the state it was left in, or `lost` when recovery took the
    delivery back meanwhile and its outcome is left to the new owner."""

    sent = "sent"
    retrying = "retrying"
    dead = "dead"
    lost = "lost"
