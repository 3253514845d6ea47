"""CPU-bound work: serial vs ThreadPoolExecutor vs ProcessPoolExecutor.

The same fixed amount of pure-Python work (TASKS equal tasks) runs serially, then in
thread pools and process pools of 1 to 2 x cores workers. Pools are started before
timing, so this measures parallel execution, not start-up cost. The configurations
take turns, round after round, so a noisy neighbour slows them all alike.

Run it yourself from a clone:  python snippets/cpu_bound.py
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack

from measured import measure

TIMEOUT = 180  # seconds; the build kills the run (and its workers) after this
TASKS = 8  # the total work is split into this many equal tasks
SIZE = 800_000  # loop iterations per task


def work(n: int) -> int:
    """Pure-Python arithmetic: holds the GIL the whole time on a GIL build."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def run_serial() -> list[int]:
    return [work(SIZE) for _ in range(TASKS)]


def run_pooled(executor: Executor) -> list[int]:
    return list(executor.map(work, [SIZE] * TASKS))


def label(kind: str, workers: int) -> str:
    return f"{kind:<9} {workers} worker{'s' if workers > 1 else ' '}"


def main() -> None:
    cores = measure.usable_cores()
    start_method = multiprocessing.get_start_method()
    print(
        f"{TASKS} tasks x {SIZE:,} iterations, {cores} usable cores, "
        f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}, "
        f"process start method {start_method}"
    )
    expected = run_serial()
    configs = [
        (kind, workers)
        for kind in ("threads", "processes")
        for workers in range(1, 2 * cores + 1)
    ]
    pool_types: dict[str, Callable[[int], Executor]] = {
        "threads": ThreadPoolExecutor,
        "processes": ProcessPoolExecutor,
    }
    with ExitStack() as stack:
        pools = {
            config: stack.enter_context(pool_types[config[0]](config[1]))
            for config in configs
        }
        for pool in pools.values():
            assert run_pooled(pool) == expected, "wrong result"  # also starts workers
        # Every round times serial and every pool once, so background noise on
        # this shared machine hits all of them alike (see measure.time_interleaved).
        timings = measure.time_interleaved(
            {
                "serial": run_serial,
                **{
                    config: (lambda pool=pool: run_pooled(pool))
                    for config, pool in pools.items()
                },
            }
        )
    serial = timings["serial"]
    print(
        f"{'serial':<9} 1 worker   {serial.median:6.3f} s  "
        f"(min {serial.min:.3f}, max {serial.max:.3f})"
    )
    rows = []
    for kind, workers in configs:
        timing = timings[(kind, workers)]
        gain = measure.speedup(serial, timing)
        rows.append(
            {
                "kind": kind,
                "workers": workers,
                "timing": timing.to_dict(),
                "speedup": gain,
                "efficiency": measure.efficiency(gain, workers, cores),
            }
        )
        print(
            f"{label(kind, workers)}  {timing.median:6.3f} s  speedup {gain:4.2f}x"
            f"  efficiency {rows[-1]['efficiency']:4.0%}  (spread {timing.spread:.0%})"
        )
    best = {
        kind: max((r for r in rows if r["kind"] == kind), key=lambda r: r["speedup"])
        for kind in ("threads", "processes")
    }
    measure.emit(
        {
            "experiment": "cpu_bound",
            "tasks": TASKS,
            "size": SIZE,
            "cores": cores,
            "start_method": start_method,
            "serial": serial.to_dict(),
            "rows": rows,
            "best": {
                k: {"workers": r["workers"], "speedup": r["speedup"]}
                for k, r in best.items()
            },
        }
    )


if __name__ == "__main__":
    main()
