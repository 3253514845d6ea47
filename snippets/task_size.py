"""When processes lose: small tasks, and how chunksize wins them back.

The same total amount of pure-Python work is cut into tasks of different sizes, from
many tiny tasks to a few big ones. Each cut runs in a plain loop and in a process
pool of one worker per usable core, two ways:

- ProcessPoolExecutor.map with its default chunksize=1: one round trip per task;
- ProcessPoolExecutor.map with chunksize = tasks / (4 x workers), rounded up: the
  default multiprocessing.Pool.map computes. Where that is 1 (the biggest tasks),
  it is the same call as the first and is not timed twice.

Every task sent to a worker process is pickled, written to a pipe, read, unpickled,
and its result comes back the same way. When a task is smaller than that round trip,
processes lose to a plain loop. The pool starts all its workers before any timing.
Each round times the loop and both pool calls once, in a new random order; a speedup
is the median of the per-round ratios to the loop (measured.run.stats gives its
interval). The sizes the claims are judged on, fixed here before anything is timed,
are the smallest and the largest.

Run it yourself from a clone:  python snippets/task_size.py
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's shape and its parts, for type checkers only
    from measured.run.shapes.part1 import TaskSize, TaskSizeHeadline, TaskSizeRow

TIMEOUT = 120
# Replication, fixed in advance. Tiny tasks sent one by one make the pool's parent
# process juggle thousands of futures between its threads: on a small machine that
# pool's time swings by a factor of two from one batch to the next, and the swings
# last longer than one batch. Three short runs, each with a fresh pool, sample those
# states better than one long run; the claims pool every round of every run.
RUNS = 3
ROUNDS = 6  # timed rounds per run: [min, max] of 6 ratios is a 97 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "rows[0]/rounds: executor, chunksize=1 / executor, chunksize=auto",
    "rows[0]/rounds: serial / executor, chunksize=1",
    "rows[0]/rounds: serial / executor, chunksize=auto",
    "rows[3]/rounds: serial / executor, chunksize=1",
)
SIZES = (400, 3_000, 30_000, 150_000)  # loop iterations per task
# Tasks per worker at the largest size: the work divides evenly on any core count.
# The total (largest size x its tasks) is the same for every size.
TASKS_PER_WORKER = 2
HEADLINE: TaskSizeHeadline = {"tiny": SIZES[0], "big": SIZES[-1]}
MODES = ("executor, chunksize=1", "executor, chunksize=auto")


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


def main() -> None:
    cores = measure.usable_cores()
    workers = cores
    total = measure.tasks_for(workers, TASKS_PER_WORKER) * SIZES[-1]
    method = multiprocessing.get_start_method()
    rows: list[TaskSizeRow] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        measure.prestart(pool, workers, hold=0.02)
        for size in SIZES:
            tasks = [size] * (total // size)
            chunks = pool_chunksize(len(tasks), workers)
            calls = {
                "serial": lambda t=tasks: [work(n) for n in t],
                "executor, chunksize=1": lambda t=tasks: list(pool.map(work, t)),
                "executor, chunksize=auto": lambda t=tasks, c=chunks: list(
                    pool.map(work, t, chunksize=c)
                ),
            }
            if (
                chunks == 1
            ):  # the same call as chunksize=1: timing it twice says nothing
                del calls["executor, chunksize=auto"]
            # A cheap check that the pool computes what the loop does; the pool
            # itself was warmed up by prestart, and the loop needs no warm-up.
            sample = [size] * (2 * workers)
            assert list(pool.map(work, sample)) == [work(n) for n in sample]
            rounds = measure.time_rounds(calls, rounds=ROUNDS, warmup=0)
            rows.append(
                {
                    "size": size,
                    "tasks": len(tasks),
                    "chunksize_auto": chunks,
                    "rounds": rounds.to_dict(),
                }
            )
    print(
        f"{total:,} iterations of pure-Python work in all; {workers} worker "
        f"processes ({method}); {ROUNDS} rounds; speedup vs a plain loop"
    )
    print(
        f"{'per task':>9} {'tasks':>6} {'task time':>10} {'loop':>9}  "
        + "  ".join(f"{m:>28}" for m in MODES)
    )
    for row in rows:
        record = row["rounds"]
        loop = stats.timing(record, "serial").estimate
        cells = "  ".join(
            f"{stats.timing(record, m).estimate * 1000:7.1f} ms "
            f"{stats.ratio(record, 'serial', m).text('x'):>18}"
            if m in record["samples"]
            else f"{'(chunksize is 1)':>28}"
            for m in MODES
        )
        print(
            f"{row['size']:>9,} {row['tasks']:>6,} "
            f"{loop / row['tasks'] * 1e6:7.1f} µs {loop * 1000:6.1f} ms  {cells}"
        )
    result: TaskSize = {
        "experiment": "task_size",
        "total": total,
        "cores": cores,
        "workers": workers,
        "headline_workers": workers,
        "headline": HEADLINE,
        "start_method": method,
        "modes": list(MODES),
        "rows": rows,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
