"""The GIL across CPython versions: a light CPU-bound test and start costs.

A lighter twin of cpu_bound.py, meant to run on every interpreter of the build's
matrix: the same pure-Python work serially, in a thread pool and in a process pool
of one worker per core, then the cost of starting and joining one thread and one
process (default start method). Run it with any Python 3.11+:

    python3.13 snippets/gil_across_versions.py
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from measured import measure

TIMEOUT = 90  # seconds
TASKS = 8  # equal tasks
SIZE = 400_000  # loop iterations per task
REPEATS = 7  # rounds; the median resists a neighbour's burst on a shared machine
START_REPEATS = 10


def work(n: int) -> int:
    """Pure-Python arithmetic: holds the GIL the whole time on a GIL build."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def noop() -> None:
    """What a started thread or process runs: nothing, so we time the start."""


def run_serial() -> list[int]:
    return [work(SIZE) for _ in range(TASKS)]


def run_pooled(executor: Executor) -> list[int]:
    return list(executor.map(work, [SIZE] * TASKS))


def start_thread() -> None:
    thread = threading.Thread(target=noop)
    thread.start()
    thread.join()


def start_process() -> None:
    process = multiprocessing.Process(target=noop)
    process.start()
    process.join()


def main() -> None:
    cores = measure.usable_cores()
    start_method = multiprocessing.get_start_method()
    gil = measure.gil_enabled()
    expected = run_serial()
    with (
        ThreadPoolExecutor(cores) as threads,
        ProcessPoolExecutor(cores) as processes,
    ):
        for pool in (threads, processes):
            assert run_pooled(pool) == expected, "wrong result"  # starts workers
        timings = measure.time_interleaved(
            {
                "serial": run_serial,
                "threads": lambda: run_pooled(threads),
                "processes": lambda: run_pooled(processes),
            },
            repeats=REPEATS,
        )
    starts = measure.time_interleaved(
        {"thread": start_thread, "process": start_process}, repeats=START_REPEATS
    )
    serial = timings["serial"]
    speedups = {
        kind: measure.speedup(serial, timings[kind])
        for kind in ("threads", "processes")
    }
    env = measure.Environment.here()
    print(
        f"CPython {env.python} ({'free-threaded' if env.free_threaded_build else 'GIL'}"
        f" build, GIL {'on' if gil else 'off'}), {cores} cores, "
        f"start method {start_method}"
    )
    print(f"{TASKS} tasks x {SIZE:,} iterations, {cores} workers per pool")
    print(f"serial     {serial.median:6.3f} s")
    for kind, gain in speedups.items():
        print(f"{kind:<10} {timings[kind].median:6.3f} s  speedup {gain:4.2f}x")
    for kind, timing in starts.items():
        print(f"start + join one {kind:<7} {timing.median * 1e3:8.2f} ms")
    measure.emit(
        {
            "experiment": "gil_across_versions",
            "tasks": TASKS,
            "size": SIZE,
            "cores": cores,
            "workers": cores,
            "start_method": start_method,
            "timings": {k: t.to_dict() for k, t in timings.items()},
            "speedup": speedups,
            "start_seconds": {k: t.to_dict() for k, t in starts.items()},
        }
    )


if __name__ == "__main__":
    main()
