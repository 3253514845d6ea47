"""Pool sizing: the default worker counts, and what pool size does to many waits.

Prints the max_workers that ThreadPoolExecutor, ProcessPoolExecutor and
multiprocessing.Pool choose when you pass nothing, next to the CPU counts they are
derived from. Then times a batch of WAITS waits of WAIT seconds in thread pools of
different sizes, from the default up to one thread per wait: a pool of w threads
needs about ceil(WAITS / w) rounds of waiting.

Every pool starts all its threads before any timing. Each round times every pool
once, in a new random order; the default pool is the baseline, and the claim
compares it with the pool of one thread per wait (fixed here in advance).

Run it yourself from a clone:  python snippets/pool_sizing.py
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import PoolSizing

TIMEOUT = 60
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("rounds: 6 threads / 100 threads",)
# Waits per batch: more than twice the largest default (32), so the default pool
# needs several rounds of waiting on any machine.
WAITS = 100
WAIT = 0.005  # seconds per wait
MIDDLE = 32  # one pool size between the default and one thread per wait


def wait(_: int) -> None:
    time.sleep(WAIT)


def cpu_counts() -> dict[str, int | None]:
    process_cpu_count = getattr(os, "process_cpu_count", None)  # 3.13+
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "os.cpu_count()": os.cpu_count(),
        "os.process_cpu_count()": process_cpu_count() if process_cpu_count else None,
        "len(os.sched_getaffinity(0))": len(affinity(0)) if affinity else None,
    }


def defaults() -> dict[str, int]:
    """What each pool picks when max_workers / processes is not given."""
    with ThreadPoolExecutor() as threads, ProcessPoolExecutor() as processes:
        # Neither starts a worker before the first task; _max_workers is the
        # value the constructor computed (documented in the constructor's docs).
        found = {
            "ThreadPoolExecutor()": threads._max_workers,
            "ProcessPoolExecutor()": processes._max_workers,
        }
    with multiprocessing.Pool() as pool:  # starts its processes right away
        found["multiprocessing.Pool()"] = pool._processes
    return found


def name(workers: int) -> str:
    return f"{workers} threads"


def main() -> None:
    counts = cpu_counts()
    found = defaults()
    print(f"Python {sys.version.split()[0]}")
    for key, value in counts.items():
        shown = "n/a (before 3.13)" if value is None else value
        print(f"  {key:<30} {shown}")
    print("default pool sizes (max_workers / processes not given)")
    for key, value in found.items():
        print(f"  {key:<30} {value:>3}")

    default_threads = found["ThreadPoolExecutor()"]
    sizes = sorted({default_threads, MIDDLE, WAITS})
    with ExitStack() as stack:
        pools = {}
        for w in sizes:
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=w))
            measure.prestart(pool, w, hold=WAIT)
            pools[name(w)] = pool
        # The default pool first: it is the baseline of every ratio.
        order = [name(default_threads)] + [
            n for n in pools if n != name(default_threads)
        ]
        rounds = measure.time_rounds(
            {n: (lambda p=pools[n]: list(p.map(wait, range(WAITS)))) for n in order},
            rounds=ROUNDS,
            warmup=0,  # prestart ran every pool once; nothing else to warm up
        )
    print(f"\n{WAITS} waits of {WAIT * 1000:g} ms in a thread pool of w threads")
    print(f"{'w':>4} {'median':>10} {'faster than the default':>26}")
    for w in sizes:
        key = name(w)
        gain = rounds.ratio(name(default_threads), key).text("x")
        note = "  <- default" if w == default_threads else ""
        print(f"{w:>4} {rounds.timing(key).estimate * 1000:7.1f} ms {gain:>26}{note}")
    result: PoolSizing = {
        "experiment": "pool_sizing",
        "cpu_counts": counts,
        "defaults": found,
        "waits": WAITS,
        "wait": WAIT,
        "sizes": sizes,
        "default_threads": default_threads,
        "names": {str(w): name(w) for w in sizes},
        "rounds": rounds.to_dict(),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
