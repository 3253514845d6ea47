"""One blocking call freezes every task on the loop; to_thread and processes do not.

A heartbeat task wants to wake every TICK seconds. Meanwhile another coroutine does
BLOCK seconds of work in one of six ways, and the heartbeat records its worst
late wake-up (the loop's stall):

- nothing (baseline);
- ``time.sleep(BLOCK)`` called directly in the coroutine (blocks the loop);
- ``await asyncio.to_thread(time.sleep, BLOCK)``;
- ``await loop.run_in_executor(None, time.sleep, BLOCK)`` (the same, older API);
- pure-Python CPU work called directly in the coroutine;
- the same CPU work in a ProcessPoolExecutor via ``run_in_executor``.

Run it yourself from a clone:  python snippets/asyncio_blocking.py
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from measured import measure

TIMEOUT = 60
TICK = 0.005  # seconds between heartbeats
BLOCK = 0.2  # seconds of blocking work
REPEATS = 5
CPU_SIZE = 2_000_000  # iterations: calibrated to about BLOCK seconds at start-up


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


async def measure_stall(job: Callable[[], Awaitable[Any]]) -> float:
    stop, lags = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, lags))
    await asyncio.sleep(2 * TICK)  # the heartbeat is running
    await job()
    await asyncio.sleep(2 * TICK)
    stop.set()
    await beat
    return max(lags)


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

        work_seconds: list[float] = []

        async def cpu_inline() -> None:
            # Timed, to compare the stall with how long the work itself took.
            timing = measure.time_call(lambda: cpu_work(size), repeats=1, warmup=0)
            work_seconds.append(timing.median)

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
        stalls: dict[str, list[float]] = {name: [] for name in jobs}

        async def all_rounds() -> None:
            for name, job in jobs.items():
                stalls[name].append(await measure_stall(job))

        timing = measure.time_call(
            lambda: asyncio.run(all_rounds()), repeats=REPEATS, warmup=0
        )
    print(
        f"heartbeat every {TICK * 1000:.0f} ms; each job blocks or waits "
        f"{BLOCK * 1000:.0f} ms; worst heartbeat delay, median of {REPEATS} rounds"
    )
    work_ms = sorted(work_seconds)[len(work_seconds) // 2] * 1000
    rows = []
    for name, values in stalls.items():
        stall = sorted(values)[len(values) // 2]
        rows.append({"job": name, "stall_ms": stall * 1000, "samples": values})
        print(f"{name:<36} loop stalled {stall * 1000:6.1f} ms")
    print(f"(the CPU work itself took {work_ms:.0f} ms when run in the coroutine)")
    measure.emit(
        {
            "experiment": "asyncio_blocking",
            "tick": TICK,
            "block": BLOCK,
            "cpu_size": size,
            "cpu_work_ms": work_ms,
            "rows": rows,
            "stall_ms": {row["job"]: row["stall_ms"] for row in rows},
            "round_seconds": timing.to_dict(),
        }
    )


def calibrate() -> int:
    """How many iterations of cpu_work take about BLOCK seconds on this machine."""
    probe = 200_000
    timing = measure.time_call(lambda: cpu_work(probe), repeats=3)
    return max(probe, int(probe * BLOCK / timing.median))


if __name__ == "__main__":
    main()
