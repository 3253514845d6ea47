"""Timelines: when each worker actually ran, recorded by the workers themselves.

Workers stamp the time with time.monotonic(), a clock that is system-wide (the same
in every process) since Python 3.5, so threads and processes share one time axis.
Both pools start their workers before anything is recorded. Recorded:

- CPU-bound work (a pure-Python loop), two tasks: one after another, in 2 threads,
  in 2 processes. Each task stamps the time after every half millisecond of work:
  a gap between two stamps much longer than that is time it was not running;
- I/O-bound work (time.sleep stands in for a wait on the network), the same ways;
- the GIL hand-off: 2 threads run the same loop in smaller chunks, stamping after
  each one; compare their turns with sys.getswitchinterval();
- tiny tasks sent to a worker process one at a time: when each was sent, when the
  worker ran it, when its result was back;
- an asyncio event loop with 3 tasks: each step notes when it ran, between awaits.

Nothing here is a speedup (cpu_bound and io_bound time those, round by round):
these are pictures of one run, and what they show is when work overlapped.

Run it yourself from a clone:  python snippets/timelines.py
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from measured.run import measure, spans

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import Timelines

TIMEOUT = 60  # seconds; the build kills the run (and its workers) after this
WORKERS = 2  # two workers: enough to see turns or overlap, on any machine
CPU_TASK = 0.12  # seconds of pure-Python work per CPU task (calibrated below)
CPU_CHUNK = 0.0005  # seconds per chunk between two of its stamps
WAIT = 0.1  # seconds per I/O task
HANDOFF = 0.1  # seconds of work per thread in the GIL hand-off record
CHUNK = 0.0002  # seconds per chunk between two stamps there (a few hundred µs)
ROUND_TRIPS = 40  # tiny tasks sent to a worker process one at a time
ASYNC_TASKS, ASYNC_STEPS = 3, 4  # tasks on the event loop, steps each
ASYNC_STEP, ASYNC_AWAIT = 0.002, 0.004  # seconds of work per step, then await

# [worker, stamps] per task (CPU, I/O), [task, start, end] per asyncio step:
# seconds from the record's start
Lane = list[Any]


def spin(n: int) -> int:
    """Pure-Python arithmetic: holds the GIL the whole time on a GIL build."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def calibrate(seconds: float) -> int:
    """Loop iterations that take about ``seconds`` here."""
    n, took = 10_000, 0.0
    while took < 0.02:
        n *= 2
        start = time.monotonic()
        spin(n)
        took = time.monotonic() - start
    return max(1, int(n * seconds / took))


def cpu_task(size: tuple[int, int]) -> list[float]:
    """Pure-Python work in chunks, stamping the time before the first and after
    each: a long gap between two stamps is time this worker was not running."""
    n_chunk, chunks = size
    stamps = [time.monotonic()]
    for _ in range(chunks):
        spin(n_chunk)
        stamps.append(time.monotonic())
    return stamps


def io_task(seconds: float) -> list[float]:
    start = time.monotonic()
    time.sleep(seconds)  # releases the GIL while it waits
    return [start, time.monotonic()]


def ran_at(_: int) -> float:
    """A tiny task: when the worker process got to it."""
    return time.monotonic()


def round_trips(processes: Executor) -> list[list[float]]:
    """[sent, ran, back] per tiny task: pickled, piped to a worker, run, and its
    result piped back and unpickled; one task at a time, so none waits in a queue."""
    trips = []
    for i in range(ROUND_TRIPS):
        sent = time.monotonic()
        ran = processes.submit(ran_at, i).result()
        trips.append([sent, ran, time.monotonic()])
    t0 = trips[0][0]
    return [[round(t - t0, 6) for t in trip] for trip in trips]


def lanes(name: str, stamps: list[list[float]], t0: float) -> list[Lane]:
    """[worker, stamps from t0] per task, in the order the tasks were given."""
    return [
        [f"{name} {i}" if name != "main" else "main thread", [s - t0 for s in task]]
        for i, task in enumerate(stamps, 1)
    ]


def three_ways(
    task: Callable[[Any], list[float]],
    arg: Any,
    threads: Executor,
    processes: Executor,
) -> dict[str, list[Lane]]:
    """``task(arg)`` twice: one after another, in 2 threads, in 2 processes."""
    t0 = time.monotonic()
    serial = [task(arg) for _ in range(WORKERS)]
    out = {"serial": lanes("main", serial, t0)}
    for kind, pool in (("threads", threads), ("processes", processes)):
        t0 = time.monotonic()
        futures = [pool.submit(task, arg) for _ in range(WORKERS)]
        noun = "thread" if kind == "threads" else "process"
        out[kind] = lanes(noun, [f.result() for f in futures], t0)
    return out


def handoff(
    n_chunk: int, chunks: int, stamps: list[float], go: threading.Barrier
) -> None:
    go.wait()  # both threads start together
    for _ in range(chunks):
        spin(n_chunk)
        stamps.append(time.monotonic())


def gil_handoff(per_second: int) -> tuple[dict[str, list[float]], float]:
    n_chunk = max(1, int(per_second * CHUNK))
    chunks = int(HANDOFF / CHUNK)
    stamps: dict[str, list[float]] = {f"thread {i}": [] for i in (1, 2)}
    go = threading.Barrier(WORKERS + 1)
    threads = [
        threading.Thread(target=handoff, args=(n_chunk, chunks, s, go))
        for s in stamps.values()
    ]
    for t in threads:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for s in stamps.values():  # a first stamp at the common start
        s.insert(0, t0)
    for t in threads:
        t.join()
    return {k: [round(x - t0, 6) for x in s] for k, s in stamps.items()}, t0


async def step_task(name: str, n: int, t0: float, log: list[Lane]) -> None:
    for _ in range(ASYNC_STEPS):
        start = time.monotonic()
        spin(n)  # runs until the next await: no other task can run meanwhile
        log.append([name, start - t0, time.monotonic() - t0])
        await asyncio.sleep(ASYNC_AWAIT)  # hands control back to the event loop


async def event_loop(per_second: int) -> list[Lane]:
    log: list[Lane] = []
    t0 = time.monotonic()
    await asyncio.gather(
        *(
            step_task(f"task {i}", int(per_second * ASYNC_STEP), t0, log)
            for i in range(1, ASYNC_TASKS + 1)
        )
    )
    return log


def rounded(scenarios: dict[str, list[Lane]]) -> dict[str, list[Lane]]:
    """Stamps to the microsecond: finer than any gap the charts can show."""
    return {
        kind: [[worker, [round(s, 6) for s in stamps]] for worker, stamps in rows]
        for kind, rows in scenarios.items()
    }


def report(title: str, scenarios: dict[str, list[Lane]]) -> None:
    for kind, rows in scenarios.items():
        took = max(stamps[-1] for _, stamps in rows)
        ran = [spans.runs_from_stamps(stamps) for _, stamps in rows]
        together = spans.overlap_share(*ran) if len(ran) == 2 else 0.0
        shown = ", ".join(f"{w} {s[0] * 1000:.0f}-{s[-1] * 1000:.0f}" for w, s in rows)
        print(
            f"{title} {kind:<9} {took * 1000:4.0f} ms, both at once {together:4.0%}"
            f"  ({shown} ms)"
        )


def main() -> None:
    per_second = calibrate(1.0)
    n_chunk = max(1, int(per_second * CPU_CHUNK))
    size = (n_chunk, int(CPU_TASK / CPU_CHUNK))
    with ThreadPoolExecutor(WORKERS) as threads, ProcessPoolExecutor(WORKERS) as procs:
        measure.prestart(threads, WORKERS, hold=0.02)  # no start-up inside a record
        measure.prestart(procs, WORKERS, hold=0.05)
        cpu = rounded(three_ways(cpu_task, size, threads, procs))
        io = rounded(three_ways(io_task, WAIT, threads, procs))
        trips = round_trips(procs)
    stamps, _ = gil_handoff(per_second)
    steps = [
        [task, round(s, 6), round(e, 6)]
        for task, s, e in asyncio.run(event_loop(per_second))
    ]
    switch = sys.getswitchinterval()
    report("cpu", cpu)
    report("io ", io)
    turns = {k: spans.runs_from_stamps(v) for k, v in stamps.items()}
    both = spans.overlap_share(*turns.values())
    lengths = sorted(e - s for t in turns.values() for s, e in t)
    print(
        f"GIL hand-off: {sum(map(len, turns.values()))} turns, median "
        f"{lengths[len(lengths) // 2] * 1000:.1f} ms (switch interval "
        f"{switch * 1000:g} ms); both threads ran at once {both:.0%} of the time"
    )
    there = sorted(ran - sent for sent, ran, _ in trips)[len(trips) // 2]
    back = sorted(done - ran for _, ran, done in trips)[len(trips) // 2]
    print(
        f"round trip of a tiny task to a worker process: there {there * 1000:.2f} ms, "
        f"back {back * 1000:.2f} ms (medians of {len(trips)})"
    )
    print(f"asyncio: {len(steps)} steps of {ASYNC_TASKS} tasks, one at a time")
    result: Timelines = {
        "experiment": "timelines",
        "workers": WORKERS,
        "cpu_task": CPU_TASK,
        "wait": WAIT,
        "cpu_chunk": CPU_CHUNK,
        "chunk": CHUNK,
        "switch_interval": switch,
        "cpu": cpu,
        "io": io,
        "handoff": stamps,
        "asyncio": steps,
        "round_trips": trips,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
