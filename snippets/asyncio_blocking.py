"""One blocking call freezes every task on the loop; to_thread and processes do not.

A heartbeat task wants to wake every TICK seconds. Meanwhile another coroutine does
about BLOCK seconds of work in one of six ways, and the heartbeat records its worst
late wake-up (the loop's stall):

- nothing (baseline): ``await asyncio.sleep(BLOCK)``;
- ``time.sleep(BLOCK)`` called directly in the coroutine (blocks the loop);
- ``await asyncio.to_thread(time.sleep, BLOCK)``;
- ``await loop.run_in_executor(None, time.sleep, BLOCK)`` (the same, older API);
- pure-Python CPU work called directly in the coroutine;
- the same CPU work in a ProcessPoolExecutor via ``run_in_executor``.

Each round runs every job once, in a new random order, and records how long the
job took and how long the loop stalled meanwhile: both are observed, so a stall is
compared with the time the job really took, round by round.

Run it yourself from a clone:  python snippets/asyncio_blocking.py
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import AsyncioBlocking

TIMEOUT = 60
ROUNDS = 6  # rounds, fixed in advance: [min, max] of 6 is a 97 % CI
# No ratio of these rounds decides a claim of the guide: the build adds no run
# for their noise (see JUDGED in CONTRIBUTING.md).
JUDGED = ()
TICK = 0.005  # seconds between heartbeats
BLOCK = 0.1  # seconds of blocking work
CALIBRATION_SIZE = 200_000  # iterations timed to size the CPU work to BLOCK


def cpu_work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


async def heartbeat(stop: asyncio.Event, lags: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + TICK
        await asyncio.sleep(TICK)
        lags.append(loop.time() - due)  # how late the loop woke us


async def measure_stall(job: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(seconds the job took, the loop's worst stall meanwhile)."""
    stop, lags = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, lags))
    await asyncio.sleep(TICK)  # the heartbeat is running
    start = time.perf_counter()
    await job()
    took = time.perf_counter() - start
    await asyncio.sleep(TICK)  # a heartbeat the job delayed wakes and reports
    stop.set()
    await beat
    return took, max(lags)


def main() -> None:
    # The pool starts before any thread exists (to_thread creates some): forking a
    # process that has threads is unsafe and warned about from Python 3.12.
    with ProcessPoolExecutor(1) as pool:
        pool.submit(cpu_work, 10).result()  # start the worker now
        size = calibrate()

        async def nothing() -> None:
            await asyncio.sleep(BLOCK)

        async def blocking_sleep() -> None:
            time.sleep(BLOCK)  # the mistake: nothing else on the loop runs

        async def to_thread() -> None:
            await asyncio.to_thread(time.sleep, BLOCK)

        async def run_in_executor() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, time.sleep, BLOCK)

        async def cpu_inline() -> None:
            cpu_work(size)  # the same mistake, with computation

        async def cpu_in_process() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(pool, cpu_work, size)

        jobs = {
            "nothing (await asyncio.sleep)": nothing,
            "time.sleep() in a coroutine": blocking_sleep,
            "asyncio.to_thread(time.sleep)": to_thread,
            "run_in_executor(None, time.sleep)": run_in_executor,
            "CPU work in a coroutine": cpu_inline,
            "CPU work in a process pool": cpu_in_process,
        }
        names = list(jobs)
        took: dict[str, list[float]] = {name: [] for name in names}
        stalls: dict[str, list[float]] = {name: [] for name in names}
        seed = random.SystemRandom().randrange(2**32)
        rng = random.Random(seed)
        orders: list[tuple[str, ...]] = []

        async def all_rounds() -> None:
            await asyncio.to_thread(time.sleep, 0)  # start the default executor
            for _ in range(ROUNDS):
                orders.append(tuple(rng.sample(names, len(names))))
                for name in orders[-1]:
                    seconds, stall = await measure_stall(jobs[name])
                    took[name].append(seconds)
                    stalls[name].append(stall)

        asyncio.run(all_rounds())
    rounds = measure.Rounds(
        {name: tuple(values) for name, values in took.items()},
        tuple(orders),
        warmup=0,
        seed=seed,
    )
    print(
        f"heartbeat every {TICK * 1000:.0f} ms; each job blocks or waits about "
        f"{BLOCK * 1000:.0f} ms; medians of {rounds.rounds} rounds"
    )
    for name in names:
        job = rounds.timing(name).estimate * 1000
        stall = stats.median_interval(stalls[name]).estimate * 1000
        print(f"{name:<36} took {job:6.1f} ms, loop stalled {stall:6.1f} ms")
    result: AsyncioBlocking = {
        "experiment": "asyncio_blocking",
        "tick": TICK,
        "block": BLOCK,
        "cpu_size": size,
        "took": rounds.to_dict(),
        "stall_seconds": stalls,
    }
    measure.emit(result)


def calibrate() -> int:
    """How many iterations of cpu_work take about BLOCK seconds on this machine."""
    cpu_work(CALIBRATION_SIZE)  # warm-up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        cpu_work(CALIBRATION_SIZE)
        best = min(best, time.perf_counter() - start)
    return max(CALIBRATION_SIZE, int(CALIBRATION_SIZE * BLOCK / best))


if __name__ == "__main__":
    main()
