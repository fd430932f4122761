"""Worker processes that map the messages of a big interchange while the caller persists them.

One pool per process, started on first use and kept: worker processes come from a fork server
that has imported the mapping code once, so a pool starts in a fraction of a second and nothing
of the caller (threads, database connections) is forked. Batches go out as they are read and
come back in order; at most a few are in flight, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hub.domain.errors import HubError, Problem
from hub.ingest.messages import Context, MessageJob, MessageResult, work, work_packed

_PRELOAD = ["hub.ingest.messages"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_answered = False  # whether the current pool has returned any batch
_disabled = False  # a pool whose processes died before their first answer: map in-process

log = logging.getLogger(__name__)


class WorkerLost(HubError):
    """A mapping process died (killed, out of memory); the exchange can be reprocessed."""

    code = "WORKER_LOST"


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size, _answered
    with _lock:
        if _pool is None or _pool_size != workers:
            _answered = False
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pool_size = workers
        return _pool


def _discard_pool() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


def process_ids() -> list[int]:
    """The running worker processes (empty before the pool's first use)."""
    with _lock:
        pool = _pool
    return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []


def shutdown() -> None:
    """Stop the worker processes (they start again on next use, even after `_disabled`)."""
    global _disabled
    _discard_pool()
    _disabled = False


atexit.register(shutdown)


def map_batches(context: Context, batches: Iterable[list[MessageJob]], workers: int
                ) -> Iterator[list[MessageResult]]:
    """The results of each batch, in the batches' order: in `workers` processes, or in-process
    when `workers` is 0. Batches are pulled from `batches` only as workers become free."""
    if workers <= 0 or _disabled:
        for jobs in batches:
            yield work(context, jobs, keep_documents=True)
        return
    pool = _get_pool(workers)
    in_flight: deque[Future[list[tuple[Any, ...]]]] = deque()
    try:
        for jobs in batches:
            try:
                future = pool.submit(work_packed, context, [job.pack() for job in jobs])
            except BrokenProcessPool as exc:
                if in_flight:  # a worker died during this interchange
                    raise _lost(exc) from exc
                _discard_pool()  # its workers died while it was idle: start afresh
                pool = _get_pool(workers)
                future = pool.submit(work_packed, context, [job.pack() for job in jobs])
            in_flight.append(future)
            if len(in_flight) > workers:
                yield _result(in_flight.popleft())
        while in_flight:
            yield _result(in_flight.popleft())
    finally:
        for future in in_flight:
            future.cancel()


def _lost(exc: BaseException) -> WorkerLost:
    global _disabled
    if not _answered:
        # e.g. a main module that starts work on import, which each worker imports again: a new
        # pool would die the same way, so this process maps in-process from now on
        _disabled = True
        log.warning("mapping worker processes died before their first answer; big interchanges "
                    "are mapped in-process from now on (%s)", exc)
    _discard_pool()
    return WorkerLost("a mapping process stopped unexpectedly; reprocess the exchange",
                      problems=[Problem(code="WORKER_LOST", message=str(exc))])


def _result(future: Future[list[tuple[Any, ...]]]) -> list[MessageResult]:
    global _answered
    try:
        packed_results = future.result()
    except BrokenProcessPool as exc:
        raise _lost(exc) from exc
    _answered = True
    return [MessageResult.unpack(packed) for packed in packed_results]
