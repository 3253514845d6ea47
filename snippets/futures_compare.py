"""One API, two engines: the same code on thread and process pools, side by side.

``run(pool, fn, items)`` is the same call for both; only the pool class differs.
Three workloads, each against a serial loop:

- waiting: WAIT_TASKS tasks that sleep (stand-in for network or disk waits);
- CPU:     CPU_TASKS tasks of pure-Python arithmetic;
- tiny:    TINY_TASKS tasks that do almost nothing: the per-task overhead.

Pools are started and warmed up before timing; the configurations take turns.

Run it yourself from a clone:  python snippets/futures_compare.py
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from measured import measure

TIMEOUT = 120
WORKERS = 4
WAIT_TASKS, WAIT_SECONDS = 8, 0.02
CPU_TASKS, CPU_SIZE = 8, 400_000  # two tasks per worker: one uneven split is noise
TINY_TASKS = 1_000
REPEATS = 5


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


def run(pool: Executor, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """The same call for both pools: that is the point of concurrent.futures."""
    return list(pool.map(fn, items))


WORKLOADS: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {
    "waiting": (wait_task, [WAIT_SECONDS] * WAIT_TASKS),
    "CPU": (cpu_task, [CPU_SIZE] * CPU_TASKS),
    "tiny": (tiny_task, list(range(TINY_TASKS))),
}


def main() -> None:
    cores = measure.usable_cores()
    rows = []
    with ThreadPoolExecutor(WORKERS) as threads, ProcessPoolExecutor(WORKERS) as procs:
        pools: dict[str, Executor] = {"threads": threads, "processes": procs}
        # Start every worker now, processes first: forking once threads exist is
        # unsafe (and warned about from Python 3.12).
        for pool in (procs, threads):
            run(pool, tiny_task, range(WORKERS * 4))
        print(
            f"{WORKERS} workers per pool, {cores} usable cores, "
            f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}; "
            f"median of {REPEATS} rounds"
        )
        for workload, (fn, items) in WORKLOADS.items():
            expected = [fn(x) for x in items]

            def serial(
                fn: Callable[[Any], Any] = fn,
                items: list[Any] = items,
                expected: list[Any] = expected,
            ) -> None:
                assert [fn(x) for x in items] == expected

            configs: dict[str, Callable[[], object]] = {"serial": serial}
            for kind, pool in pools.items():
                configs[kind] = lambda pool=pool, fn=fn, items=items: run(
                    pool, fn, items
                )
            timings = measure.time_interleaved(configs, repeats=REPEATS)
            base = timings["serial"]
            for kind, timing in timings.items():
                gain = measure.speedup(base, timing)
                per_task_us = timing.median / len(items) * 1e6
                rows.append(
                    {
                        "workload": workload,
                        "kind": kind,
                        "tasks": len(items),
                        "speedup": gain,
                        "per_task_us": per_task_us,
                        "timing": timing.to_dict(),
                    }
                )
                print(
                    f"{workload:<8} {kind:<10} {timing.median * 1000:8.1f} ms  "
                    f"speedup {gain:5.2f}x  {per_task_us:8.1f} µs per task"
                )
    measure.emit(
        {
            "experiment": "futures_compare",
            "workers": WORKERS,
            "cores": cores,
            "wait_tasks": WAIT_TASKS,
            "wait_seconds": WAIT_SECONDS,
            "cpu_tasks": CPU_TASKS,
            "tiny_tasks": TINY_TASKS,
            "rows": rows,
        }
    )


if __name__ == "__main__":
    main()
