"""Claims of the Thread recipes page (docs/recipes/threads.md).

``recipe_thread_result``: a plain Thread loses its target's return value and only
prints its exception (threading.excepthook); join() does not raise it; the other
threads go on; a Future (or a queue) hands both back. ``recipe_stop_thread``: a
thread stops only if it looks (a threading.Event), a process can be terminated,
a daemon thread ends only with the program; timed as the seconds from the stop
request to the work having stopped. ``recipe_queue_join``: Queue.join() returns
once task_done() was called for every item; a forgotten task_done() keeps it
waiting. Ending consumers with a sentinel or Queue.shutdown() is claimed on
``queue_shutdown`` (claims/lifecycle.py), which the page shows too.

Every claim but the two timed ones is an observation required in every run.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any, TypeVar

from measured.claims.registry import (
    CHECKED,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    observed,
)
from measured.run import stats
from measured.run.shapes.recipes_threads import (
    DaemonRound,
    ForgottenPart,
    FutureFix,
    JoinPart,
    PlainFailure,
    PlainReturn,
    QueueFix,
    RecipeQueueJoin,
    RecipeStopThread,
    RecipeThreadResult,
)

T = TypeVar("T")
# A stop that works ends the work in at most this share of the time a worker that
# never looks runs on after the same request (per round, paired: both requests come
# after the same steps, so the share does not depend on when the request came). A
# quarter is the weakest figure that still says "stopped, not run to the end".
STOP_MAX_SHARE = 0.25


def _python(evidence: Evidence) -> str:
    return f"Python {evidence.env['python']}"


def _every_run(
    evidence: Evidence, read: Callable[[dict[str, Any]], T], ok: Callable[[T], bool]
) -> tuple[bool, T]:
    """Whether ``ok`` held in every run, and the run to quote (the first miss)."""
    seen = evidence.values(read)
    missed = [value for value in seen if not ok(value)]
    return not missed, (missed or seen)[0]


# --- recipe_thread_result ---------------------------------------------------------


@claim("recipe_thread_result", kind=CHECKED)
def plain_thread_loses_return_value(evidence: Evidence) -> Claim:
    """A plain Thread keeps nothing of what its target returned."""

    def ok(plain: PlainReturn) -> bool:
        return plain["join_returned"] == "None" and not plain["value_kept"]

    holds, plain = _every_run(evidence, lambda r: r["plain"], ok)
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, `join()` returned `None` and the object the "
            "thread's target returned was already gone: nothing kept it.",
            0.0,
        )
    return observed(
        False,
        f"On {_python(evidence)}, the target's return value was NOT lost: `join()` "
        f"returned {plain['join_returned']}, the object still existed: "
        f"{plain['value_kept']}.",
        float(plain["value_kept"]),
    )


@claim("recipe_thread_result", kind=CHECKED)
def thread_exception_only_reaches_excepthook(evidence: Evidence) -> Claim:
    """An exception in a Thread goes to threading.excepthook; join() returns."""

    def ok(failure: PlainFailure) -> bool:
        return (
            failure["hook_got"] == ["ValueError"]
            and failure["printed_last"].startswith("ValueError")
            and failure["join_raised"] == "none"
            and not failure["failed_alive"]
        )

    holds, failure = _every_run(evidence, lambda r: r["failure"], ok)
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, the `ValueError` raised in a thread went to "
            "`threading.excepthook`, which printed it on stderr "
            f"(“{failure['printed_first']}”), and `join()` returned normally: the "
            "code that started the thread never saw the exception.",
            float(len(failure["hook_got"])),
        )
    return observed(
        False,
        f"On {_python(evidence)}, the thread's exception did NOT just go to "
        f"`threading.excepthook`: the hook got {failure['hook_got']}, `join()` "
        f"raised {failure['join_raised']}.",
        float(len(failure["hook_got"])),
    )


@claim("recipe_thread_result", kind=CHECKED)
def other_threads_go_on(evidence: Evidence) -> Claim:
    """The other threads finish their work after one thread died of an exception."""

    def ok(failure: PlainFailure) -> bool:
        others = failure["others"]
        return (
            others > 0
            and failure["others_alive_at_failure"] == others
            and failure["others_finished"] == others
            and failure["others_finished_after_failure"] == others
        )

    holds, failure = _every_run(evidence, lambda r: r["failure"], ok)
    after = failure["others_finished_after_failure"]
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, the {failure['others']} threads working "
            "beside the one that failed were all running when it died, and all "
            "finished their work after that: an exception ends its own thread "
            "only.",
            float(after),
        )
    return observed(
        False,
        f"On {_python(evidence)}, the other threads did NOT all go on after one "
        f"died: {failure['others_alive_at_failure']} of {failure['others']} were "
        f"running when it failed, {after} finished after it.",
        float(after),
    )


@claim("recipe_thread_result", kind=CHECKED)
def future_returns_value_and_reraises(evidence: Evidence) -> Claim:
    """Future.result() returns the value and raises the exception in the caller;
    a queue carries both too."""
    n = evidence.result_as(RecipeThreadResult)["n"]

    def ok(pair: tuple[FutureFix, QueueFix]) -> bool:
        future, via_queue = pair
        return (
            future["value"] == n * n
            and future["same_object"]
            and future["raised"] == "ValueError"
            and future["hook_calls"] == 0
            and via_queue["value"] == n * n
            and via_queue["raised"] == "ValueError"
        )

    holds, (future, via_queue) = _every_run(
        evidence, lambda r: (r["future"], r["queue"]), ok
    )
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, `Future.result()` returned the very object "
            f"the function returned ({future['value']}), and for the failing call "
            f"raised its `{future['raised']}` in the caller (“{future['message']}”), "
            "with nothing printed by `threading.excepthook`. A thread that put its "
            "outcome on a `queue.Queue` handed back both as well.",
            float(future["value"]),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a Future or a queue did NOT hand back both: "
        f"result() gave {future['value']} and raised {future['raised']}, the queue "
        f"gave {via_queue['value']} and {via_queue['raised']}.",
        float(future["value"]),
    )


# --- recipe_stop_thread -------------------------------------------------------------


UNCHECKED = "no check"  # the way whose time after the request is the yardstick


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _ms_interval(seconds: stats.Interval) -> str:
    return stats.Interval(
        seconds.estimate * 1000,
        seconds.low * 1000,
        seconds.high * 1000,
        seconds.n,
        seconds.confidence,
    ).text(" ms", 1)


def _stop_figure(evidence: Evidence, way: str) -> Figure:
    """Per round, ``way``'s time from the request to the work having stopped, as a
    share of the time the worker that never looks ran on after its request."""
    share = evidence.ratio("stop", way, UNCHECKED)  # t_way / t_no_check, per round
    return Figure(
        f"{way} ÷ {UNCHECKED}, per round",
        stats.Interval(
            share.estimate * 100,
            share.low * 100,
            share.high * 100,
            share.n,
            share.confidence,
        ),
        STOP_MAX_SHARE * 100,
        "at most",
        "%",
    )


def _stop_claim(evidence: Evidence, way: str, opening: str) -> Claim:
    """Held against a quarter of the time the unchecked worker ran on: ``opening``
    then the figures' words, the same in both timed verdicts up to the margin."""
    figure = _stop_figure(evidence, way)
    took = evidence.timing("stop", way)
    ran_on = evidence.timing("stop", UNCHECKED)
    reached = (
        f"{opening} {_ms_interval(took)} after the request, while in the same "
        f"rounds a thread that never looks ran on for {_ms_interval(ran_on)} after "
        "its stop request"
    )
    share = f"{figure.interval.text('%', 1)} of that time, per round"
    quarter = f"a quarter of it ({figure.margin:g}%)"
    return judged(
        f"{reached}: {share}, within {quarter}.",
        [figure],
        missed=f"{reached}: {share}, NOT within {quarter}.",
        undecided=f"{reached}.",
    )


@claim("recipe_stop_thread")
def event_stops_the_thread(evidence: Evidence) -> Claim:
    """A worker that checks a threading.Event stops soon after it is set."""

    def ok(result: RecipeStopThread) -> bool:
        return all(done < result["steps"] for done in result["steps_done"]["Event"])

    holds, result = _every_run(evidence, lambda r: r, ok)
    if not holds:
        return observed(
            False,
            f"On {_python(evidence)}, a worker checking a `threading.Event` did NOT "
            "stop before the end of its task in every round (steps done: "
            f"{result['steps_done']['Event']} of {result['steps']}).",
            None,
        )
    return _stop_claim(
        evidence,
        "Event",
        f"On {_python(evidence)}, a worker that checks a `threading.Event` between "
        f"steps of {_ms(result['step'])} stopped",
    )


@claim("recipe_stop_thread", kind=CHECKED)
def thread_without_a_check_runs_on(evidence: Evidence) -> Claim:
    """A thread that never checks anything runs all its steps after the request."""

    def ok(result: RecipeStopThread) -> bool:
        return all(result["alive_after_grace"]["no check"]) and all(
            done == result["steps"] for done in result["steps_done"]["no check"]
        )

    holds, result = _every_run(evidence, lambda r: r, ok)
    alive = result["alive_after_grace"]["no check"]
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, a thread that never checks was still running "
            f"{_ms(result['grace'])} after the stop request in all {len(alive)} "
            f"rounds, and did all {result['steps']} steps of its task: nothing "
            "outside it can stop it.",
            float(sum(alive)),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a thread that never checks was NOT left running: "
        f"still running after the request in {sum(alive)} of {len(alive)} rounds, "
        f"steps done {result['steps_done']['no check']} of {result['steps']}.",
        float(sum(alive)),
    )


@claim("recipe_stop_thread")
def terminate_stops_a_busy_process(evidence: Evidence) -> Claim:
    """Process.terminate() stops work busy in pure Python, with no check at all."""
    term = -signal.SIGTERM

    def ok(result: RecipeStopThread) -> bool:
        codes = result["terminate_exitcodes"]
        return bool(codes) and all(code == term for code in codes)

    holds, result = _every_run(evidence, lambda r: r, ok)
    if not holds:
        return observed(
            False,
            f"On {_python(evidence)}, `terminate()` did NOT end the busy process "
            f"with SIGTERM in every round (exit codes "
            f"{sorted(set(result['terminate_exitcodes']))}).",
            None,
        )
    return _stop_claim(
        evidence,
        "terminate()",
        f"On {_python(evidence)}, `terminate()` ended a process busy in pure Python, "
        f"which checks nothing, with exit code {term} (SIGTERM),",
    )


@claim("recipe_stop_thread", kind=CHECKED)
def daemon_thread_ends_only_with_the_program(evidence: Evidence) -> Claim:
    """A daemon thread runs until the program exits; its finally block never runs."""

    def ok(rounds: list[DaemonRound]) -> bool:
        return bool(rounds) and all(
            r["daemon_alive"] and not r["finally_ran"] and r["exitcode"] == 0
            for r in rounds
        )

    holds, rounds = _every_run(evidence, lambda r: r["daemon"], ok)
    ran = sum(r["finally_ran"] for r in rounds)
    if holds:
        took = evidence.timing("stop", "daemon, at exit").estimate
        return observed(
            True,
            f"On {_python(evidence)}, a daemon thread spinning forever was still "
            f"alive when the main thread returned, in all {len(rounds)} rounds; the "
            f"program then exited normally {_ms(took)} later (median) and the "
            "daemon's `finally:` block never ran.",
            float(len(rounds)),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a daemon thread did NOT just vanish with its "
        f"program: its `finally:` block ran in {ran} of {len(rounds)} rounds, exit "
        f"codes {sorted({r['exitcode'] for r in rounds})}.",
        float(ran),
    )


# --- recipe_queue_join ------------------------------------------------------------


@claim("recipe_queue_join", kind=CHECKED)
def join_returns_once_every_item_is_done(evidence: Evidence) -> Claim:
    """Queue.join() returns once task_done() was called for every item put."""
    items = evidence.result_as(RecipeQueueJoin)["items"]

    def ok(part: JoinPart) -> bool:
        return (
            part["done_when_consumers_started"] < items
            and part["done_when_join_returned"] == items
            and part["unfinished_after"] == 0
        )

    holds, part = _every_run(evidence, lambda r: r["task_done"], ok)
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, the {items} items were queued before the "
            f"consumers started ({part['done_when_consumers_started']} done then), "
            "and `join()`, called next, returned with all "
            f"{part['done_when_join_returned']} done: it waits for a "
            "`task_done()` per item put, the failed item included.",
            float(part["done_when_join_returned"]),
        )
    return observed(
        False,
        f"On {_python(evidence)}, `join()` did NOT wait for every item: "
        f"{part['done_when_consumers_started']} done when the consumers started, "
        "returned with "
        f"{part['done_when_join_returned']} of {items} done.",
        float(part["done_when_join_returned"]),
    )


@claim("recipe_queue_join", kind=CHECKED)
def join_does_not_end_the_consumers(evidence: Evidence) -> Claim:
    """After join(), the consumers still wait in get(); a pill each ends them."""
    consumers = evidence.result_as(RecipeQueueJoin)["consumers"]

    def ok(part: JoinPart) -> bool:
        return (
            part["consumers_alive_after_join"] == consumers
            and part["consumers_exited_after_pills"] == consumers
        )

    holds, part = _every_run(evidence, lambda r: r["task_done"], ok)
    alive = part["consumers_alive_after_join"]
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, every one of the {consumers} consumer threads "
            "was still blocked in `get()` after `join()` returned: `join()` waits "
            "for the work, not for the threads. One poison pill each then ended "
            "them all.",
            float(alive),
        )
    return observed(
        False,
        f"On {_python(evidence)}, the consumers did NOT outlive `join()` and end on "
        f"a pill each: {alive} of {consumers} alive after `join()`, "
        f"{part['consumers_exited_after_pills']} ended by the pills.",
        float(alive),
    )


@claim("recipe_queue_join", kind=CHECKED)
def forgotten_task_done_blocks_join(evidence: Evidence) -> Claim:
    """One task_done() missing: join() waits although every item was taken."""
    result = evidence.result_as(RecipeQueueJoin)
    items, hang = result["items"], result["hang"]

    def ok(part: ForgottenPart) -> bool:
        return (
            part["done"] == items
            and part["join_waiting_after"]
            and part["unfinished"] == 1
            and part["released_after_task_done"]
        )

    holds, part = _every_run(evidence, lambda r: r["forgotten"], ok)
    if holds:
        return observed(
            True,
            f"On {_python(evidence)}, with every one of {items} items taken and "
            "handled but `task_done()` skipped for the one that failed, `join()` "
            f"was still waiting {hang:g} s after the last item was handled "
            f"(`unfinished_tasks` {part['unfinished']}); it would wait forever. "
            "The missing `task_done()` released it.",
            float(part["unfinished"]),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a forgotten `task_done()` did NOT keep `join()` "
        f"waiting: still waiting {part['join_waiting_after']}, unfinished_tasks "
        f"{part['unfinished']}, {part['done']} of {items} items done.",
        float(part["unfinished"]),
    )
