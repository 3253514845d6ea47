"""Start-up cost: how long it takes to start and join a thread or a process.

Each round starts and joins one process with every start method this platform
offers (fork, forkserver, spawn), and a batch of threads (one thread start is far
shorter than the clock's jitter, so the round times a batch and divides). A second
pair times what a one-shot script pays for a pool: create it, start every worker,
run one empty task per worker, shut it down, for a process pool and for a batch of
thread pools. A thread pool starts threads only as it needs them and reuses an idle
one first (so one empty task after another may all run on its first thread); a
process pool does the same under spawn and forkserver, but under fork starts every
worker at the first submit(). Either way, each worker waits at a barrier until all
of them have started, and counts itself.
Every round times all of them once, in a new random order, so a ratio such as
"a fork start costs N thread starts" is taken within each round (measured.run.stats
gives the median of those per-round ratios and its interval).

Run it yourself from a clone:  python snippets/startup_cost.py
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from measured.run import measure
from measured.run.forksafe import settle_threads

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import StartupCost

TIMEOUT = 120
ROUNDS = 15  # fixed in advance: [4th, 12th] of 15 per-round ratios, a 96 % interval
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "starts: fork / thread",
    "starts: forkserver / thread",
    "starts: process pool / thread pool",
    "starts: spawn / fork",
    "starts: spawn / thread",
)
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
    # One-shot pools: create, start every worker, one empty task per worker, shut
    # down. A thread pool of two takes about a third of a millisecond here.
    "thread pool": 30,
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


def arrive(barrier: Any, started: Any) -> None:
    """Pool initializer, run by each worker as it starts: count this worker, then
    wait until every worker of the pool has started."""
    with started.get_lock():
        started.value += 1
    barrier.wait(TIMEOUT)


def one_shot_pools(
    factory: Callable[..., Executor],
    workers: int,
    n: int,
    barrier: Any,
    started: Any,
    created: list[int],
) -> None:
    for _ in range(n):
        with factory(workers, initializer=arrive, initargs=(barrier, started)) as pool:
            list(pool.map(noop, range(workers)))
        created.append(workers)
    settle_threads()  # both kinds of pool ran threads in this process


def python_default_start_method() -> str:
    """Python's own default here, even when a whole run imposes another
    (measure.apply_start_method); the imposed one stays in force for the pools."""
    imposed = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(None, force=True)
    default = multiprocessing.get_start_method()  # this fixes the context again
    if imposed is not None:
        multiprocessing.set_start_method(imposed, force=True)
    return default


def main() -> None:
    cores = measure.usable_cores()
    methods = multiprocessing.get_all_start_methods()
    default = python_default_start_method()
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
    # A barrier of one party per worker (a pool's workers are threads of this
    # process, or processes), reused by every pool of that kind, and a shared
    # count of the workers that reached it.
    barriers = {
        "thread pool": threading.Barrier(cores),
        "process pool": multiprocessing.Barrier(cores),
    }
    started = {name: multiprocessing.Value("i", 0) for name in barriers}
    created: dict[str, list[int]] = {name: [] for name in barriers}
    factories = {"thread pool": ThreadPoolExecutor, "process pool": ProcessPoolExecutor}
    pools: dict[str, Callable[[], None]] = {
        name: lambda name=name: one_shot_pools(
            factories[name],
            cores,
            batch[name],
            barriers[name],
            started[name],
            created[name],
        )
        for name in barriers
    }
    # One set of rounds for all of them: the warm-up round pays one-time costs,
    # such as launching the forkserver.
    record = measure.time_rounds(starts | pools, rounds=ROUNDS).to_dict()
    samples = record["samples"]
    # Every pool created (warm-up included), the workers they were given and the
    # workers that really started, counted by the workers themselves.
    pools_created = {name: len(sizes) for name, sizes in created.items()}
    workers_asked = {name: sum(sizes) for name, sizes in created.items()}
    workers_started = {name: count.value for name, count in started.items()}

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
    print(
        f"\none-shot pool of {cores} workers: create, start every worker, "
        f"{cores} empty tasks, shut down"
    )
    for name in ("thread pool", "process pool"):
        print(
            f"{name:<21} {ms(name):7.2f} ms {versus(name, 'thread pool'):>10}   "
            f"({workers_started[name]} of {workers_asked[name]} workers started "
            f"in {pools_created[name]} pools)"
        )
    print(f"(medians of {ROUNDS} rounds; ratios are medians of per-round ratios)")
    result: StartupCost = {
        "experiment": "startup_cost",
        "cores": cores,
        "default_method": default,
        "methods": methods,
        "batch": batch,
        "starts": record,
        "pools_created": pools_created,
        "pool_workers_asked": workers_asked,
        "pool_workers_started": workers_started,
    }
    measure.emit(result)
    # The forkserver and the resource tracker would outlive this script as orphans
    # for a moment; end them now (nothing here is timed any more).


if __name__ == "__main__":
    main()
