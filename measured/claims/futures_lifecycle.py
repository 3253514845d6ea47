"""Claims of snippets/futures_lifecycle.py: stop, feed and recycle a pool's workers.

Shown on the concurrent.futures page. Every claim is an observation (an exit code,
a count of items pulled, worker PIDs), required in every run. A part the measured
interpreter lacks (Process.interrupt, terminate_workers, kill_workers and
map(buffersize=...) are 3.14+) is not shown, by the machine's nature, with the
version that has it: the reason names the interpreter that was measured.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TypeVar

from measured.claims.registry import (
    MEASURED,
    SHAPE,
    Claim,
    Evidence,
    claim,
    not_shown,
    observed,
)
from measured.run.shapes.coordination import (
    FuturesLifecycle,
    MapPart,
    MapPull,
    PoolStop,
    ProcessStop,
    RecyclePart,
    StopPart,
)

T = TypeVar("T")
EXPERIMENT = "futures_lifecycle"
# What a pool's stop must beat: the stuck task sleeps 30 s (FOREVER in the
# script); a stop that takes a tenth of that did not come from outside.
STOPPED_WITHIN_MS = 3000.0


def needs(version: str, evidence: Evidence) -> str:
    """Why a claim about a newer Python is not shown on the one measured."""
    return (
        f"needs Python {version}+, not measured here (this run used Python "
        f"{evidence.env['python']})"
    )


def _every_run(
    evidence: Evidence,
    read: Callable[[FuturesLifecycle], T],
    ok: Callable[[T], bool],
) -> tuple[bool, T]:
    """Whether ``ok`` held in every run, and the run to quote (the first miss)."""
    seen = [read(run.result) for run in evidence.runs]  # type: ignore[arg-type]
    missed = [value for value in seen if not ok(value)]
    return not missed, (missed or seen)[0]


def _by_how(stops: list[ProcessStop], how: str) -> ProcessStop | None:
    return next((s for s in stops if s["how"] == how), None)


def _way(part: MapPart, prefix: str) -> MapPull | None:
    return next((w for w in part["ways"] if w["way"].startswith(prefix)), None)


def _stop(evidence: Evidence) -> StopPart:
    return evidence.result_as(FuturesLifecycle)["stop"]


def _ms(value: float) -> str:
    return "never" if value < 0 else f"{value:.0f} ms"


@claim(EXPERIMENT, kind=MEASURED)
def terminate_and_kill_stop_a_process(evidence: Evidence) -> Claim:
    """Process.terminate() and kill() end a stuck task; no finally block runs."""
    statement = "`Process.terminate()` and `kill()` end a stuck task from outside."
    if not _stop(evidence)["posix"]:
        return not_shown(statement, "exit codes are signal numbers on POSIX only")
    expected = {"terminate": -signal.SIGTERM, "kill": -signal.SIGKILL}

    def ok(stops: list[ProcessStop]) -> bool:
        return all(
            (s := _by_how(stops, how)) is not None
            and s["started"]
            and s["exitcode"] == code
            and not s["cleaned_up"]
            for how, code in expected.items()
        )

    holds, stops = _every_run(evidence, lambda r: r["stop"]["processes"], ok)
    term, kill = _by_how(stops, "terminate"), _by_how(stops, "kill")
    assert term is not None and kill is not None
    seen = (
        f"exit codes {term['exitcode']} and {kill['exitcode']}, `finally:` ran: "
        f"{term['cleaned_up']} and {kill['cleaned_up']}"
    )
    if holds:
        text = (
            "`Process.terminate()` ended a stuck task (exit code "
            f"{term['exitcode']}, SIGTERM; {_ms(term['stopped_ms'])} in this run) "
            f"and `kill()` did too ({kill['exitcode']}, SIGKILL; "
            f"{_ms(kill['stopped_ms'])}); neither let the task's `finally:` block "
            "run."
        )
    else:
        text = (
            f"`Process.terminate()` and `kill()` did NOT end a stuck task as "
            f"described: {seen}."
        )
    return observed(holds, text, term["stopped_ms"])


@claim(EXPERIMENT, kind=MEASURED)
def interrupt_lets_the_task_clean_up(evidence: Evidence) -> Claim:
    """Process.interrupt() (3.14+) raises KeyboardInterrupt: finally blocks run."""
    statement = (
        "`Process.interrupt()` sends SIGINT: the task gets a `KeyboardInterrupt` "
        "and its `finally:` blocks run."
    )
    stop = _stop(evidence)
    if not stop["interrupt"]:
        return not_shown(statement, needs("3.14", evidence), SHAPE)
    if not stop["posix"]:
        return not_shown(
            statement,
            "interrupt() is documented for POSIX; its behaviour on Windows is "
            "undefined, so it is not called there",
        )

    def ok(stops: list[ProcessStop]) -> bool:
        s = _by_how(stops, "interrupt")
        return (
            s is not None
            and s["started"]
            and s["exitcode"] == 0
            and s["interrupted"]
            and s["cleaned_up"]
        )

    holds, stops = _every_run(evidence, lambda r: r["stop"]["processes"], ok)
    s = _by_how(stops, "interrupt")
    if s is None:
        return observed(False, "`Process.interrupt()` was NOT called.", None)
    if holds:
        text = (
            "`Process.interrupt()` stopped a stuck task "
            f"({_ms(s['stopped_ms'])} in this run): its `except KeyboardInterrupt:` "
            "block reported back, its `finally:` block ran and it exited normally "
            f"(exit code {s['exitcode']})."
        )
    else:
        text = (
            f"`Process.interrupt()` did NOT let the task clean up: exit code "
            f"{s['exitcode']}, `KeyboardInterrupt` caught: {s['interrupted']}, "
            f"`finally:` ran: {s['cleaned_up']}, stopped after "
            f"{_ms(s['stopped_ms'])}."
        )
    return observed(holds, text, s["stopped_ms"])


@claim(EXPERIMENT, kind=MEASURED)
def terminate_workers_stops_a_pool(evidence: Evidence) -> Claim:
    """terminate_workers()/kill_workers() (3.14+): the running task and the tasks
    already in the call queue fail with BrokenProcessPool, the rest are cancelled."""
    statement = (
        "`ProcessPoolExecutor.terminate_workers()` and `kill_workers()` end the "
        "running tasks with `BrokenProcessPool`; queued tasks already in the "
        "pool's call queue (up to `max_workers + 1`) fail the same way, the rest "
        "are cancelled."
    )
    if not _stop(evidence)["terminate_workers"]:
        return not_shown(statement, needs("3.14", evidence), SHAPE)

    def fine(p: PoolStop) -> bool:
        return (
            p["running_task"] == "BrokenProcessPool"
            and 0 <= p["stopped_ms"] < STOPPED_WITHIN_MS
            and all(q in ("cancelled", "BrokenProcessPool") for q in p["queued"])
            and p["queued"][-1] == "cancelled"
            and p["worker_gone"]
            and p["submit_after"] != "accepted"
        )

    def ok(pools: list[PoolStop]) -> bool:
        hows = {p["how"] for p in pools}
        return hows == {"terminate_workers", "kill_workers"} and all(map(fine, pools))

    holds, pools = _every_run(evidence, lambda r: r["stop"]["pools"], ok)
    if not pools:
        return observed(False, "`terminate_workers()` was NOT called.", None)
    worst = max(pools, key=lambda p: p["stopped_ms"])
    parts = "; ".join(
        f"`{p['how']}()`: the running task ended with `{p['running_task']}` after "
        f"{_ms(p['stopped_ms'])}, queued tasks {p['queued']}, worker gone: "
        f"{p['worker_gone']}, a later `submit()`: {p['submit_after']}"
        for p in pools
    )
    if holds:
        text = (
            f"A one-worker pool stuck in a long task stopped at once. {parts}. "
            "Queued tasks already in the pool's call queue failed with "
            "`BrokenProcessPool`; the rest were cancelled."
        )
    else:
        text = f"Stopping a stuck pool did NOT go as described. {parts}."
    return observed(holds, text, worst["stopped_ms"])


@claim(EXPERIMENT, kind=MEASURED)
def map_takes_the_whole_input_first(evidence: Evidence) -> Claim:
    """map() without buffersize pulls every item before it returns; a window of
    submit() calls pulls only its size, on any version."""

    def ok(part: MapPart) -> bool:
        eager, window = _way(part, "map()"), _way(part, "window_map(")
        return (
            eager is not None
            and window is not None
            and eager["pulled_at_return"] == eager["items"]
            and window["pulled_at_first_result"] <= part["window"] + 1
            and eager["all_in_order"]
            and window["all_in_order"]
        )

    holds, part = _every_run(evidence, lambda r: r["map"], ok)
    eager, window = _way(part, "map()"), _way(part, "window_map(")
    if eager is None or window is None:
        return observed(False, "`map()` and `window_map()` were NOT both run.", None)
    if holds:
        text = (
            f"`map()` pulled all **{eager['pulled_at_return']} of {eager['items']}** "
            "input items before it returned, so an endless input never returns. "
            f"`window_map()` with a window of {part['window']}, a generator, had "
            f"pulled {window['pulled_at_return']} when called and "
            f"**{window['pulled_at_first_result']}** by its first result (the "
            "window, and the next item submitted before it waits). Both gave every "
            "result in input order."
        )
    else:
        text = (
            f"`map()` pulled {eager['pulled_at_return']} of {eager['items']} items "
            f"before returning and the window {window['pulled_at_first_result']}: "
            "NOT the whole input against the window's size."
        )
    return observed(holds, text, float(eager["pulled_at_return"]))


@claim(EXPERIMENT, kind=MEASURED)
def buffersize_bounds_what_map_takes(evidence: Evidence) -> Claim:
    """map(buffersize=n) (3.14+) takes n items when called, and one more each time
    the next result is asked for, before waiting for it: n+1 in flight."""
    statement = (
        "`map(..., buffersize=n)` takes n items when called, then one more each "
        "time you ask for the next result, before waiting for it."
    )
    if not evidence.result_as(FuturesLifecycle)["map"]["buffersize"]:
        return not_shown(statement, needs("3.14", evidence), SHAPE)

    def ok(part: MapPart) -> bool:
        way = _way(part, "map(buffersize")
        return (
            way is not None
            and way["pulled_at_return"] == part["window"]
            and way["pulled_at_first_result"] <= part["window"] + 1
            and way["all_in_order"]
        )

    holds, part = _every_run(evidence, lambda r: r["map"], ok)
    way = _way(part, "map(buffersize")
    if way is None:
        return observed(False, "`map(buffersize=...)` was NOT run.", None)
    n, at_first = way["pulled_at_return"], way["pulled_at_first_result"]
    if holds:
        text = (
            f"`map(..., buffersize={part['window']})` pulled **{n} of "
            f"{way['items']}** items before it returned and **{at_first}** by its "
            "first result, and still gave every result in input order."
        )
    else:
        text = (
            f"`map(..., buffersize={part['window']})` pulled {n} items before it "
            f"returned and {at_first} by its first result: NOT bounded by "
            "buffersize."
        )
    return observed(holds, text, float(n))


@claim(EXPERIMENT, kind=MEASURED)
def max_tasks_per_child_replaces_workers(evidence: Evidence) -> Claim:
    """max_tasks_per_child=n (3.11+): each worker runs n tasks, then a fresh one
    replaces it; the fork start method refuses it."""

    def ok(r: RecyclePart) -> bool:
        counts = [r["pids"].count(pid) for pid in set(r["pids"])]
        return (
            len(r["pids"]) == r["tasks"]
            and len(counts) == r["tasks"] // r["per_child"]
            and all(c == r["per_child"] for c in counts)
            and (r["fork_refused"] != "" or not r["fork_available"])
            and r["start_method"] != "fork"
        )

    holds, r = _every_run(evidence, lambda res: res["recycle"], ok)
    workers = len(set(r["pids"]))
    refused = (
        " With the fork start method the pool refused it (`ValueError`)."
        if r["fork_refused"]
        else ""
    )
    if holds:
        text = (
            f"With `max_tasks_per_child={r['per_child']}`, {r['tasks']} tasks on a "
            f"one-worker pool ran in **{workers} worker processes** (PIDs changed "
            f"every {r['per_child']} tasks). Given no `mp_context`, the pool used "
            f"the `{r['start_method']}` start method.{refused}"
        )
    else:
        text = (
            f"With `max_tasks_per_child={r['per_child']}`, {r['tasks']} tasks ran in "
            f"{workers} worker processes: NOT a fresh worker every "
            f"{r['per_child']} tasks, or fork did not refuse it (start method: "
            f"{r['start_method']})."
        )
    return observed(holds, text, float(workers))
