"""Claims of the Pool recipes page (docs/recipes/pools.md).

Most are observations (results, an error's type and message, worker PIDs, a
worker's memory), required in every run. One is timed: what a Manager's lock
costs per acquire and release against a ``multiprocessing.Lock``, judged by the
one rule with an order-of-magnitude margin.
"""

from __future__ import annotations

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
from measured.run.shapes.recipes_pools import (
    MapArgs,
    Nested,
    RecipePoolLock,
    RecipeProgress,
    Recycled,
    WorkerRecycle,
)

T = TypeVar("T")

# A Manager lock is a proxy: every acquire and every release is a round trip to the
# manager process; a multiprocessing.Lock is a semaphore in shared memory (the
# figures are in the verdict, not here). The statement is "an order of magnitude
# or more": 10x, on reasoning (a round trip between processes against a semaphore
# operation in the calling process), not fitted to a measured figure.
MANAGER_LOCK_MIN_RATIO = 10.0
# The no-limit worker keeps every leak: its RSS must have grown by at least this
# share of what the tasks kept after the first (8 MB each, resident: written).
GROWN_SHARE = 0.75
# A recycled worker keeps at most per_child leaks; its RSS may wander by half a
# leak on top (allocator, page cache) and still show the reset.
SLACK_LEAKS = 0.5


def _first_failing(
    evidence: Evidence, ok: Callable[[Any], bool]
) -> tuple[bool, dict[str, Any]]:
    """Whether ``ok`` held in every run, and the result to quote (the first miss)."""
    results = [run.result for run in evidence.runs]
    missed = [r for r in results if not ok(r)]
    return not missed, (missed or results)[0]


# --- recipe_map_args ------------------------------------------------------------


def _forms_agree(r: MapArgs) -> bool:
    return (
        len(r["forms"]) == 3
        and all(got == r["expected"] for got in r["forms"].values())
        and bool(r["worker_pids"])
        and r["parent_pid"] not in r["worker_pids"]
    )


@claim("recipe_map_args", kind=CHECKED)
def several_argument_forms_agree(evidence: Evidence) -> Claim:
    """map with several iterables, starmap and partial give the loop's results."""
    holds, r = _first_failing(evidence, _forms_agree)
    forms = ", ".join(f"`{form}`" for form in r["forms"])
    n = len(r["expected"])
    if holds:
        text = (
            f"In a {r['workers']}-worker process pool, {forms} returned the same "
            f"{n} results, in input order, as a plain loop."
        )
    else:
        differ = [f"`{f}`" for f, got in r["forms"].items() if got != r["expected"]]
        text = (
            f"In a process pool, {forms} did NOT all return the plain loop's "
            f"{n} results from worker processes (different: "
            f"{', '.join(differ) or 'none'}; worker PIDs {r['worker_pids']}, "
            f"parent {r['parent_pid']})."
        )
    return observed(holds, text, float(len(r["forms"])))


def _trap_ok(r: MapArgs) -> bool:
    return r["pool_map_two_iterables"]["type"] == "TypeError"


@claim("recipe_map_args", kind=CHECKED)
def pool_map_takes_one_iterable(evidence: Evidence) -> Claim:
    """Pool.map(f, xs, ys) raises TypeError (its third parameter is chunksize)."""
    holds, r = _first_failing(evidence, _trap_ok)
    trap = r["pool_map_two_iterables"]
    if holds:
        text = (
            "`Pool.map(f, xs, ys)` raised `TypeError` before any task ran: its "
            "third parameter is `chunksize`, not a second iterable."
        )
    else:
        raised = f"`{trap['type']}`" if trap["type"] else "nothing"
        text = f"`Pool.map(f, xs, ys)` raised {raised}, NOT `TypeError`."
    return observed(holds, text, 1.0 if holds else 0.0)


# --- recipe_progress ------------------------------------------------------------


def _counts_ok(r: RecipeProgress) -> bool:
    n = r["tasks"]
    return len(r["runs"]) == 3 and all(
        run["counts"] == list(range(1, n + 1))
        and sorted(run["finished"]) == list(range(n))
        for run in r["runs"]
    )


@claim("recipe_progress", kind=CHECKED)
def bar_advances_once_per_task(evidence: Evidence) -> Claim:
    """The bar's count rose by one per finished task and reached the total."""
    holds, r = _first_failing(evidence, _counts_ok)
    ways = ", ".join(run["way"] for run in r["runs"])
    if holds:
        text = (
            f"With {ways}, the bar's count rose by one as each task finished and "
            f"reached **{r['tasks']} of {r['tasks']}**."
        )
    else:
        counts = "; ".join(f"{run['way']} {run['counts']}" for run in r["runs"])
        text = (
            f"The bar did NOT count each of the {r['tasks']} tasks once: its count "
            f"after each finished task read {counts}."
        )
    last = min((run["counts"][-1] if run["counts"] else 0) for run in r["runs"])
    return observed(holds, text, float(last))


def _out_of_order(r: RecipeProgress) -> bool:
    submitted = list(range(r["tasks"]))
    return len(r["runs"]) == 3 and all(
        run["finished"] != submitted for run in r["runs"]
    )


@claim("recipe_progress", kind=CHECKED)
def tasks_finish_out_of_submission_order(evidence: Evidence) -> Claim:
    """as_completed and imap_unordered yield tasks as they finish, not as submitted."""
    holds, r = _first_failing(evidence, _out_of_order)
    orders = "; ".join(f"{run['way']} `{run['finished']}`" for run in r["runs"])
    if holds:
        text = (
            "Submitted as `0` to "
            f"`{r['tasks'] - 1}`, the first the longest, the tasks came back in "
            f"the order they finished: {orders}."
        )
    else:
        text = (
            "The tasks came back in the order they were submitted for at least one "
            f"way, NOT as they finished: {orders}."
        )
    return observed(holds, text, 1.0 if holds else 0.0)


# --- recipe_pool_lock -----------------------------------------------------------


def _refused_ok(r: RecipePoolLock) -> bool:
    return (
        "fork" in r["refused"]
        and "spawn" in r["refused"]
        and all(
            seen["type"] == "RuntimeError" and "through inheritance" in seen["message"]
            for calls in r["refused"].values()
            for seen in calls
        )
        and all(calls for calls in r["refused"].values())
    )


@claim("recipe_pool_lock", kind=CHECKED)
def lock_argument_is_refused(evidence: Evidence) -> Claim:
    """A multiprocessing.Lock as a task argument raises RuntimeError (inheritance),
    under fork and under spawn."""
    holds, r = _first_failing(evidence, _refused_ok)
    calls = [(method, seen) for method, seen_ in r["refused"].items() for seen in seen_]
    where = ", ".join(f"{seen['call']}() under {method}" for method, seen in calls)
    if holds:
        message = calls[0][1]["message"]
        text = (
            f"A `multiprocessing.Lock` given as a task argument raised "
            f'a `RuntimeError` saying "{message}" ({where}).'
        )
    else:
        seen_ = "; ".join(
            f"{seen['call']}() under {method}: {seen['type'] or 'no error'}"
            for method, seen in calls
        )
        text = (
            "A `multiprocessing.Lock` given as a task argument did NOT raise the "
            f"inheritance `RuntimeError` under both fork and spawn: {seen_}."
        )
    return observed(holds, text, float(len(calls)))


def _totals_ok(r: RecipePoolLock) -> bool:
    right = r["tasks"] * r["steps"]
    return len(r["totals"]) == 3 and all(t == right for t in r["totals"].values())


@claim("recipe_pool_lock", kind=CHECKED)
def every_fix_counts_right(evidence: Evidence) -> Claim:
    """initargs, a Manager, and returned values all reach tasks x steps."""
    holds, r = _first_failing(evidence, _totals_ok)
    right = r["tasks"] * r["steps"]
    totals = "; ".join(f"`{way}` {total}" for way, total in r["totals"].items())
    if holds:
        text = (
            f"All three fixes counted to **{right}** ({r['tasks']} tasks × "
            f"{r['steps']} increments, {r['workers']} workers): {totals}."
        )
    else:
        text = f"The fixes did NOT all count to {right}: {totals}."
    return observed(holds, text, float(min(r["totals"].values(), default=0)))


def _per_op_ratio(evidence: Evidence) -> stats.Interval:
    """Per round: a Manager lock's acquire + release over a plain lock's."""
    pairs = evidence.result_as(RecipePoolLock)["pairs"]
    times = evidence.ratio(
        "lock_rounds", "Manager().Lock()", "multiprocessing.Lock"
    )  # t_manager / t_plain, for different counts of pairs
    factor = pairs["multiprocessing.Lock"] / pairs["Manager().Lock()"]
    return stats.Interval(
        times.estimate * factor,
        times.low * factor,
        times.high * factor,
        times.n,
        times.confidence,
    )


def manager_lock_us(evidence: Evidence) -> float:
    """A Manager lock's acquire + release, µs (pooled median), for the statement."""
    pairs = evidence.result_as(RecipePoolLock)["pairs"]["Manager().Lock()"]
    return evidence.timing("lock_rounds", "Manager().Lock()").estimate / pairs * 1e6


@claim("recipe_pool_lock")
def manager_lock_costs_far_more(evidence: Evidence) -> Claim:
    """A Manager lock's acquire + release costs 10x a plain one's, or more."""
    figure = Figure(
        "Manager().Lock() vs multiprocessing.Lock, per acquire + release",
        _per_op_ratio(evidence),
        MANAGER_LOCK_MIN_RATIO,
        "at least",
    )
    ratio = figure.interval.estimate
    pinned = (
        " (this process and the manager pinned to one core)"
        if evidence.result_as(RecipePoolLock)["pinned_to_one_core"]
        else ""
    )
    cost = f"**{manager_lock_us(evidence):,.0f} µs** per acquire and release{pinned}"
    return judged(
        f"A `Manager().Lock()` cost {cost}, **{ratio:,.0f}×** a "
        "`multiprocessing.Lock`: every call is a round trip to the manager process.",
        [figure],
        missed=f"A `Manager().Lock()` cost {cost}, only **{ratio:,.1f}×** a "
        "`multiprocessing.Lock`: NOT an order of magnitude more.",
        undecided="Whether a `Manager().Lock()` costs an order of magnitude more "
        "than a `multiprocessing.Lock` per acquire and release.",
    )


# --- recipe_worker_recycle ------------------------------------------------------


def _run(r: WorkerRecycle, pool: str, limited: bool) -> Recycled | None:
    return next(
        (
            run
            for run in r["runs"]
            if run["pool"] == pool and (run["per_child"] is not None) == limited
        ),
        None,
    )


def _replaced_every(run: Recycled, tasks: int) -> bool:
    n = run["per_child"] or tasks
    counts = [run["pids"].count(pid) for pid in dict.fromkeys(run["pids"])]
    return len(run["pids"]) == tasks and counts == [n] * (tasks // n)


def _recycled_ok(r: WorkerRecycle) -> bool:
    runs = [
        _run(r, "Pool", False),
        _run(r, "Pool", True),
        _run(r, "ProcessPoolExecutor", True),
    ]
    return all(run is not None and _replaced_every(run, r["tasks"]) for run in runs)


def _workers(run: Recycled | None) -> int:
    return len(set(run["pids"])) if run else 0


@claim("recipe_worker_recycle", kind=CHECKED)
def recycled_pools_replace_workers(evidence: Evidence) -> Claim:
    """maxtasksperchild (Pool) and max_tasks_per_child (executor): a new worker PID
    every n tasks; without a limit, one worker ran everything."""
    holds, r = _first_failing(evidence, _recycled_ok)
    plain = _run(r, "Pool", False)
    pool, executor = _run(r, "Pool", True), _run(r, "ProcessPoolExecutor", True)
    n = r["per_child"]
    seen = (
        f"{r['tasks']} tasks on a one-worker pool ran in {_workers(plain)} worker "
        f"process{'es' if _workers(plain) != 1 else ''} without a limit, in "
        f"**{_workers(pool)}** with "
        f"`Pool(maxtasksperchild={n})` and in **{_workers(executor)}** with "
        f"`ProcessPoolExecutor(max_tasks_per_child={n})`"
    )
    if holds:
        text = f"{seen}: a fresh worker every {n} tasks."
    else:
        text = f"{seen}: NOT one worker without a limit and a fresh one every {n}."
    return observed(holds, text, float(_workers(pool)))


def _grown(run: Recycled) -> float:
    return run["rss_mb"][-1] - run["rss_mb"][0]


def _spread(run: Recycled) -> float:
    return max(run["rss_mb"]) - min(run["rss_mb"])


def _memory_ok(r: WorkerRecycle) -> bool:
    plain = _run(r, "Pool", False)
    recycled = [_run(r, "Pool", True), _run(r, "ProcessPoolExecutor", True)]
    leak, n = r["leak_mb"], r["per_child"]
    return (
        plain is not None
        and _grown(plain) >= GROWN_SHARE * (r["tasks"] - 1) * leak
        and all(
            run is not None and _spread(run) <= (n - 1 + SLACK_LEAKS) * leak
            for run in recycled
        )
    )


@claim("recipe_worker_recycle", kind=CHECKED)
def recycling_caps_a_leak(evidence: Evidence) -> Claim:
    """A leaking task's worker grows without a limit; recycled, its RSS resets."""
    holds, r = _first_failing(evidence, _memory_ok)
    plain = _run(r, "Pool", False)
    recycled = [
        run
        for run in (_run(r, "Pool", True), _run(r, "ProcessPoolExecutor", True))
        if run
    ]
    leak, n = r["leak_mb"], r["per_child"]
    grew = _grown(plain) if plain else 0.0
    spreads = ", ".join(f"{_spread(run):.0f} MB ({run['pool']})" for run in recycled)
    if holds:
        text = (
            f"A task keeping {leak} MB per call grew its only worker by **{grew:.0f} "
            f"MB** over {r['tasks']} tasks; with a fresh worker every {n} tasks the "
            f"worker's RSS stayed within {spreads} of its low: it fell back at each "
            "new worker."
        )
    else:
        text = (
            f"A task keeping {leak} MB per call grew its only worker by {grew:.0f} "
            f"MB over {r['tasks']} tasks, and recycled workers spread over "
            f"{spreads}: recycling did NOT reset the leak as described."
        )
    return observed(holds, text, grew)


def _nested(r: WorkerRecycle, outer: str) -> Nested | None:
    return next((n for n in r["nested"] if n["outer"] == outer), None)


def _daemon_refused(r: WorkerRecycle) -> bool:
    n = _nested(r, "Pool")
    return (
        n is not None
        and n["worker_daemon"]
        and not n["ok"]
        and n["type"] == "AssertionError"
        and "daemonic processes are not allowed to have children" in n["message"]
    )


@claim("recipe_worker_recycle", kind=CHECKED)
def pool_workers_cannot_start_pools(evidence: Evidence) -> Claim:
    """A multiprocessing.Pool worker is daemonic: a pool started inside it fails."""
    holds, r = _first_failing(evidence, _daemon_refused)
    n = _nested(r, "Pool")
    if n is None:
        return observed(False, "A pool inside a `Pool` worker was NOT tried.", None)
    if holds:
        text = (
            "A task that started `multiprocessing.Pool(2)` inside a `Pool` worker "
            f"(daemon: {n['worker_daemon']}) failed with `{n['type']}` saying "
            f'"{n["message"]}".'
        )
    else:
        outcome = f"ran (sum {n['value']})" if n["ok"] else f"raised `{n['type']}`"
        text = (
            f"A pool started inside a `Pool` worker (daemon: {n['worker_daemon']}) "
            f"{outcome}: NOT the daemonic-processes error."
        )
    return observed(holds, text, 1.0 if holds else 0.0)


def _executor_nests(r: WorkerRecycle) -> bool:
    n = _nested(r, "ProcessPoolExecutor")
    return (
        n is not None
        and not n["worker_daemon"]
        and n["ok"]
        and n["value"] == r["nested_expected"]
    )


@claim("recipe_worker_recycle", kind=CHECKED)
def executor_workers_can_start_pools(evidence: Evidence) -> Claim:
    """A ProcessPoolExecutor worker is not daemonic: a pool inside it runs."""
    holds, r = _first_failing(evidence, _executor_nests)
    n = _nested(r, "ProcessPoolExecutor")
    if n is None:
        return observed(
            False, "A pool inside a `ProcessPoolExecutor` worker was NOT tried.", None
        )
    if holds:
        text = (
            "The same task in a `ProcessPoolExecutor` worker (daemon: "
            f"{n['worker_daemon']}) ran its inner pool and returned "
            f"**{n['value']}**, the right sum."
        )
    else:
        outcome = (
            f"returned {n['value']} (expected {r['nested_expected']})"
            if n["ok"]
            else f'failed with `{n["type"]}` saying "{n["message"]}"'
        )
        text = (
            "The same task in a `ProcessPoolExecutor` worker (daemon: "
            f"{n['worker_daemon']}) {outcome}: the executor's worker could NOT "
            "run a pool of its own."
        )
    return observed(holds, text, float(n["value"]))
