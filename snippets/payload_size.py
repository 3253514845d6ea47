"""When processes lose: big arguments. Every byte sent to a worker is copied.

Each task does the same fixed amount of pure-Python work, and receives a bytes
payload of a given size that it barely looks at. A plain loop passes the payload by
reference, for free. A process pool pickles it, pushes it through a pipe and
unpickles it in the worker, for every task. The script reports the speedup of a pool
of one worker per core for payloads from 1 KiB to 8 MiB, and the size at which
the copying eats the parallel gain.

Run it yourself from a clone:  python snippets/payload_size.py
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from measured import measure

TIMEOUT = 120
TASKS = 8
WORK = 60_000  # loop iterations per task: a few milliseconds of Python
PAYLOADS = (1024, 128 * 1024, 1024 * 1024, 8 * 1024 * 1024)  # bytes per task


def task(payload: bytes) -> int:
    """Fixed work; the payload only contributes its length."""
    total = 0
    for i in range(WORK):
        total += i * i % 7
    return total + len(payload)


def crossover(points: list[tuple[int, float]]) -> float | None:
    """Payload size where the speedup falls below 1.0 (log-interpolated)."""
    for (s0, g0), (s1, g1) in itertools.pairwise(points):
        if g0 >= 1.0 > g1:
            frac = (math.log(g0) - math.log(1.0)) / (math.log(g0) - math.log(g1))
            return math.exp(math.log(s0) + frac * (math.log(s1) - math.log(s0)))
    return None


def human(size: float) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return (
                f"{size / scale:g} {unit}"
                if size % scale == 0
                else (f"{size / scale:.1f} {unit}")
            )
    return f"{size:.0f} B"


def main() -> None:
    cores = measure.usable_cores()
    method = multiprocessing.get_start_method()
    payloads = {size: bytes(size) for size in PAYLOADS}
    with ProcessPoolExecutor(max_workers=cores) as pool:
        alternatives = {}
        for size, data in payloads.items():
            batch = [data] * TASKS
            expected = [task(d) for d in batch]
            assert list(pool.map(task, batch)) == expected  # also starts the workers
            alternatives[(size, "serial")] = lambda b=batch: [task(d) for d in b]
            alternatives[(size, "processes")] = lambda b=batch: list(pool.map(task, b))
        timings = measure.time_interleaved(alternatives)
    rows = []
    print(
        f"{TASKS} tasks x {WORK:,} iterations; {cores} worker processes ({method}); "
        "each task gets one payload"
    )
    print(
        f"{'payload':>10} {'serial':>9} {'processes':>10} {'speedup':>8} {'copied':>10}"
    )
    for size in PAYLOADS:
        serial, procs = timings[(size, "serial")], timings[(size, "processes")]
        gain = measure.speedup(serial, procs)
        rows.append(
            {
                "payload": size,
                "serial": serial.to_dict(),
                "processes": procs.to_dict(),
                "speedup": gain,
            }
        )
        print(
            f"{human(size):>10} {serial.median * 1000:6.1f} ms "
            f"{procs.median * 1000:7.1f} ms {gain:7.2f}x {human(size * TASKS):>10}"
        )
    cross = crossover([(r["payload"], r["speedup"]) for r in rows])
    if cross is None:
        print("\nthe speedup did not fall below 1.0x in the measured range")
    else:
        print(f"\nprocesses lose to the loop above about {human(cross)} per task")
    measure.emit(
        {
            "experiment": "payload_size",
            "tasks": TASKS,
            "work": WORK,
            "cores": cores,
            "start_method": method,
            "rows": rows,
            "crossover_bytes": cross,
        }
    )


if __name__ == "__main__":
    main()
