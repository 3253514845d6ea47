"""CPU-bound work: serial vs ThreadPoolExecutor vs ProcessPoolExecutor.

The same pure-Python work runs serially, then in thread pools and process pools of
1, 2, 4, ... up to 2 x cores workers. Every pool starts all its workers before any
timing. Each round times every configuration once, in a new random order, and the
speedup of a configuration is the median of its per-round ratios to the serial run
(the interval comes from measured.run.stats). The headline configuration, fixed here
before anything is timed, is one worker per usable core. The same rounds
also time a probe no claim judges: a fixed piece of C-level hashing done by this
process alone and by one plain process per core at once, which shows how many
cores the machine really delivered (measured.run.pace).

Run it yourself from a clone:  python snippets/cpu_bound.py
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from typing import TYPE_CHECKING

from measured.run import measure, pace

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import CpuBound

TIMEOUT = 180  # seconds; the build kills the run (and its workers) after this
ROUNDS = 12  # timed rounds, fixed in advance: [3rd, 10th] of 12 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "cpu: serial / processes {headline_workers}",
    "cpu: serial / threads {headline_workers}",
    "cpu: processes {cores} / processes {2*cores}",
)
# Tasks per worker of the largest pool (2 x cores): every pool size tried divides
# the work evenly, on any number of cores.
TASKS_PER_WORKER = 2
SIZE = 400_000  # loop iterations per task: about 20 ms of work on the build machine


def work(n: int) -> int:
    """Pure-Python arithmetic: holds the GIL the whole time on a GIL build."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def worker_counts(cores: int) -> list[int]:
    """1, 2, 4, ... and the core count itself, up to twice the cores."""
    counts = {cores, 2 * cores}
    n = 1
    while n <= 2 * cores:
        counts.add(n)
        n *= 2
    return sorted(counts)


def name(kind: str, workers: int) -> str:
    return f"{kind} {workers}"


def main() -> None:
    cores = measure.usable_cores()
    counts = worker_counts(cores)
    tasks = measure.tasks_for(2 * cores, TASKS_PER_WORKER)
    start_method = multiprocessing.get_start_method()
    print(
        f"{tasks} tasks x {SIZE:,} iterations, {cores} usable cores, "
        f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}, "
        f"process start method {start_method}, {ROUNDS} rounds"
    )

    def serial() -> list[int]:
        return [work(SIZE) for _ in range(tasks)]

    expected = serial()
    pool_types: dict[str, Callable[[int], Executor]] = {
        "threads": ThreadPoolExecutor,
        "processes": ProcessPoolExecutor,
    }
    with ExitStack() as stack:
        # Plain probe processes first, before any pool or thread exists.
        probe = stack.enter_context(pace.Probe(cores))
        pools = {}
        # Process pools first: forking while this process runs other threads can
        # deadlock a child (Python 3.12+ warns about it), so no thread pool exists
        # yet when the process pools start their workers. (Each process pool runs
        # two helper threads of its own, which later process pools still see.)
        for kind in ("processes", "threads"):
            make = pool_types[kind]
            for workers in counts:
                pool = stack.enter_context(make(workers))
                measure.prestart(pool, workers)
                assert list(pool.map(work, [SIZE] * tasks)) == expected, "wrong result"
                pools[name(kind, workers)] = pool

        def pooled(pool: Executor) -> Callable[[], list[int]]:
            return lambda: list(pool.map(work, [SIZE] * tasks))

        rounds = measure.time_rounds(
            {
                "serial": serial,
                **{key: pooled(pool) for key, pool in pools.items()},
                **probe.alternatives(),
            },
            rounds=ROUNDS,
        )
    delivered = pace.record(rounds.to_dict(), cores)
    base = rounds.timing("serial")
    print(f"{'serial':<13} {base.estimate:6.3f} s")
    for kind in pool_types:
        for workers in counts:
            key = name(kind, workers)
            gain = rounds.ratio("serial", key)
            print(
                f"{key:<13} {rounds.timing(key).estimate:6.3f} s  "
                f"speedup {gain.text('x')}"
            )
    print(
        f"cores the machine delivered to the probe: {delivered['cores']:.2f} of "
        f"{cores} (median over the rounds, C-level hashing in plain processes)"
    )
    result: CpuBound = {
        "experiment": "cpu_bound",
        "tasks": tasks,
        "size": SIZE,
        "cores": cores,
        "workers": counts,
        "headline_workers": cores,
        "start_method": start_method,
        "cpu": rounds.to_dict(),
        # The probe's alone / together ratio, per round (measured.run.pace).
        "delivered_cores": delivered,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
