"""Write-behind: steps run in the order given, one at a time; threaded, the caller goes on while a step
runs; a step's error reaches the caller and stops the steps after it; and the block never ends (so
its transaction is never rolled back or committed) while a step still runs."""

from __future__ import annotations

import contextvars
import threading

import pytest

from hub.write_behind import WriteBehind

WAIT = 10  # seconds: a step or a caller that waits longer than this has hung


@pytest.mark.parametrize("threaded", [False, True])
def test_steps_run_one_at_a_time_in_the_order_given(threaded: bool) -> None:
    done: list[int] = []
    with WriteBehind(threaded) as writes:
        for n in range(20):
            writes.submit(done.append, n)
    assert done == list(range(20))


def test_inline_steps_run_at_submit() -> None:
    done: list[str] = []
    with WriteBehind(threaded=False) as writes:
        writes.submit(done.append, "first")
        assert done == ["first"]


def test_threaded_the_caller_goes_on_while_a_step_runs_and_wait_returns_once_it_is_done() -> None:
    caller_went_on, step_ended = threading.Event(), threading.Event()
    seen: list[str] = []

    def step() -> None:
        assert caller_went_on.wait(WAIT), "the caller waited for the step to end"
        seen.append(threading.current_thread().name)
        step_ended.set()

    with WriteBehind(threaded=True) as writes:
        writes.submit(step)
        caller_went_on.set()  # reached only because submit did not run the step itself
        writes.wait()
        assert step_ended.is_set()
    assert seen[0].startswith("write-behind") and seen[0] != threading.current_thread().name


@pytest.mark.parametrize("threaded", [False, True])
def test_a_failed_step_reaches_the_caller_and_no_step_runs_after_it(threaded: bool) -> None:
    done: list[int] = []

    def fail() -> None:
        raise ValueError("row 3 refused")

    with pytest.raises(ValueError, match="row 3 refused"), WriteBehind(threaded) as writes:
        writes.submit(done.append, 1)
        writes.submit(fail)
        writes.submit(done.append, 2)  # raises here (threaded) or at the line before (inline)
    assert done == [1]


def test_a_failed_last_step_is_raised_at_the_end_of_the_block() -> None:
    def fail() -> None:
        raise ValueError("the last part refused")

    with pytest.raises(ValueError, match="last part"), WriteBehind(threaded=True) as writes:
        writes.submit(fail)


def test_when_the_caller_fails_the_block_ends_only_after_the_running_step() -> None:
    release, ended = threading.Event(), threading.Event()

    def slow_step() -> None:
        release.wait(WAIT)
        ended.set()

    def let_go_soon() -> None:
        threading.Timer(0.2, release.set).start()

    with pytest.raises(KeyError), WriteBehind(threaded=True) as writes:
        writes.submit(slow_step)
        let_go_soon()
        raise KeyError("the caller's own error")  # wins over nothing: the step succeeds
    assert ended.is_set()  # the step ended before the error left the block


def test_a_threaded_step_sees_the_callers_context_variables() -> None:
    actor: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default="nobody")
    seen: list[str] = []
    actor.set("system:reconciliation")
    with WriteBehind(threaded=True) as writes:
        writes.submit(lambda: seen.append(actor.get()))
    assert seen == ["system:reconciliation"]
