"""Contradicting inputs for the futures, asyncio and many-connections claims.

The claims live in measured/claims_coordination.py (sections futures_api,
broken_pool, futures_compare, asyncio_basics, asyncio_blocking, many_connections).
Each function takes the real evidence and changes what was measured or observed so
that the claim's statement becomes false.
"""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence

from . import contradicts, each_result, like, set_samples

# --- futures_api ------------------------------------------------------------------


@contradicts("map_keeps_order_as_completed_does_not")
def map_in_completion_order(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["orders"]["map"] = sorted(r["orders"]["submitted"])

    return each_result(evidence, edit)


@contradicts("timeout_does_not_stop_the_task")
def timeout_stopped_the_task(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["timeout"]["still_running"] = False

    return each_result(evidence, edit)


@contradicts("cancel_only_stops_queued_tasks")
def running_task_cancelled(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["cancel"]["cancel_returned"] = [True, True, True, True]

    return each_result(evidence, edit)


@contradicts("worker_exception_reaches_caller")
def exception_lost_its_traceback(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["exceptions"]["exception"] = "BrokenProcessPool('gone')"
        r["exceptions"]["remote_traceback_lines"] = []

    return each_result(evidence, edit)


@contradicts("initializer_runs_once_per_worker")
def initializer_ran_twice(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["initializer"]["init_calls_per_worker"] = [1, 2]

    return each_result(evidence, edit)


@contradicts("spawn_starts_slower_than_fork")
def spawn_nearly_as_fast_as_fork(evidence: Evidence) -> Evidence:
    return set_samples(
        evidence, lambda r: r["start_methods"], "spawn", like("fork", 1.5)
    )


# --- broken_pool ------------------------------------------------------------------


@contradicts("exception_leaves_pool_working")
def exception_broke_the_pool(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        r["after_exception"]["next_task"] = "BrokenProcessPool"

    return each_result(evidence, edit)


@contradicts("dead_worker_breaks_pool")
def pool_survived_a_dead_worker(evidence: Evidence) -> Evidence:
    def edit(r: dict[str, Any]) -> None:
        crash = r["after_crash"]
        crash["pending_tasks"] = ["ok"] * len(crash["pending_tasks"])
        crash["new_submit"] = "accepted"

    return each_result(evidence, edit)


# --- futures_compare --------------------------------------------------------------


def _workload(name: str) -> Any:
    return lambda r: r["workloads"][name]["rounds"]


@contradicts("both_pools_overlap_waiting")
def process_pool_waited_one_after_another(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _workload("waiting"), "processes", like("serial"))


@contradicts("processes_speed_up_cpu")
def process_pool_as_slow_as_serial(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _workload("CPU"), "processes", like("serial"))


@contradicts("threads_do_not_speed_up_cpu")
def thread_pool_twice_as_fast(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _workload("CPU"), "threads", like("serial", 0.5))


@contradicts("process_tasks_cost_more")
def process_tasks_cost_the_same(evidence: Evidence) -> Evidence:
    maps = evidence.result["workloads"]["tiny"]["maps_per_round"]
    same_per_task = maps["processes"] / maps["threads"]
    return set_samples(
        evidence, _workload("tiny"), "processes", like("threads", same_per_task)
    )
