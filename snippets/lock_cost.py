"""What a lock costs: uncontended vs contended, per acquisition.

Uncontended: one thread takes and releases a lock OPERATIONS times around a tiny
critical section; nobody else ever wants the lock. For ``threading.Lock``,
``threading.RLock`` and ``multiprocessing.Lock``, against the same loop with no
lock at all.

Contended: two threads relay one baton HANDOFFS times. Each thread blocks in
``acquire()`` until the other releases, so *every* acquisition finds the lock taken
and has to sleep and be woken up: the cost a contended lock adds each time it is
actually contended.

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
OPERATIONS = 100_000  # uncontended acquisitions per configuration
HANDOFFS = 5_000  # contended acquisitions per thread


def touch() -> None:
    """The critical section: as small as it gets."""


def bare(n: int) -> None:
    for _ in range(n):
        touch()


def locked(lock: AbstractContextManager[object], n: int) -> None:
    for _ in range(n):
        with lock:
            touch()


def relay(mine: threading.Lock, theirs: threading.Lock, n: int) -> None:
    for _ in range(n):
        mine.acquire()  # blocks until the other thread releases it
        touch()
        theirs.release()  # wake the other thread


def handoffs() -> None:
    a, b = threading.Lock(), threading.Lock()
    a.acquire()
    b.acquire()
    threads = [
        threading.Thread(target=relay, args=(a, b, HANDOFFS)),
        threading.Thread(target=relay, args=(b, a, HANDOFFS)),
    ]
    for thread in threads:
        thread.start()
    a.release()  # start the relay
    for thread in threads:
        thread.join()


def main() -> None:
    uncontended: dict[str, Callable[[], None]] = {
        "no lock": lambda: bare(OPERATIONS),
        "Lock, uncontended": lambda: locked(threading.Lock(), OPERATIONS),
        "RLock, uncontended": lambda: locked(threading.RLock(), OPERATIONS),
        "multiprocessing.Lock, uncontended": lambda: locked(
            multiprocessing.Lock(), OPERATIONS
        ),
    }
    configs = {**uncontended, "Lock, contended (every acquire waits)": handoffs}
    timings = measure.time_interleaved(configs, repeats=5)
    counts = {name: OPERATIONS for name in uncontended}
    counts["Lock, contended (every acquire waits)"] = 2 * HANDOFFS
    print("per acquisition (per loop turn for 'no lock'), median of 5 rounds")
    rows = []
    for name, timing in timings.items():
        ns = timing.median / counts[name] * 1e9
        rows.append(
            {
                "config": name,
                "acquisitions": counts[name],
                "ns_per_op": ns,
                "timing": timing.to_dict(),
            }
        )
        print(f"{name:<38} {ns:8,.0f} ns  (spread {timing.spread:.0%})")
    per_op = {row["config"]: row["ns_per_op"] for row in rows}
    baseline = per_op["no lock"]
    free = per_op["Lock, uncontended"]
    waited = per_op["Lock, contended (every acquire waits)"]
    print(
        f"an uncontended Lock adds {free - baseline:,.0f} ns per acquisition; "
        f"a contended acquisition costs {waited / free:,.0f}x an uncontended one"
    )
    measure.emit(
        {
            "experiment": "lock_cost",
            "operations": OPERATIONS,
            "handoffs": HANDOFFS,
            "rows": rows,
            "no_lock_ns": baseline,
            "uncontended_ns": free,
            "contended_ns": waited,
            "contention_ratio": waited / free,
        }
    )


if __name__ == "__main__":
    main()
