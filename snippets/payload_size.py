"""When processes lose: big arguments. Every byte sent to a worker is copied.

Each task does the same fixed amount of pure-Python work, and receives a bytes
payload of a given size that it only measures. A plain loop passes the payload by
reference, for free, whatever its size. A process pool pickles it, pushes it
through a pipe and unpickles it in the worker, for every task. The script times a
pool of one worker per usable core with payloads from 1 KiB to 8 MiB per task.

Every worker starts before any timing. Each round times the loop and the pool with
every payload size once, in a new random order; a speedup is the median of the
per-round ratios to the loop (measured.run.stats gives its interval). Each task reports
how many bytes it received, so the bytes counted are bytes that crossed the pipe.
The claim is judged on the smallest and the largest payload, fixed here in advance.

Run it yourself from a clone:  python snippets/payload_size.py
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's shape and its parts, for type checkers only
    from measured.run.shapes.part1 import PayloadHeadline, PayloadSize

TIMEOUT = 120
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "rounds: processes 8 MiB / processes 1 KiB",
    "rounds: serial / processes 1 KiB",
    "rounds: serial / processes 8 MiB",
)
TASKS_PER_WORKER = 6  # the tasks divide evenly over the workers on any core count
WORK = 80_000  # loop iterations per task: a few milliseconds of Python
PAYLOADS = (1024, 128 * 1024, 1024 * 1024, 8 * 1024 * 1024)  # bytes per task
HEADLINE: PayloadHeadline = {"small": PAYLOADS[0], "big": PAYLOADS[-1]}


def task(payload: bytes) -> int:
    """Fixed work; returns how many bytes of payload arrived (the work's result,
    always 0 or more, only keeps the loop honest)."""
    total = 0
    for i in range(WORK):
        total += i * i % 7
    return len(payload) if total >= 0 else -1


def human(size: float) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size:.0f} B"


def name(size: int) -> str:
    return f"processes {human(size)}"


def main() -> None:
    cores = measure.usable_cores()
    workers = cores
    tasks = measure.tasks_for(workers, TASKS_PER_WORKER)
    method = multiprocessing.get_start_method()
    batches = {size: [bytes(size)] * tasks for size in PAYLOADS}
    received: dict[str, int] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        measure.prestart(pool, workers, hold=0.02)
        calls = {
            # The loop gets the largest payloads: passing a reference costs nothing.
            "serial": lambda: [task(d) for d in batches[PAYLOADS[-1]]],
            **{
                name(size): lambda b=batch: list(pool.map(task, b))
                for size, batch in batches.items()
            },
        }
        for size in PAYLOADS:  # warm-up, and the bytes the workers really got
            received[str(size)] = sum(calls[name(size)]())
        rounds = measure.time_rounds(calls, rounds=ROUNDS, warmup=0)
    print(
        f"{tasks} tasks x {WORK:,} iterations; {workers} worker processes "
        f"({method}); {ROUNDS} rounds; each task gets one payload"
    )
    print(f"{'payload':>10} {'pool':>9} {'speedup vs loop':>20} {'received':>10}")
    print(f"{'(loop)':>10} {rounds.timing('serial').estimate * 1000:6.1f} ms")
    for size in PAYLOADS:
        key = name(size)
        print(
            f"{human(size):>10} {rounds.timing(key).estimate * 1000:6.1f} ms "
            f"{rounds.ratio('serial', key).text('x'):>20} "
            f"{human(received[str(size)]):>10}"
        )
    big, small = name(PAYLOADS[-1]), name(PAYLOADS[0])
    print(
        f"\nthe pool took {stats.ratio(rounds.to_dict(), big, small).text('x')} as "
        f"long with {human(PAYLOADS[-1])} per task as with {human(PAYLOADS[0])}"
    )
    result: PayloadSize = {
        "experiment": "payload_size",
        "tasks": tasks,
        "work": WORK,
        "cores": cores,
        "workers": workers,
        "headline_workers": workers,
        "start_method": method,
        "payloads": list(PAYLOADS),
        "names": {str(size): name(size) for size in PAYLOADS},
        "headline": HEADLINE,
        "received_bytes": received,
        "rounds": rounds.to_dict(),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
