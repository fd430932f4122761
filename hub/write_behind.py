"""Write-behind: a use case's write steps run one at a time, in order, on one background thread, while
the caller prepares the next step's data; the database works on one step while Python works on the next.

It pays where a step is a few long calls that wait on the database without holding Python's lock:
PostgreSQL, whose server does a bulk statement's work in its own process while the client waits. On
SQLite it does not (its driver takes the lock back after every row of an executemany and then waits its
turn for it), so there the steps run inline, at `submit`, as they would without it.

The caller hands the session over with each step and must not use it again until `wait` (or the end of
the `with` block) returns: one thread uses the session at a time. A step's error is raised by the next
`submit`, by `wait`, or at the end of the block; the block never ends while a step is still running, so
the transaction it belongs to is not rolled back or committed under it."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session


def overlaps(session: Session) -> bool:
    """Whether steps on this session's database gain from a thread of their own (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


class WriteBehind:
    """`with WriteBehind(threaded) as writes: writes.submit(step, *args)`, then `writes.wait()` or the end
    of the block before the session is used again."""

    def __init__(self, threaded: bool) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="write-behind") if threaded else None
        self._running: Future[Any] | None = None

    def submit(self, step: Callable[..., Any], *args: Any) -> None:
        """Run `step(*args)` after the steps before it: now, or on the thread once the last is done,
        in a copy of the caller's context (its context variables, as if it ran the step itself)."""
        self.wait()
        if self._pool is None:
            step(*args)
        else:
            self._running = self._pool.submit(contextvars.copy_context().run, step, *args)

    def wait(self) -> None:
        """Return once every step submitted is done; raise the error of one that failed."""
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._running is not None:  # the caller's error wins; the step must end first
                self._running.exception()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
