"""Contradicting inputs for the futures, asyncio and many-connections claims.

The claims live in measured/claims/coordination.py (sections futures_api,
broken_pool, futures_compare, asyncio_basics, asyncio_blocking, many_connections).
Each function takes the real evidence and changes what was measured or observed so
that the claim's statement becomes false.
"""

from __future__ import annotations

from collections.abc import Callable

from measured.claims import Evidence
from measured.claims import coordination as cc
from measured.run.shapes import coordination as shape
from measured.run.shapes.common import RoundsRecord

from . import contradicts, each_result, like, samples_like, scaled, set_samples

# --- futures_api ------------------------------------------------------------------


@contradicts("map_keeps_order_as_completed_does_not")
def map_in_completion_order(evidence: Evidence) -> Evidence:
    def edit(r: shape.FuturesApi) -> None:
        r["orders"]["map"] = sorted(r["orders"]["submitted"])

    return each_result(evidence, edit)


@contradicts("timeout_does_not_stop_the_task")
def timeout_stopped_the_task(evidence: Evidence) -> Evidence:
    def edit(r: shape.FuturesApi) -> None:
        r["timeout"]["still_running"] = False

    return each_result(evidence, edit)


@contradicts("cancel_only_stops_queued_tasks")
def running_task_cancelled(evidence: Evidence) -> Evidence:
    def edit(r: shape.FuturesApi) -> None:
        r["cancel"]["cancel_returned"] = [True, True, True, True]

    return each_result(evidence, edit)


@contradicts("worker_exception_reaches_caller")
def exception_lost_its_traceback(evidence: Evidence) -> Evidence:
    def edit(r: shape.FuturesApi) -> None:
        r["exceptions"]["exception"] = "BrokenProcessPool('gone')"
        r["exceptions"]["remote_traceback_lines"] = []

    return each_result(evidence, edit)


@contradicts("initializer_runs_once_per_worker")
def initializer_ran_twice(evidence: Evidence) -> Evidence:
    def edit(r: shape.FuturesApi) -> None:
        r["initializer"]["init_calls_per_worker"] = [1, 2]

    return each_result(evidence, edit)


def _start_methods(r: shape.FuturesApi) -> RoundsRecord:
    return r["start_methods"]


samples_like("spawn_starts_slower_than_fork", _start_methods, "spawn", "fork", 1.5)


# --- broken_pool ------------------------------------------------------------------


@contradicts("exception_leaves_pool_working")
def exception_broke_the_pool(evidence: Evidence) -> Evidence:
    def edit(r: shape.BrokenPool) -> None:
        r["after_exception"]["next_task"] = "BrokenProcessPool"

    return each_result(evidence, edit)


@contradicts("dead_worker_breaks_pool")
def pool_survived_a_dead_worker(evidence: Evidence) -> Evidence:
    def edit(r: shape.BrokenPool) -> None:
        crash = r["after_crash"]
        crash["pending_tasks"] = ["ok"] * len(crash["pending_tasks"])
        crash["new_submit"] = "accepted"

    return each_result(evidence, edit)


# --- futures_compare --------------------------------------------------------------


def _workload(name: str) -> Callable[[shape.FuturesCompare], RoundsRecord]:
    return lambda r: r["workloads"][name]["rounds"]


samples_like("both_pools_overlap_waiting", _workload("waiting"), "processes", "serial")
samples_like("processes_speed_up_cpu", _workload("CPU"), "processes", "serial")
samples_like("threads_do_not_speed_up_cpu", _workload("CPU"), "threads", "serial", 0.5)


@contradicts("process_tasks_cost_more")
def process_tasks_cost_the_same(evidence: Evidence) -> Evidence:
    maps = evidence.result_as(shape.FuturesCompare)["workloads"]["tiny"][
        "maps_per_round"
    ]
    same_per_task = maps["processes"] / maps["threads"]
    return set_samples(
        evidence, _workload("tiny"), "processes", like("threads", same_per_task)
    )


# --- asyncio_basics ---------------------------------------------------------------


@contradicts("coroutines_share_one_thread")
def coroutines_on_four_threads(evidence: Evidence) -> Evidence:
    def edit(r: shape.AsyncioBasics) -> None:
        r["one_thread"]["threads"] = 4

    return each_result(evidence, edit)


def _gather(r: shape.AsyncioBasics) -> RoundsRecord:
    return r["gather"]["rounds"]


samples_like("gather_overlaps_waits", _gather, "gather", "one wait", 10)


@contradicts("task_group_cancels_siblings")
def siblings_kept_running(evidence: Evidence) -> Evidence:
    def edit(r: shape.AsyncioBasics) -> None:
        r["task_group"]["siblings_cancelled"] = 0

    return each_result(evidence, edit)


def _timeout(r: shape.AsyncioBasics) -> RoundsRecord:
    return r["timeout"]["rounds"]


@contradicts("timeout_cuts_off_on_time")
def timeout_waited_the_whole_sleep(evidence: Evidence) -> Evidence:
    # Seconds of a 10 s sleep that ran to its end, still reported as TimeoutError.
    return set_samples(evidence, _timeout, "timeout", scaled(200))


@contradicts("async_semaphore_bounds")
def semaphore_let_everyone_in(evidence: Evidence) -> Evidence:
    def edit(r: shape.AsyncioBasics) -> None:
        r["semaphore"]["peak"] = r["semaphore"]["tasks"]

    return each_result(evidence, edit)


# --- asyncio_blocking -------------------------------------------------------------


def _stalls_like(
    job: str, other: str | None
) -> Callable[[shape.AsyncioBlocking], None]:
    """Every round's stall of ``job``: another job's stalls, or its own duration."""

    def edit(r: shape.AsyncioBlocking) -> None:
        if other is None:
            r["stall_seconds"][job] = list(r["took"]["samples"][job])
        else:
            r["stall_seconds"][job] = list(r["stall_seconds"][other])

    return edit


@contradicts("blocking_call_stalls_the_loop")
def blocking_sleep_never_stalled(evidence: Evidence) -> Evidence:
    nothing = next(
        iter(evidence.result_as(shape.AsyncioBlocking)["took"]["samples"])
    )  # the baseline job
    return each_result(evidence, _stalls_like(cc.BLOCKING, nothing))


@contradicts("cpu_work_belongs_in_a_process_pool")
def process_pool_froze_the_loop(evidence: Evidence) -> Evidence:
    return each_result(evidence, _stalls_like(cc.CPU_POOL, None))


# --- many_connections -------------------------------------------------------------


def _top(r: shape.ManyConnections) -> shape.Level:
    return r["by_level"][str(r["top"])]


def _top_time(r: shape.ManyConnections) -> RoundsRecord:
    return _top(r)["time"]


@contradicts("asyncio_uses_less_memory_per_connection")
def asyncio_as_heavy_as_threads(evidence: Evidence) -> Evidence:
    def edit(r: shape.ManyConnections) -> None:
        sessions = _top(r)["sessions"]
        for mine, theirs in zip(sessions["asyncio"], sessions["threads"], strict=True):
            mine["rss_before"], mine["rss_peak"] = (
                theirs["rss_before"],
                theirs["rss_peak"],
            )

    return each_result(evidence, edit)


samples_like("asyncio_is_faster_at_scale", _top_time, "asyncio", "threads")


@contradicts("both_clients_serve_every_level")
def connections_failed(evidence: Evidence) -> Evidence:
    def edit(r: shape.ManyConnections) -> None:
        _top(r)["sessions"]["threads"][0]["failures"] = 3

    return each_result(evidence, edit)


# --- futures_lifecycle --------------------------------------------------------------
# This machine has no Python 3.14, so the claims about its additions are fed a run
# reshaped as a 3.14 run would look (what CPython's documentation and source say it
# does), then broken: they must miss there, and hold on the unbroken fixture
# (tests/test_futures_lifecycle.py).


def as_if_314(evidence: Evidence) -> Evidence:
    """The real runs, relabelled Python 3.14.0 and given the 3.14-only parts."""

    def edit(r: shape.FuturesLifecycle) -> None:
        r["env"]["python"] = "3.14.0"
        stop, part = r["stop"], r["map"]
        stop["interrupt"] = stop["terminate_workers"] = True
        stop["processes"] = [p for p in stop["processes"] if p["how"] != "interrupt"]
        stop["processes"].append(
            {
                "how": "interrupt",
                "started": True,
                "exitcode": 0,
                "interrupted": True,
                "cleaned_up": True,
                "stopped_ms": 2.0,
            }
        )
        stop["pools"] = [
            {
                "how": how,
                "running_task": "BrokenProcessPool",
                "stopped_ms": 40.0,
                "queued": ["BrokenProcessPool", "cancelled", "cancelled"],
                "worker_gone": True,
                "submit_after": "RuntimeError",
            }
            for how in ("terminate_workers", "kill_workers")
        ]
        part["buffersize"] = True
        part["ways"] = [w for w in part["ways"] if "buffersize" not in w["way"]]
        part["ways"].append(
            {
                "way": f"map(buffersize={part['window']})",
                "items": part["ways"][0]["items"],
                "pulled_at_return": part["window"],
                "pulled_at_first_result": part["window"] + 1,
                "all_in_order": True,
            }
        )

    return each_result(evidence, edit)


@contradicts("terminate_and_kill_stop_a_process")
def terminate_let_finally_run(evidence: Evidence) -> Evidence:
    """As if SIGTERM had been caught: the task cleaned up and exited normally."""

    def edit(r: shape.FuturesLifecycle) -> None:
        for p in r["stop"]["processes"]:
            if p["how"] == "terminate":
                p["exitcode"], p["cleaned_up"] = 0, True

    return each_result(evidence, edit)


@contradicts("interrupt_lets_the_task_clean_up")
def interrupt_ignored(evidence: Evidence) -> Evidence:
    """A 3.14 run in which the child ignored SIGINT and had to be killed."""

    def edit(r: shape.FuturesLifecycle) -> None:
        for p in r["stop"]["processes"]:
            if p["how"] == "interrupt":
                p.update(
                    exitcode=-9, interrupted=False, cleaned_up=False, stopped_ms=-1.0
                )

    return each_result(as_if_314(evidence), edit)


@contradicts("terminate_workers_stops_a_pool")
def pool_queue_ran_on(evidence: Evidence) -> Evidence:
    """A 3.14 run in which terminate_workers() stopped the running task but the
    queued tasks ran anyway, and the last of them was never cancelled."""

    def edit(r: shape.FuturesLifecycle) -> None:
        r["stop"]["pools"][0].update(queued=["BrokenProcessPool", "ran", "ran"])

    return each_result(as_if_314(evidence), edit)


@contradicts("map_takes_the_whole_input_first")
def map_was_lazy(evidence: Evidence) -> Evidence:
    """As if map() had taken one item per result, like the window."""

    def edit(r: shape.FuturesLifecycle) -> None:
        for way in r["map"]["ways"]:
            if way["way"] == "map()":
                way["pulled_at_return"] = 0

    return each_result(evidence, edit)


@contradicts("buffersize_bounds_what_map_takes")
def buffersize_ignored(evidence: Evidence) -> Evidence:
    """A 3.14 run in which map(buffersize=4) still took the whole input."""

    def edit(r: shape.FuturesLifecycle) -> None:
        way = r["map"]["ways"][-1]
        way["pulled_at_return"] = way["pulled_at_first_result"] = way["items"]

    return each_result(as_if_314(evidence), edit)


@contradicts("max_tasks_per_child_replaces_workers")
def one_worker_ran_everything(evidence: Evidence) -> Evidence:
    """As if max_tasks_per_child had been ignored: one PID for every task."""

    def edit(r: shape.FuturesLifecycle) -> None:
        pids = r["recycle"]["pids"]
        r["recycle"]["pids"] = [pids[0]] * len(pids)

    return each_result(evidence, edit)
