"""One API, two engines: the same code on thread and process pools, side by side.

``run(pool, fn, items)`` is the same call for both; only the pool class differs.
Three workloads, each timed in rounds against a plain loop:

- waiting: tasks that sleep (stand-in for network or disk waits), on pools of
  WAIT_WORKERS workers: waiting needs no core, so the pool size is not the cores;
- CPU:     pure-Python arithmetic on pools of one worker per usable core, the
  headline configuration, fixed here before anything is timed;
- tiny:    a map of tasks that do almost nothing, on the same pools, repeated to
  fill a timing window: the cost of handing a task over, per task, compared
  between the two pools (and the plain loop).

Task counts give every worker the same share. The workloads run in one stage per
pool size; each stage forks its process pool's workers while the script has no
other thread, starts every worker of both pools before any timing, and shuts both
down before the next stage. Each round times every alternative of a workload once,
in a new random order; a speedup is the median of the per-round ratios
(measured.run.stats).

Run it yourself from a clone:  python snippets/futures_compare.py
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import FuturesCompare

TIMEOUT = 120
KINDS = ("serial", "threads", "processes")
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "workloads/CPU/rounds: serial / processes",
    "workloads/CPU/rounds: serial / threads",
    "workloads/tiny/rounds: processes / threads",
    "workloads/waiting/rounds: serial / processes",
    "workloads/waiting/rounds: serial / threads",
)
WAIT_WORKERS = 4  # workers of the waiting pools
WAIT_PER_WORKER, WAIT_SECONDS = 2, 0.01  # waits per worker, seconds each
CPU_PER_WORKER, CPU_SIZE = 4, 250_000  # tasks per worker, loop iterations each
# Tiny tasks: one map of TINY_TASKS, repeated so that each alternative's window
# lasts about 50-100 ms here (a pool's cost per task is compared, not a total).
# One map of ten thousand tiny tasks on a thread pool took 70-190 ms from one call
# to the next; maps of a thousand, repeated, stay within a few percent.
TINY_TASKS = 700
TINY_REPEATS = {"threads": 10, "processes": 1, "serial": 1_500}


def wait_task(seconds: float) -> float:
    time.sleep(seconds)  # releases the GIL while it waits
    return seconds


def cpu_task(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def tiny_task(n: int) -> int:
    return n + 1


def serial(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """The plain loop every pool is compared with."""
    return [fn(x) for x in items]


def repeat(go: Callable[[], object], times: int) -> None:
    for _ in range(times):
        go()


def run(pool: Executor, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """The same call for both pools: that is the point of concurrent.futures."""
    return list(pool.map(fn, items))


def timed(
    pools: dict[str, Executor],
    fn: Callable[[Any], Any],
    items: list[Any],
    size: int,
    repeats: dict[str, int],
) -> dict[str, Any]:
    """One workload's rounds: the plain loop and both pools, each ``repeats`` maps."""
    expected = [fn(x) for x in items]
    alternatives: dict[str, Callable[[], object]] = {}
    for kind, times in repeats.items():
        if kind == "serial":
            go = partial(serial, fn, items)
        else:
            go = partial(run, pools[kind], fn, items)
        assert go() == expected, "wrong result"  # each alternative ran once
        alternatives[kind] = partial(repeat, go, times)
    # No extra warm-up round: every alternative has just run.
    rounds = measure.time_rounds(alternatives, rounds=ROUNDS, warmup=0)
    return {
        "workers": size,
        "tasks": len(items),
        "maps_per_round": repeats,
        "rounds": rounds.to_dict(),
    }


def main() -> None:
    cores = measure.usable_cores()
    workers = cores  # the headline configuration: one worker per usable core
    waits = [WAIT_SECONDS] * measure.tasks_for(WAIT_WORKERS, WAIT_PER_WORKER)
    cpu = [CPU_SIZE] * measure.tasks_for(workers, CPU_PER_WORKER)
    tiny = list(range(TINY_TASKS))
    # workload -> (function, items, pool size, {alternative: maps per round});
    # the baseline first
    workloads: dict[str, tuple[Callable[[Any], Any], list[Any], int, dict]] = {
        "waiting": (wait_task, waits, WAIT_WORKERS, dict.fromkeys(KINDS, 1)),
        "CPU": (cpu_task, cpu, workers, dict.fromkeys(KINDS, 1)),
        "tiny": (tiny_task, tiny, workers, TINY_REPEATS),
    }
    gil = "enabled" if measure.gil_enabled() else "disabled"
    print(f"{cores} usable cores, GIL {gil}, {ROUNDS} rounds")
    results: dict[str, Any] = {}
    # One stage per pool size. A stage forks its process pool's workers first,
    # while this process has no other thread: forking once threads exist is unsafe
    # (and warned about from Python 3.12). Every worker of both pools starts before
    # any timing, and both pools are shut down, their threads joined, before the
    # next stage forks.
    for size in sorted({size for _, _, size, _ in workloads.values()}):
        with ExitStack() as stack:
            pools: dict[str, Executor] = {}
            for kind, make in (
                ("processes", ProcessPoolExecutor),
                ("threads", ThreadPoolExecutor),
            ):
                pool = stack.enter_context(make(size))
                measure.prestart(pool, size, hold=0.05)
                pools[kind] = pool
            for workload, (fn, items, pool_size, repeats) in workloads.items():
                if pool_size == size:
                    results[workload] = timed(pools, fn, items, size, repeats)
    results = {workload: results[workload] for workload in workloads}
    for workload, result in results.items():
        count = result["tasks"]
        for kind, times in result["maps_per_round"].items():
            took = stats.timing(result["rounds"], kind)
            line = (
                f"{workload:<8} {kind:<10} {times * count:>9,} tasks "
                f"{took.estimate * 1000:7.1f} ms "
                f"{took.estimate / (times * count) * 1e6:9.2f} µs per task"
            )
            if workload != "tiny" and kind != "serial":
                speedup = stats.ratio(result["rounds"], "serial", kind)
                line += f"  speedup {speedup.text('x')}"
            print(line)
    result: FuturesCompare = {
        "experiment": "futures_compare",
        "cores": cores,
        "headline_workers": workers,
        "wait_seconds": WAIT_SECONDS,
        "cpu_size": CPU_SIZE,
        "workloads": results,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
