"""Contradicting inputs for the claims of guide part 1 (measured/claims/part1.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from measured.claims import Evidence
from measured.run.shapes import part1 as shape
from measured.run.shapes.common import RoundsRecord

from . import (
    Contradiction,
    at_full_pace,
    contradicts,
    each_result,
    like,
    samples_like,
    set_samples,
)

# --- cpu_bound --------------------------------------------------------------------


def _cpu(result: shape.CpuBound) -> RoundsRecord:
    return result["cpu"]


@contradicts("processes_scale")
def processes_as_slow_as_serial(evidence: Evidence) -> Evidence:
    key = f"processes {evidence.result_as(shape.CpuBound)['headline_workers']}"
    return set_samples(at_full_pace(evidence), _cpu, key, like("serial"))


@contradicts("threads_do_not_scale_with_gil")
def threads_twice_as_fast(evidence: Evidence) -> Evidence:
    key = f"threads {evidence.result_as(shape.CpuBound)['headline_workers']}"
    return set_samples(at_full_pace(evidence), _cpu, key, like("serial", 0.5))


@contradicts("more_processes_than_cores_gain_nothing")
def doubled_processes_twice_as_fast(evidence: Evidence) -> Evidence:
    cores = evidence.cores
    return set_samples(
        at_full_pace(evidence),
        _cpu,
        f"processes {2 * cores}",
        like(f"processes {cores}", 0.5),
    )


# --- io_bound ---------------------------------------------------------------------


def _io_headline(work: str) -> Callable[[shape.IoBound], RoundsRecord]:
    """The rounds of the headline count of ``work`` ("sleep" or "http")."""

    def read(result: shape.IoBound) -> RoundsRecord:
        return result[work][str(result["headline"])]  # type: ignore[literal-required]

    return read


samples_like("threads_overlap_sleeps", _io_headline("sleep"), "threads", "serial")
samples_like("threads_overlap_http_requests", _io_headline("http"), "threads", "serial")
samples_like("processes_overlap_sleeps", _io_headline("sleep"), "processes", "serial")


def _pool_start(result: shape.IoBound) -> RoundsRecord:
    return result["pool_start"]


@contradicts("process_pools_cost_more_to_start")
def process_pool_starts_like_a_thread_pool(evidence: Evidence) -> Evidence:
    """A process pool takes 1.5 thread pools' time, round by round (each kind is
    timed in batches of its own size)."""
    batch = evidence.result_as(shape.IoBound)["pool_start_batch"]
    scale = 1.5 * batch["processes"] / batch["threads"]
    return set_samples(evidence, _pool_start, "processes", like("threads", scale))


@contradicts("io_experiment_cleans_up")
def server_left_behind(evidence: Evidence) -> Evidence:
    def edit(result: shape.IoBound) -> None:
        result["leftover_children"] = ["server"]
        result["port_closed"] = False
        result["server"]["exitcode"] = None

    return each_result(evidence, edit)


# --- task_size and payload_size ---------------------------------------------------


def _task_size(which: str) -> Callable[[shape.TaskSize], RoundsRecord]:
    def read(result: shape.TaskSize) -> RoundsRecord:
        size = result["headline"][which]
        return next(r for r in result["rows"] if r["size"] == size)["rounds"]

    return read


@contradicts("processes_lose_on_tiny_tasks")
def tiny_tasks_faster_in_processes(evidence: Evidence) -> Evidence:
    return set_samples(
        evidence, _task_size("tiny"), "executor, chunksize=1", like("serial", 0.8)
    )


@contradicts("chunksize_rescues_tiny_tasks")
def chunks_no_faster_than_one_by_one(evidence: Evidence) -> Evidence:
    return set_samples(
        evidence,
        _task_size("tiny"),
        "executor, chunksize=auto",
        like("executor, chunksize=1"),
    )


@contradicts("processes_win_on_big_tasks")
def big_tasks_as_slow_as_the_loop(evidence: Evidence) -> Evidence:
    return set_samples(
        evidence, _task_size("big"), "executor, chunksize=1", like("serial")
    )


def _rounds(result: shape.PayloadSize | shape.PoolSizing) -> RoundsRecord:
    return result["rounds"]


def _size_as_slow_as(
    evidence: Evidence, names: dict[str, str], size: int, other: int
) -> Evidence:
    """The rounds of ``size`` given the samples of ``other``'s (payload_size and
    pool_sizing keep one rounds record, its alternatives named by size)."""
    return set_samples(evidence, _rounds, names[str(size)], like(names[str(other)]))


@contradicts("big_payloads_eat_the_gain")
def big_payloads_cost_nothing(evidence: Evidence) -> Evidence:
    result = evidence.result_as(shape.PayloadSize)
    sizes = result["headline"]
    return _size_as_slow_as(evidence, result["names"], sizes["big"], sizes["small"])


# --- pool_sizing ------------------------------------------------------------------


def _default_off_by(pool: str, extra: int) -> Callable[[shape.PoolSizing], None]:
    def edit(result: shape.PoolSizing) -> None:
        result["defaults"][pool] += extra

    return edit


@contradicts("thread_pool_default_size")
def thread_pool_default_not_documented(evidence: Evidence) -> Evidence:
    return each_result(evidence, _default_off_by("ThreadPoolExecutor()", 1))


@contradicts("process_pool_default_size")
def process_pool_default_not_one_per_cpu(evidence: Evidence) -> Evidence:
    return each_result(evidence, _default_off_by("ProcessPoolExecutor()", 3))


@contradicts("size_thread_pools_to_the_waits")
def full_pool_as_slow_as_the_default(evidence: Evidence) -> Evidence:
    result = evidence.result_as(shape.PoolSizing)
    return _size_as_slow_as(
        evidence, result["names"], result["waits"], result["default_threads"]
    )


# --- threads_basics ---------------------------------------------------------------


@contradicts("threads_share_one_process")
def threads_in_two_processes(evidence: Evidence) -> Evidence:
    def edit(result: shape.ThreadsBasics) -> None:
        result["pids"].append(result["pids"][0] + 1)

    return each_result(evidence, edit)


@contradicts("threads_share_objects")
def an_append_went_missing(evidence: Evidence) -> Evidence:
    """One thread's last item never reached the main thread's list."""

    def edit(result: shape.ThreadsBasics) -> None:
        result["found_per_thread"][-1] -= 1
        result["shared_list_length"] -= 1

    return each_result(evidence, edit)


@contradicts("join_waits_for_that_thread")
def join_waited_for_every_thread(evidence: Evidence) -> Evidence:
    def edit(result: shape.ThreadsBasics) -> None:
        result["api"]["after_fast_join"]["slow_alive"] = False

    return each_result(evidence, edit)


@contradicts("thread_api_is_more_than_start_and_join")
def thread_has_two_methods(evidence: Evidence) -> Evidence:
    def edit(result: shape.ThreadsBasics) -> None:
        result["api"]["public_api"] = ["join", "start"]

    return each_result(evidence, edit)


@contradicts("thread_local_is_per_thread")
def local_value_leaked_to_a_thread(evidence: Evidence) -> Evidence:
    def edit(result: shape.ThreadsBasics) -> None:
        seen = result["local"]["seen"]
        first = next(k for k in seen if not k.endswith(" before"))
        seen[f"{first} before"] = "main"

    return each_result(evidence, edit)


@contradicts("daemon_threads_do_not_block_exit")
def daemon_kept_the_child_alive(evidence: Evidence) -> Evidence:
    def edit(result: shape.ThreadsBasics) -> None:
        result["daemon_child"].update(exited=False, returncode=None, seconds=20.0)

    return each_result(evidence, edit)


# --- gil_release ------------------------------------------------------------------


def _kind(kind: str) -> Callable[[shape.GilRelease], RoundsRecord]:
    return lambda result: result["kinds"][kind]


def _threads_as_slow_as_serial(kind: str) -> Contradiction:
    def make(evidence: Evidence) -> Evidence:
        if kind not in evidence.result_as(shape.GilRelease)["kinds"]:
            # Not installed here: relabel a measured kind as this one, so the claim's
            # logic still runs (and must miss).
            def add(result: shape.GilRelease) -> None:
                result["kinds"][kind] = copy.deepcopy(
                    next(iter(result["kinds"].values()))
                )
                result["numpy"] = result.get("numpy") or "relabelled"

            evidence = each_result(evidence, add)
        pool = f"threads {evidence.result_as(shape.GilRelease)['headline_workers']}"
        return set_samples(evidence, _kind(kind), pool, like("serial"))

    return make


for _name, _kind_name in (
    ("hashlib_threads_scale", "hashlib"),
    ("zlib_threads_scale", "zlib"),
    ("numpy_threads_scale", "numpy"),
):
    contradicts(_name)(_threads_as_slow_as_serial(_kind_name))


# --- gil_blocking -----------------------------------------------------------------


def _ticks_at_share(name: str, share: float) -> Contradiction:
    """The ticker made ``share`` of its lock-wait pace while the main thread was in
    ``name``, round by round."""

    def make(evidence: Evidence) -> Evidence:
        def edit(result: shape.GilBlocking) -> None:
            seconds = result["rounds"]["samples"]
            base = result["baseline"]
            result["ticks"][name] = [
                round(share * ticks * mine / theirs)
                for ticks, mine, theirs in zip(
                    result["ticks"][base], seconds[name], seconds[base], strict=True
                )
            ]

        return each_result(evidence, edit)

    return make


contradicts("blocking_waits_release_the_gil")(_ticks_at_share("socket recv", 0.5))
contradicts("file_reads_release_the_gil")(_ticks_at_share("file read", 0.5))
contradicts("python_code_holds_the_gil")(_ticks_at_share("pure Python", 1.0))


# --- processes_basics and pickling ------------------------------------------------


@contradicts("child_memory_is_separate")
def child_change_reached_the_parent(evidence: Evidence) -> Evidence:
    def edit(result: shape.ProcessesBasics) -> None:
        result["memory"]["parent_list"].append("added by the child")

    return each_result(evidence, edit)


@contradicts("exit_codes_report_how_a_child_ended")
def terminate_reported_success(evidence: Evidence) -> Evidence:
    def edit(result: shape.ProcessesBasics) -> None:
        result["lifecycle"]["terminate"] = 0

    return each_result(evidence, edit)


def _all_methods(case: str, outcome: shape.Worked | shape.Failed) -> Contradiction:
    def make(evidence: Evidence) -> Evidence:
        def edit(result: shape.Pickling) -> None:
            for row in result["lambdas"].values():
                row[case] = copy.deepcopy(outcome)  # type: ignore[literal-required]

        return each_result(evidence, edit)

    return make


contradicts("lambdas_cannot_be_sent_to_a_pool")(
    _all_methods("executor", {"ok": True, "value": 49})
)
contradicts("top_level_functions_can")(
    _all_methods(
        "fixed", {"ok": False, "type": "PicklingError", "message": "contradiction"}
    )
)
contradicts("process_lambda_only_under_fork")(
    _all_methods("process", {"ok": True, "value": "exitcode 0"})
)


@contradicts("repl_functions_fail_under_spawn")
def repl_function_worked_under_spawn(evidence: Evidence) -> Evidence:
    def edit(result: shape.Pickling) -> None:
        result["repl"].update(error=None, stdout="result 49")

    return each_result(evidence, edit)


@contradicts("spawn_needs_the_main_guard")
def no_guard_ran_fine(evidence: Evidence) -> Evidence:
    def edit(result: shape.Pickling) -> None:
        result["no_guard"].update(error=None, returncode=0)

    return each_result(evidence, edit)


# --- startup_cost -----------------------------------------------------------------


def _starts(result: shape.StartupCost) -> RoundsRecord:
    return result["starts"]


def _per_start_as(evidence: Evidence, name: str, other: str, factor: float) -> Evidence:
    """Seconds per start of ``name`` become ``factor`` x those of ``other`` in the
    same round (each alternative is timed in batches of its own size)."""
    batch = evidence.result_as(shape.StartupCost)["batch"]
    scale = factor * batch[name] / batch[other]
    return set_samples(evidence, _starts, name, like(other, scale))


@contradicts("threads_start_much_faster_than_processes")
def thread_starts_half_a_process_start(evidence: Evidence) -> Evidence:
    first = evidence.result_as(shape.StartupCost)["methods"][0]
    return _per_start_as(evidence, "thread", first, 0.5)


@contradicts("spawn_start_costs_more_than_fork")
def spawn_as_cheap_as_fork(evidence: Evidence) -> Evidence:
    return _per_start_as(evidence, "spawn", "fork", 1.5)


@contradicts("one_shot_process_pool_costs_more")
def process_pool_as_cheap_as_threads(evidence: Evidence) -> Evidence:
    return _per_start_as(evidence, "process pool", "thread pool", 2.0)


# --- timelines --------------------------------------------------------------------


@contradicts("processes_ran_at_the_same_time")
def timeline_processes_one_after_another(evidence: Evidence) -> Evidence:
    """The second process starts when the first one ends: no overlap at all."""

    def edit(result: dict[str, Any]) -> None:
        first, second = result["cpu"]["processes"][:2]
        shift = first[1][-1] - second[1][0]
        second[1] = [stamp + shift for stamp in second[1]]

    return each_result(evidence, edit)


@contradicts("gil_threads_took_turns")
def timeline_threads_side_by_side(evidence: Evidence) -> Evidence:
    """Thread 2 stamps its chunks when thread 1 does: they ran together throughout."""

    def edit(result: dict[str, Any]) -> None:
        first, *others = result["handoff"]
        for other in others:
            result["handoff"][other] = list(result["handoff"][first])

    return each_result(evidence, edit)


@contradicts("asyncio_steps_ran_one_at_a_time")
def timeline_asyncio_steps_overlap(evidence: Evidence) -> Evidence:
    """Task 2's first step starts halfway through task 1's first step."""

    def edit(result: dict[str, Any]) -> None:
        steps = result["asyncio"]
        first = steps[0]
        other = next(step for step in steps if step[0] != first[0])
        length = other[2] - other[1]
        other[1] = (first[1] + first[2]) / 2
        other[2] = other[1] + length

    return each_result(evidence, edit)
