"""Contradicting inputs for the claims of guide part 1 (measured/claims_part1.py)."""

from __future__ import annotations

from measured.claims import Evidence

from . import contradicts, each_result, like, set_samples

# --- cpu_bound --------------------------------------------------------------------


def _cpu(result: dict) -> dict:
    return result["cpu"]


@contradicts("processes_scale")
def processes_as_slow_as_serial(evidence: Evidence) -> Evidence:
    key = f"processes {evidence.result['headline_workers']}"
    return set_samples(evidence, _cpu, key, like("serial"))


@contradicts("threads_do_not_scale_with_gil")
def threads_twice_as_fast(evidence: Evidence) -> Evidence:
    key = f"threads {evidence.result['headline_workers']}"
    return set_samples(evidence, _cpu, key, like("serial", 0.5))


@contradicts("more_processes_than_cores_gain_nothing")
def doubled_processes_twice_as_fast(evidence: Evidence) -> Evidence:
    cores = evidence.cores
    return set_samples(
        evidence, _cpu, f"processes {2 * cores}", like(f"processes {cores}", 0.5)
    )


# --- io_bound ---------------------------------------------------------------------


def _io_headline(work: str):
    return lambda result: result[work][str(result["headline"])]


@contradicts("threads_overlap_sleeps")
def sleeping_threads_as_slow_as_the_loop(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _io_headline("sleep"), "threads", like("serial"))


@contradicts("threads_overlap_http_requests")
def requesting_threads_as_slow_as_the_loop(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _io_headline("http"), "threads", like("serial"))


@contradicts("process_pools_cost_more_to_start")
def process_pool_starts_like_a_thread_pool(evidence: Evidence) -> Evidence:
    return set_samples(
        evidence, lambda r: r["pool_start"], "processes", like("threads", 1.5)
    )


@contradicts("io_experiment_cleans_up")
def server_left_behind(evidence: Evidence) -> Evidence:
    def edit(result: dict) -> None:
        result["leftover_children"] = ["server"]
        result["port_closed"] = False
        result["server"]["exitcode"] = None

    return each_result(evidence, edit)


# --- task_size and payload_size ---------------------------------------------------


def _task_size(which: str):
    def read(result: dict) -> dict:
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


@contradicts("big_payloads_eat_the_gain")
def big_payloads_cost_nothing(evidence: Evidence) -> Evidence:
    result = evidence.result
    names = result["names"]
    big = names[str(result["headline"]["big"])]
    small = names[str(result["headline"]["small"])]
    return set_samples(evidence, lambda r: r["rounds"], big, like(small))


# --- pool_sizing ------------------------------------------------------------------


def _default_off_by(pool: str, extra: int):
    def edit(result: dict) -> None:
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
    result = evidence.result
    names = result["names"]
    default = names[str(result["default_threads"])]
    full = names[str(result["waits"])]
    return set_samples(evidence, lambda r: r["rounds"], full, like(default))
