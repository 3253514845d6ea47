"""When processes lose: small tasks, and how chunksize wins them back.

The same total amount of pure-Python work is cut into tasks of different sizes, from
many tiny tasks to a few big ones. Each cut runs serially and in a process pool of
one worker per core, three ways:

- ProcessPoolExecutor.map with its default chunksize=1: one round trip per task;
- ProcessPoolExecutor.map with chunksize = tasks / (4 x workers);
- multiprocessing.Pool.map with its default chunksize (the same formula).

Every task sent to a worker process is pickled, written to a pipe, read, unpickled,
and its result comes back the same way. When a task is smaller than that round trip,
processes lose to a plain loop. The script reports the speedup for every cut and the
task size where processes start to win.

Run it yourself from a clone:  python snippets/task_size.py
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from measured import measure
from measured.forksafe import settle_threads

TIMEOUT = 120
TOTAL = 1_200_000  # loop iterations in all, whatever the task size (8 big tasks)
SIZES = (300, 3_000, 30_000, 150_000)  # iterations per task


def work(n: int) -> int:
    """Pure-Python arithmetic, as in the CPU-bound experiment."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def pool_chunksize(tasks: int, workers: int) -> int:
    """multiprocessing.Pool.map's default: about four chunks per worker."""
    chunksize, extra = divmod(tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def crossover(points: list[tuple[int, float]]) -> float | None:
    """Task size where the speedup crosses 1.0, interpolated on a log scale."""
    for (s0, g0), (s1, g1) in itertools.pairwise(points):
        if g0 < 1.0 <= g1:
            frac = (math.log(1.0) - math.log(g0)) / (math.log(g1) - math.log(g0))
            return math.exp(math.log(s0) + frac * (math.log(s1) - math.log(s0)))
    return None


def session(
    pool_calls: dict[str, Callable[[list[int], int], object]],
) -> dict[tuple[int, str], measure.Timing]:
    """Time a plain loop and the given pool calls, in interleaved rounds."""
    alternatives: dict[tuple[int, str], Callable[[], object]] = {}
    for size in SIZES:
        tasks = [size] * (TOTAL // size)
        chunks = pool_chunksize(len(tasks), measure.usable_cores())
        expected = [work(n) for n in tasks]
        alternatives[(size, "serial")] = lambda t=tasks: [work(n) for n in t]
        for mode, call in pool_calls.items():
            assert call(tasks, chunks) == expected, "wrong result"  # warms the pool
            alternatives[(size, mode)] = lambda t=tasks, c=chunks, f=call: f(t, c)
    return measure.time_interleaved(alternatives, warmup=0)


def main() -> None:
    cores = measure.usable_cores()
    workers = cores
    method = multiprocessing.get_start_method()
    # Two sessions, one pool each: forking a Pool's workers while an executor's
    # threads run (or the reverse) is unsafe, and Python 3.12+ warns about it.
    with ProcessPoolExecutor(max_workers=workers) as executor:
        timings = session(
            {
                "executor, chunksize=1": lambda t, c: list(executor.map(work, t)),
                "executor, chunksize=auto": lambda t, c: list(
                    executor.map(work, t, chunksize=c)
                ),
            }
        )
    settle_threads()  # the executor's threads must be gone before Pool forks
    with multiprocessing.Pool(processes=workers) as pool:
        pooled = session({"Pool.map default": lambda t, c: pool.map(work, t)})
    baseline = {size: pooled.pop((size, "serial")) for size in SIZES}
    chunks = {size: pool_chunksize(TOTAL // size, workers) for size in SIZES}
    modes = ("executor, chunksize=1", "executor, chunksize=auto", "Pool.map default")
    rows = []
    print(
        f"{TOTAL:,} iterations of pure-Python work in all; {workers} worker processes "
        f"({method}); speedup vs a plain loop"
    )
    print(
        f"{'per task':>9} {'tasks':>6} {'task time':>10} {'serial':>9}  "
        + "  ".join(f"{m:>24}" for m in modes)
    )
    for size in SIZES:
        tasks = TOTAL // size
        serial = timings[(size, "serial")]
        row = {
            "size": size,
            "tasks": tasks,
            "chunksize_auto": chunks[size],
            "task_seconds": serial.median / tasks,
            "serial": serial.to_dict(),
            "modes": {},
        }
        for m in modes:
            # Each pool is compared with the loop timed in its own session.
            t, base = (
                (timings[(size, m)], serial)
                if (size, m) in timings
                else (pooled[(size, m)], baseline[size])
            )
            row["modes"][m] = {
                "timing": t.to_dict(),
                "speedup": measure.speedup(base, t),
            }
        rows.append(row)
        print(
            f"{size:>9,} {tasks:>6,} {row['task_seconds'] * 1e6:7.1f} µs "
            f"{serial.median * 1000:6.1f} ms  "
            + "  ".join(
                f"{row['modes'][m]['timing']['median'] * 1000:9.1f} ms "
                f"({row['modes'][m]['speedup']:5.2f}x)"
                for m in modes
            )
        )
    gains = [r["modes"]["executor, chunksize=1"]["speedup"] for r in rows]
    cross = crossover([(r["size"], g) for r, g in zip(rows, gains, strict=True)])
    # The same crossing on the measured time axis (µs of work per task).
    cross_seconds = crossover(
        [(r["task_seconds"], g) for r, g in zip(rows, gains, strict=True)]
    )
    if cross is None:
        print("\nchunksize=1 never crossed 1.0x in the measured range")
    else:
        print(
            f"\nwith chunksize=1, processes beat the loop from about {cross:,.0f} "
            f"iterations ({cross_seconds * 1e6:,.0f} µs of work) per task"
        )
    measure.emit(
        {
            "experiment": "task_size",
            "total": TOTAL,
            "cores": cores,
            "workers": workers,
            "start_method": method,
            "modes": list(modes),
            "rows": rows,
            "crossover_iterations": cross,
            "crossover_seconds": cross_seconds,
        }
    )


if __name__ == "__main__":
    main()
