"""Worker processes that map the messages of a big interchange while the caller persists them.

One pool per process, started on first use and kept: worker processes come from a fork server
that has imported the mapping code once, so a pool starts in a fraction of a second and nothing
of the caller (threads, database connections) is forked. Batches go out as they are read and
come back in order; at most a few are in flight, so memory stays flat whatever the file's size.

The workers are where a hostile file can blow up, so they are fenced: each may grow its address
space by the memory budget only (a blow-up becomes RESOURCE_LIMIT, not the death of the web
process), a batch past the exchange's deadline gets its workers killed (TIME_LIMIT), a worker that
dies is WORKER_LOST, and workers (so the fork server) exit with the process that owns
them, even when it is killed.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import select
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hub.domain.errors import Problem
from hub.ingest import limits
from hub.ingest.limits import Interrupted, ResourceLimit, WorkerLost
from hub.ingest.messages import Context, MessageJob, MessageResult, work, work_packed

_PRELOAD = ["hub.ingest.messages"]
_STARTUP_SECONDS = 60  # a new pool must answer a probe within this, or this process maps in-process
_MANAGER_JOIN_SECONDS = 5.0  # at most, for a killed pool's manager thread to finish
_POLL_SECONDS = 0.1  # how often a wait for a batch looks at the deadline and the stop flag

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_shape: tuple[int, int] = (0, 0)  # (workers, memory budget in MiB) of the current pool
_disabled = False  # worker processes cannot start in this process: map in-process

log = logging.getLogger(__name__)

__all__ = ["WorkerLost", "map_batches", "process_ids", "shutdown", "stop"]


def _start_worker(memory_mb: int, owner: int) -> None:
    """Worker initializer: exit with the owner process, cap the address space."""
    # The fork server lives as long as any worker holds its pipe, and an idle worker waits for
    # work for ever: without this, a killed owner would leave both behind.
    threading.Thread(target=_exit_with, args=(owner,), daemon=True).start()
    if memory_mb > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _exit_with(owner: int) -> None:
    try:
        handle = os.pidfd_open(owner)  # Linux 5.3: readable once the owner has exited
        select.select([handle], [], [])
    except (AttributeError, OSError):
        while _alive(owner):
            time.sleep(1)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _address_space() -> int:
    """This process's virtual memory size in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _get_pool(workers: int, memory_mb: int) -> ProcessPoolExecutor | None:
    """The pool of that shape, started (and probed) if need be; None when workers cannot start."""
    global _pool, _pool_shape, _disabled
    with _lock:
        if _pool is not None and _pool_shape == (workers, memory_mb) and not _broken(_pool):
            return _pool
        _kill(_pool)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_start_worker, initargs=(memory_mb, os.getpid()))
        try:
            pool.submit(os.getpid).result(timeout=_STARTUP_SECONDS)
        except (BrokenProcessPool, FutureTimeout, OSError) as exc:
            # e.g. a main module that starts work on import, which each worker imports again:
            # every new pool would die the same way
            _kill(pool)
            _pool, _disabled = None, True
            log.warning("mapping worker processes cannot start (%r): big interchanges are "
                        "mapped in-process, without a memory limit", exc)
            return None
        _pool, _pool_shape = pool, (workers, memory_mb)
        return pool


def _broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))


def _kill(pool: ProcessPoolExecutor | None) -> None:
    """Stop a pool at once: its workers hold no state worth waiting for."""
    if pool is None:
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    # Let its manager thread finish (it closes its wake-up pipe as it goes): at interpreter exit,
    # Python 3.11's concurrent.futures wakes every manager thread without the lock that guards that
    # close, and a close racing with the wake-up logged "OSError: [Errno 9] Bad file descriptor"
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=_MANAGER_JOIN_SECONDS)


def _discard_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    _kill(pool)


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


def stop() -> None:
    """The process is stopping: running mapping gives up (Interrupted) and the workers go."""
    limits.stopping.set()
    _discard_pool()


atexit.register(shutdown)


def map_batches(context: Context, batches: Iterable[list[MessageJob]], workers: int
                ) -> Iterator[list[MessageResult]]:
    """The results of each batch, in the batches' order: in `workers` processes, or in-process
    when `workers` is 0. Batches are pulled from `batches` only as workers become free. The
    limits of the current processing (`hub.ingest.limits`) apply."""
    pool = _get_pool(workers, limits.current().memory_mb) if workers > 0 and not _disabled else None
    if pool is None:
        for jobs in batches:
            limits.check()
            yield work(context, jobs, keep_documents=True)
        return
    in_flight: deque[Future[list[tuple[Any, ...]]]] = deque()
    try:
        for jobs in batches:
            limits.check()
            in_flight.append(_submit(pool, context, jobs, idle=not in_flight))
            if len(in_flight) > workers:
                yield _result(in_flight.popleft())
        while in_flight:
            yield _result(in_flight.popleft())
    except (limits.ProcessingLimit, Interrupted):
        _discard_pool()  # its workers may be stuck in a batch, or dead
        raise
    finally:
        for future in in_flight:
            future.cancel()


def _submit(pool: ProcessPoolExecutor, context: Context, jobs: list[MessageJob], *, idle: bool
            ) -> Future[list[tuple[Any, ...]]]:
    packed = [job.pack() for job in jobs]
    try:
        return pool.submit(work_packed, context, packed)
    except BrokenProcessPool as exc:
        if not idle:  # a worker died during this interchange
            raise _lost(exc) from exc
    # its workers died while it was idle (killed from outside): start afresh
    fresh = _get_pool(pool._max_workers, limits.current().memory_mb)  # type: ignore[attr-defined]
    if fresh is None:
        raise WorkerLost("mapping worker processes cannot start")
    return fresh.submit(work_packed, context, packed)


def _lost(exc: BaseException) -> WorkerLost:
    return WorkerLost("a mapping process stopped unexpectedly (killed, or out of memory)",
                      problems=[Problem(code="WORKER_LOST", message=str(exc))])


def _result(future: Future[list[tuple[Any, ...]]]) -> list[MessageResult]:
    """The batch's results, waiting no longer than the deadline and no longer than the process."""
    while True:
        limits.check()
        left = limits.remaining()
        try:
            packed_results = future.result(
                timeout=_POLL_SECONDS if left is None else max(0.0, min(left, _POLL_SECONDS)))
            break
        except FutureTimeout:
            continue
        except BrokenProcessPool as exc:
            limits.check()  # killed because the process stops: Interrupted, not lost
            raise _lost(exc) from exc
        except MemoryError as exc:
            raise ResourceLimit(
                f"a mapping process ran out of its memory budget "
                f"({limits.current().memory_mb} MiB)") from exc
    return [MessageResult.unpack(packed) for packed in packed_results]
