"""Pool sizing: the default worker counts, and what pool size does to 100 waits.

Prints the max_workers that ThreadPoolExecutor, ProcessPoolExecutor and
multiprocessing.Pool choose when you pass nothing, next to the CPU counts they are
derived from. Then times a batch of 100 waits of WAIT seconds in thread pools of
different sizes, from the default up to one thread per wait: a pool of w threads
needs about ceil(100 / w) rounds of waiting.

Run it yourself from a clone:  python snippets/pool_sizing.py
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack

from measured import measure

TIMEOUT = 60
WAITS = 100
WAIT = 0.01  # seconds per wait


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


def main() -> None:
    counts = cpu_counts()
    found = defaults()
    # The documented formulas for this Python version.
    cpus = counts["os.process_cpu_count()"] or counts["os.cpu_count()"] or 1
    documented = {
        "ThreadPoolExecutor()": min(32, cpus + 4),
        "ProcessPoolExecutor()": cpus,
        "multiprocessing.Pool()": cpus,
    }
    print(f"Python {sys.version.split()[0]}")
    for name, value in counts.items():
        shown = "n/a (before 3.13)" if value is None else value
        print(f"  {name:<30} {shown}")
    print("default pool sizes (max_workers / processes not given)")
    for name, value in found.items():
        print(f"  {name:<30} {value:>3}   documented formula gives {documented[name]}")

    default_threads = found["ThreadPoolExecutor()"]
    sizes = sorted({default_threads, 16, 32, WAITS})
    with ExitStack() as stack:
        pools = {
            w: stack.enter_context(ThreadPoolExecutor(max_workers=w)) for w in sizes
        }
        for pool in pools.values():
            list(pool.map(wait, range(WAITS)))  # start every thread before timing
        timings = measure.time_interleaved(
            {
                w: (lambda p=pool: list(p.map(wait, range(WAITS))))
                for w, pool in pools.items()
            },
            warmup=0,
        )
    rows = []
    print(f"\n{WAITS} waits of {WAIT * 1000:g} ms in a thread pool of w threads")
    print(f"{'w':>4} {'measured':>10} {'ceil(100/w) x wait':>19}")
    for w in sizes:
        t = timings[w]
        model = math.ceil(WAITS / w) * WAIT
        rows.append(
            {
                "workers": w,
                "default": w == default_threads,
                "timing": t.to_dict(),
                "model": model,
            }
        )
        note = "  <- default" if w == default_threads else ""
        print(f"{w:>4} {t.median * 1000:7.1f} ms {model * 1000:16.0f} ms{note}")
    gain = timings[default_threads].median / timings[WAITS].median
    print(f"\na pool of {WAITS} threads was {gain:.1f}x faster than the default pool")
    measure.emit(
        {
            "experiment": "pool_sizing",
            "cpu_counts": counts,
            "defaults": found,
            "documented": documented,
            "waits": WAITS,
            "wait": WAIT,
            "rows": rows,
            "full_vs_default": gain,
        }
    )


if __name__ == "__main__":
    main()
