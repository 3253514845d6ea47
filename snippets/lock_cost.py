"""What a lock costs: uncontended vs contended, per acquisition.

The same critical section (``with lock: touch()``, a few lines of Python) runs
OPERATIONS times in total:

- no lock, one thread: the bare loop and call, for reference;
- ``threading.Lock``, ``threading.RLock`` and ``multiprocessing.Lock``, one thread:
  nobody else ever wants the lock (uncontended);
- ``threading.Lock`` shared by CONTENDERS threads splitting the same work: a thread
  is often switched out while it holds the lock, and the others block on it.

The configurations take turns, round after round (measure.time_interleaved).

Run it yourself from a clone:  python snippets/lock_cost.py
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from measured import measure

TIMEOUT = 60
OPERATIONS = 50_000  # lock acquisitions per configuration, in total
CONTENDERS = 4


def touch() -> int:
    """The critical section: a few lines of Python (the GIL may switch inside)."""
    total = 0
    for i in range(10):
        total += i
    return total


def bare(lock: None, n: int, start: threading.Barrier) -> None:
    start.wait()
    for _ in range(n):
        touch()


def hammer(
    lock: AbstractContextManager[object], n: int, start: threading.Barrier
) -> None:
    start.wait()  # all threads begin together, so they really compete
    for _ in range(n):
        with lock:
            touch()


def in_threads(
    lock: AbstractContextManager[object] | None, threads: int, work: Callable = hammer
) -> None:
    start = threading.Barrier(threads)
    workers = [
        threading.Thread(target=work, args=(lock, OPERATIONS // threads, start))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def main() -> None:
    configs: dict[str, Callable[[], None]] = {
        "no lock, 1 thread": lambda: in_threads(None, 1, bare),
        "Lock, 1 thread (uncontended)": lambda: in_threads(threading.Lock(), 1),
        "RLock, 1 thread (uncontended)": lambda: in_threads(threading.RLock(), 1),
        "multiprocessing.Lock, 1 thread (uncontended)": lambda: in_threads(
            multiprocessing.Lock(), 1
        ),
        f"Lock, {CONTENDERS} threads (contended)": lambda: in_threads(
            threading.Lock(), CONTENDERS
        ),
    }
    timings = measure.time_interleaved(configs, repeats=5)
    print(f"{OPERATIONS:,} acquisitions per configuration, median of 5 rounds")
    rows = []
    for name, timing in timings.items():
        ns = timing.median / OPERATIONS * 1e9
        rows.append({"config": name, "ns_per_op": ns, "timing": timing.to_dict()})
        print(f"{name:<46} {ns:7.0f} ns per operation  (spread {timing.spread:.0%})")
    per_op = {row["config"]: row["ns_per_op"] for row in rows}
    uncontended = per_op["Lock, 1 thread (uncontended)"]
    contended = per_op[f"Lock, {CONTENDERS} threads (contended)"]
    baseline = per_op["no lock, 1 thread"]
    print(
        f"the lock itself adds {uncontended - baseline:.0f} ns uncontended and "
        f"{contended - baseline:.0f} ns contended; contended / uncontended: "
        f"{contended / uncontended:.1f}x per operation"
    )
    measure.emit(
        {
            "experiment": "lock_cost",
            "operations": OPERATIONS,
            "contenders": CONTENDERS,
            "rows": rows,
            "uncontended_ns": uncontended,
            "contended_ns": contended,
            "no_lock_ns": baseline,
            "contention_ratio": contended / uncontended,
        }
    )


if __name__ == "__main__":
    main()
