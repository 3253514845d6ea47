"""Contradicting inputs for the claims of docs/recipes/pools.md."""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence

from . import contradicts, each_result, set_samples

# --- recipe_map_args ------------------------------------------------------------


@contradicts("several_argument_forms_agree")
def partial_gave_other_results(evidence: Evidence) -> Evidence:
    """As if the partial form had dropped an argument: its results differ."""

    def edit(r: dict[str, Any]) -> None:
        form = next(f for f in r["forms"] if "partial" in f)
        r["forms"][form] = [x + 1 for x in r["forms"][form]]

    return each_result(evidence, edit)


@contradicts("pool_map_takes_one_iterable")
def pool_map_accepted_two_iterables(evidence: Evidence) -> Evidence:
    """As if Pool.map(f, xs, ys) had run without an error."""

    def edit(r: dict[str, Any]) -> None:
        r["pool_map_two_iterables"] = {"type": "", "message": "no error"}

    return each_result(evidence, edit)


# --- recipe_progress ------------------------------------------------------------


@contradicts("bar_advances_once_per_task")
def bar_missed_the_last_task(evidence: Evidence) -> Evidence:
    """As if the threads' bar had stopped one short of the total."""

    def edit(r: dict[str, Any]) -> None:
        counts = r["runs"][0]["counts"]
        counts[-1] = counts[-2]

    return each_result(evidence, edit)


@contradicts("tasks_finish_out_of_submission_order")
def processes_came_back_in_order(evidence: Evidence) -> Evidence:
    """As if imap_unordered had yielded the tasks in the order they were submitted."""

    def edit(r: dict[str, Any]) -> None:
        run = next(run for run in r["runs"] if run["way"] == "processes")
        run["finished"] = list(range(r["tasks"]))

    return each_result(evidence, edit)


# --- recipe_pool_lock -----------------------------------------------------------


@contradicts("lock_argument_is_refused")
def spawn_pickled_the_lock(evidence: Evidence) -> Evidence:
    """As if, under spawn, the lock had gone through submit without an error."""

    def edit(r: dict[str, Any]) -> None:
        r["refused"]["spawn"] = [{"call": "submit", "type": "", "message": "no error"}]

    return each_result(evidence, edit)


@contradicts("every_fix_counts_right")
def manager_lost_updates(evidence: Evidence) -> Evidence:
    """As if the Manager's counter had lost some increments."""

    def edit(r: dict[str, Any]) -> None:
        way = next(w for w in r["totals"] if w.startswith("Manager"))
        r["totals"][way] -= 3

    return each_result(evidence, edit)


@contradicts("manager_lock_costs_far_more")
def manager_lock_only_twice_as_slow(evidence: Evidence) -> Evidence:
    """A Manager lock per acquire + release at 2x a plain lock's, round by round."""
    pairs = evidence.result["pairs"]
    per_op = pairs["Manager().Lock()"] / pairs["multiprocessing.Lock"]
    return set_samples(
        evidence,
        lambda r: r["lock_rounds"],
        "Manager().Lock()",
        lambda _old, samples: [2 * per_op * x for x in samples["multiprocessing.Lock"]],
    )


# --- recipe_worker_recycle ------------------------------------------------------


@contradicts("recycled_pools_replace_workers")
def maxtasksperchild_ignored(evidence: Evidence) -> Evidence:
    """As if Pool(maxtasksperchild=n) had kept its first worker for every task."""

    def edit(r: dict[str, Any]) -> None:
        run = next(x for x in r["runs"] if x["pool"] == "Pool" and x["per_child"])
        run["pids"] = [run["pids"][0]] * len(run["pids"])

    return each_result(evidence, edit)


@contradicts("recycling_caps_a_leak")
def recycled_worker_kept_growing(evidence: Evidence) -> Evidence:
    """As if the executor's recycled worker had kept every leak: RSS climbs."""

    def edit(r: dict[str, Any]) -> None:
        run = next(x for x in r["runs"] if x["pool"] == "ProcessPoolExecutor")
        first = run["rss_mb"][0]
        run["rss_mb"] = [first + i * r["leak_mb"] for i in range(len(run["rss_mb"]))]

    return each_result(evidence, edit)


@contradicts("pool_workers_cannot_start_pools")
def pool_worker_started_a_pool(evidence: Evidence) -> Evidence:
    """As if a Pool worker's inner pool had run."""

    def edit(r: dict[str, Any]) -> None:
        nested = next(n for n in r["nested"] if n["outer"] == "Pool")
        nested.update(ok=True, value=r["nested_expected"], type="", message="")

    return each_result(evidence, edit)


@contradicts("executor_workers_can_start_pools")
def executor_worker_refused_a_pool(evidence: Evidence) -> Evidence:
    """As if the executor's worker had been daemonic and refused the inner pool."""

    def edit(r: dict[str, Any]) -> None:
        nested = next(n for n in r["nested"] if n["outer"] == "ProcessPoolExecutor")
        nested.update(
            worker_daemon=True,
            ok=False,
            value=0,
            type="AssertionError",
            message="daemonic processes are not allowed to have children",
        )

    return each_result(evidence, edit)
