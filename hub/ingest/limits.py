"""The limits one exchange's processing runs under, and the errors it ends with when it hits one.

Processing sets its limits for the current thread (`limited`); the mapping code checks the
deadline between batches (`check`) and the worker pool gives its processes the memory budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from hub.domain.errors import HubError


class ProcessingLimit(HubError):
    """Processing stopped short of an outcome (a limit, a lost process): retried up to a cap."""

    code = "PROCESSING_LIMIT"


class WorkerLost(ProcessingLimit):
    """A mapping process died (killed, out of memory)."""

    code = "WORKER_LOST"


class ResourceLimit(ProcessingLimit):
    """Processing ran out of the memory it may use."""

    code = "RESOURCE_LIMIT"


class TimeLimit(ProcessingLimit):
    """Processing took longer than the per-exchange time limit."""

    code = "TIME_LIMIT"


class Interrupted(HubError):
    """The hub is stopping: processing gave up so the process can exit; it does not count."""

    code = "INTERRUPTED"


@dataclass(frozen=True)
class Limits:
    """Per exchange: seconds it may take, memory (MiB) each mapping worker may add; 0 is none."""

    seconds: float = 0
    memory_mb: int = 0


NO_LIMITS = Limits()
_limits: ContextVar[Limits] = ContextVar("processing_limits", default=NO_LIMITS)
_deadline: ContextVar[float | None] = ContextVar("processing_deadline", default=None)
stopping = threading.Event()  # set when the process stops: running work gives up at once


@contextmanager
def limited(limits: Limits) -> Iterator[None]:
    """Run the block under `limits`; the time limit counts from now."""
    deadline = time.monotonic() + limits.seconds if limits.seconds > 0 else None
    limits_token, deadline_token = _limits.set(limits), _deadline.set(deadline)
    try:
        yield
    finally:
        _limits.reset(limits_token)
        _deadline.reset(deadline_token)


def current() -> Limits:
    """The limits of the processing running in this thread."""
    return _limits.get()


def remaining() -> float | None:
    """Seconds left before the time limit (None: no limit)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def check() -> None:
    """Raise Interrupted when the process stops, TimeLimit once the deadline has passed."""
    if stopping.is_set():
        raise Interrupted("the hub stopped while processing; the exchange goes back to the queue")
    left = remaining()
    if left is not None and left <= 0:
        raise time_limit()


def time_limit() -> TimeLimit:
    """The error for processing that ran past its time limit."""
    return TimeLimit(f"processing took longer than its limit of {current().seconds:g} s")
