"""Start-up cost: how long it takes to start and join a thread or a process.

Each batch starts N workers that do nothing, one after the other, and joins them.
The time per start is the batch time divided by N. Processes are measured with every
start method this platform offers (fork, forkserver, spawn). A second measurement
times what a one-shot script pays for a pool: create it, run one empty task per
worker, shut it down.

Run it yourself from a clone:  python snippets/startup_cost.py
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from measured import measure
from measured.forksafe import settle_threads

TIMEOUT = 120
# Starts per timed batch: many for cheap starts, few for slow ones (bounded time).
BATCH = {"thread": 200, "fork": 15, "forkserver": 4, "spawn": 3}


def noop(*_: object) -> None:
    """The worker: returns at once, so only starting and joining is timed."""


def start_threads(n: int) -> None:
    for _ in range(n):
        t = threading.Thread(target=noop)
        t.start()
        t.join()
    settle_threads()  # the next call forks: let joined threads leave the OS


def start_processes(ctx: multiprocessing.context.BaseContext, n: int) -> None:
    for _ in range(n):
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        assert p.exitcode == 0


def one_shot_pool(factory: Callable[[], Executor], workers: int) -> None:
    with factory() as pool:
        list(pool.map(noop, range(workers)))
    settle_threads()  # both pools ran threads in this process


def main() -> None:
    cores = measure.usable_cores()
    methods = multiprocessing.get_all_start_methods()
    default = multiprocessing.get_start_method()
    batches = {"thread": BATCH["thread"]} | {m: BATCH[m] for m in methods}
    starts: dict[str, Callable[[], None]] = {
        "thread": lambda: start_threads(batches["thread"])
    }
    for m in methods:
        ctx = multiprocessing.get_context(m)
        starts[m] = lambda ctx=ctx, n=batches[m]: start_processes(ctx, n)
    pools: dict[str, Callable[[], None]] = {
        "thread pool": lambda: one_shot_pool(lambda: ThreadPoolExecutor(cores), cores),
        "process pool": lambda: one_shot_pool(
            lambda: ProcessPoolExecutor(cores), cores
        ),
    }
    # The first forkserver start launches the server: the warm-up round pays it.
    timings = measure.time_interleaved(starts | pools)
    per_start = {
        name: {
            "median": timings[name].median / n,
            "min": timings[name].min / n,
            "max": timings[name].max / n,
            "batch": n,
        }
        for name, n in batches.items()
    }
    thread = per_start["thread"]["median"]
    print(f"start + join of one worker that does nothing ({cores} usable cores)")
    print(f"{'worker':<21} {'per start':>10} {'vs thread':>10}")
    for name, row in per_start.items():
        label = name if name == "thread" else f"process ({name})"
        if name == default:
            label += "*"
        print(
            f"{label:<21} {row['median'] * 1000:7.3f} ms {row['median'] / thread:9.0f}x"
        )
    print(f"* default start method here: {default}")
    pool_rows = {name: timings[name].to_dict() for name in pools}
    print(f"\none-shot pool of {cores} workers: create, {cores} empty tasks, shut down")
    for name, row in pool_rows.items():
        print(f"{name:<21} {row['median'] * 1000:7.2f} ms")
    fastest = min(methods, key=lambda m: per_start[m]["median"])
    measure.emit(
        {
            "experiment": "startup_cost",
            "cores": cores,
            "default_method": default,
            "methods": methods,
            "per_start": per_start,
            "fastest_process_method": fastest,
            "ratio_fastest_process_to_thread": per_start[fastest]["median"] / thread,
            "pools": pool_rows,
            "pool_ratio": pool_rows["process pool"]["median"]
            / pool_rows["thread pool"]["median"],
        }
    )


if __name__ == "__main__":
    main()
