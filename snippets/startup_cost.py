"""Start-up cost: how long it takes to start and join a thread or a process.

Each round starts and joins one process with every start method this platform
offers (fork, forkserver, spawn), and a batch of threads (one thread start is far
shorter than the clock's jitter, so the round times a batch and divides). A second
pair times what a one-shot script pays for a pool: create it, run one empty task
per worker, shut it down, for a process pool and for a batch of thread pools.
Every round times all of them once, in a new random order, so a ratio such as
"a fork start costs N thread starts" is taken within each round (measured.stats
gives the median of those per-round ratios and its interval).

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
ROUNDS = 15  # fixed in advance: [4th, 12th] of 15 per-round ratios, a 96 % interval
# Starts per timed batch, so that no timed window is much shorter than about 8 ms
# on the build machine: one thread start takes about a tenth of a millisecond, a
# fork start a few milliseconds, a forkserver or spawn start tens of milliseconds.
# (Thread batches of 200 kept the widest per-round interval lowest here; longer
# ones slow whatever thread work follows them in the round.)
BATCH = {
    "thread": 200,
    "fork": 4,
    "forkserver": 1,
    "spawn": 1,
    "thread pool": 100,  # one-shot pools: create, one empty task per worker, shut down
    "process pool": 2,
}


def noop(*_: object) -> None:
    """The worker: returns at once, so only starting and joining is timed."""


def start_threads(n: int) -> None:
    for _ in range(n):
        t = threading.Thread(target=noop)
        t.start()
        t.join()
    # The next alternative may fork: wait until the joined threads have left the
    # OS too. Part of the batch's time, so it can only make threads look slower.
    settle_threads()


def start_processes(ctx: multiprocessing.context.BaseContext, n: int) -> None:
    for _ in range(n):
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        assert p.exitcode == 0


def one_shot_pools(factory: Callable[[], Executor], workers: int, n: int) -> None:
    for _ in range(n):
        with factory() as pool:
            list(pool.map(noop, range(workers)))
    settle_threads()  # both kinds of pool ran threads in this process


def main() -> None:
    cores = measure.usable_cores()
    methods = multiprocessing.get_all_start_methods()
    default = multiprocessing.get_start_method()
    batch = {name: BATCH[name] for name in ("thread", *methods)}
    batch |= {
        "thread pool": BATCH["thread pool"],
        "process pool": BATCH["process pool"],
    }
    starts: dict[str, Callable[[], None]] = {
        "thread": lambda: start_threads(batch["thread"])
    }
    for m in methods:
        ctx = multiprocessing.get_context(m)
        starts[m] = lambda ctx=ctx, n=batch[m]: start_processes(ctx, n)
    pools: dict[str, Callable[[], None]] = {
        "thread pool": lambda: one_shot_pools(
            lambda: ThreadPoolExecutor(cores), cores, batch["thread pool"]
        ),
        "process pool": lambda: one_shot_pools(
            lambda: ProcessPoolExecutor(cores), cores, batch["process pool"]
        ),
    }
    # One set of rounds for all of them: the warm-up round pays one-time costs,
    # such as launching the forkserver.
    record = measure.time_rounds(starts | pools, rounds=ROUNDS).to_dict()
    samples = record["samples"]

    def per_start(name: str) -> list[float]:
        return [s / batch[name] for s in samples[name]]

    def versus(name: str, baseline: str) -> str:
        ratios = [
            a / b for a, b in zip(per_start(name), per_start(baseline), strict=True)
        ]
        return f"{sorted(ratios)[len(ratios) // 2]:.0f}x"

    def ms(name: str) -> float:
        values = sorted(per_start(name))
        return values[len(values) // 2] * 1000

    print(f"start + join of one worker that does nothing ({cores} usable cores)")
    print(f"{'worker':<21} {'per start':>10} {'vs thread':>10}")
    for name in ["thread", *methods]:
        label = name if name == "thread" else f"process ({name})"
        if name == default:
            label += "*"
        print(f"{label:<21} {ms(name):7.3f} ms {versus(name, 'thread'):>10}")
    print(f"* default start method here: {default}")
    print(f"\none-shot pool of {cores} workers: create, {cores} empty tasks, shut down")
    for name in ("thread pool", "process pool"):
        print(f"{name:<21} {ms(name):7.2f} ms {versus(name, 'thread pool'):>10}")
    print(f"(medians of {ROUNDS} rounds; ratios are medians of per-round ratios)")
    measure.emit(
        {
            "experiment": "startup_cost",
            "cores": cores,
            "default_method": default,
            "methods": methods,
            "batch": batch,
            "starts": record,
        }
    )
    # The forkserver and the resource tracker would outlive this script as orphans
    # for a moment; end them now (nothing here is timed any more).


if __name__ == "__main__":
    main()
