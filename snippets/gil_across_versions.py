"""The GIL across CPython versions: a light CPU-bound test and start costs.

A lighter twin of cpu_bound.py, meant to run on every interpreter of the build's
matrix: the same pure-Python work serially, in a thread pool and in a process pool
of one worker per usable core (the headline, fixed before anything is timed), then
the cost of starting and joining a thread and a process (default start method).
It also records how the interpreter was built (sysconfig's CONFIG_ARGS).
Every pool starts all its workers first. Each round times every alternative once,
in a new random order; measured.run.stats turns the rounds into paired ratios.
The same rounds also time a probe no claim judges: a fixed piece of C-level
hashing done by this process alone and by one plain process per worker at once,
which shows how many cores the machine really delivered (measured.run.pace).
Run it with any Python 3.11+:

    python3.13 snippets/gil_across_versions.py
"""

from __future__ import annotations

import multiprocessing
import sysconfig
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from measured.run import measure, pace

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.modern import GilAcrossVersions

TIMEOUT = 90  # seconds
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "cpu: serial / processes",
    "cpu: serial / threads",
    "starts: process / thread",
)
TASKS_PER_WORKER = 2  # equal tasks, the same share for every worker
SIZE = 500_000  # loop iterations per task: about 25 ms on the build machine
# Starts are too short to time one at a time: each timing is a batch of starts,
# sized so a batch lasts tens of milliseconds (a thread starts in about 0.1 ms;
# a process in about 2 ms with fork, tens of ms with forkserver or spawn).
THREAD_STARTS = 400
PROCESS_STARTS = {"fork": 20, "forkserver": 2, "spawn": 1}
# Thread starts here ran twice as fast after a pause as right after other work:
# every batch of starts begins after the same short pause (untimed).
START_SETTLE = 0.01  # seconds


def work(n: int) -> int:
    """Pure-Python arithmetic: holds the GIL the whole time on a GIL build."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def noop() -> None:
    """What a started thread or process runs: nothing, so we time the start."""


def start_threads(count: int) -> None:
    for _ in range(count):
        thread = threading.Thread(target=noop)
        thread.start()
        thread.join()


def start_processes(count: int) -> None:
    for _ in range(count):
        process = multiprocessing.Process(target=noop)
        process.start()
        process.join()


def main() -> None:
    cores = measure.usable_cores()
    workers = cores  # the headline configuration, declared before any timing
    tasks = measure.tasks_for(workers, TASKS_PER_WORKER)
    start_method = multiprocessing.get_start_method()
    process_starts = PROCESS_STARTS.get(start_method, 1)
    gil = measure.gil_enabled()

    def serial() -> list[int]:
        return [work(SIZE) for _ in range(tasks)]

    def pooled(pool: Executor) -> list[int]:
        return list(pool.map(work, [SIZE] * tasks))

    # Start costs first, while this process has no pool and no other thread.
    starts = measure.time_rounds(
        {
            "thread": lambda: start_threads(THREAD_STARTS),
            "process": lambda: start_processes(process_starts),
        },
        rounds=ROUNDS,
        settle=lambda: time.sleep(START_SETTLE),
    )
    expected = serial()
    with (
        pace.Probe(workers) as probe,  # plain processes, before any thread exists
        ThreadPoolExecutor(workers) as threads,
        ProcessPoolExecutor(workers) as processes,
    ):
        for pool in (threads, processes):
            # Every worker starts now (prestart repeats until all answered).
            measure.prestart(pool, workers, hold=0.05)
            assert pooled(pool) == expected, "wrong result"
        cpu = measure.time_rounds(
            {
                "serial": serial,
                "threads": lambda: pooled(threads),
                "processes": lambda: pooled(processes),
                **probe.alternatives(),
            },
            rounds=ROUNDS,
        )
    delivered = pace.record(cpu.to_dict(), workers)

    env = measure.Environment.here()
    print(
        f"CPython {env.python} ({'free-threaded' if env.free_threaded_build else 'GIL'}"
        f" build, GIL {'on' if gil else 'off'}), {cores} usable cores, "
        f"start method {start_method}"
    )
    print(
        f"{tasks} tasks x {SIZE:,} iterations, {workers} workers per pool, "
        f"{ROUNDS} rounds"
    )
    print(f"serial     {cpu.timing('serial').estimate:6.3f} s")
    for kind in ("threads", "processes"):
        print(
            f"{kind:<10} {cpu.timing(kind).estimate:6.3f} s  "
            f"speedup {cpu.ratio('serial', kind).text('x')}"
        )
    per_thread = starts.timing("thread").estimate / THREAD_STARTS
    per_process = starts.timing("process").estimate / process_starts
    print(
        f"cores the machine delivered to the probe: {delivered['cores']:.2f} of "
        f"{workers} (median over the rounds, C-level hashing in plain processes)"
    )
    print(f"start + join one thread  {per_thread * 1e3:8.3f} ms")
    print(f"start + join one process {per_process * 1e3:8.3f} ms ({start_method})")
    result: GilAcrossVersions = {
        "experiment": "gil_across_versions",
        "tasks": tasks,
        "size": SIZE,
        "cores": cores,
        "workers": workers,
        "headline_workers": workers,
        "start_method": start_method,
        "cpu": cpu.to_dict(),
        "starts": starts.to_dict(),
        # The probe's alone / together ratio, per round (measured.run.pace).
        "delivered_cores": delivered,
        "starts_per_batch": {"thread": THREAD_STARTS, "process": process_starts},
        "start_settle_seconds": START_SETTLE,
        # How this interpreter was built (./configure's arguments; None where
        # there were none, as on Windows): its speed depends on them.
        "config_args": sysconfig.get_config_var("CONFIG_ARGS"),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
