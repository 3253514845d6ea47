"""What a lock costs: uncontended vs contended, per acquisition.

Uncontended: one thread takes and releases a lock many times around a tiny critical
section; nobody else ever wants the lock. For ``threading.Lock``,
``threading.RLock`` and ``multiprocessing.Lock``, against the same loop with no
lock at all.

Contended: two threads relay one baton. Each thread blocks in ``acquire()`` until
the other releases, so *every* acquisition finds the lock taken and has to sleep
and be woken up: the cost a contended lock adds each time it is actually contended.
On Linux both relay threads are pinned to one core, so every round measures the
same kind of hand-off. Left to the OS, the two threads sometimes share a core and
sometimes not, and the per-round times would mix the two kinds (a hand-off across
cores may cost more or less; this script does not measure it).

Each configuration repeats its operation often enough to run for tens of
milliseconds. Each round times every configuration once, in a new random order;
costs per acquisition and their ratios come from the per-round times, paired by
round.

Run it yourself from a clone:  python snippets/lock_cost.py
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import LockCost

TIMEOUT = 60
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 paired ratios
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("rounds: Lock, contended / Lock",)
# Operations per configuration and round: about 35 ms each for the configurations
# the claims compare (no lock, Lock, contended Lock), 20 ms for the others, on the
# build machine.
OPERATIONS = {
    "Lock": 180_000,
    "no lock": 1_100_000,
    "RLock": 100_000,
    "multiprocessing.Lock": 80_000,
}
HANDOFFS = 6_000  # contended acquisitions per thread (two threads)
# Where the relay threads may run: one core, if this OS lets a thread choose.
PIN = hasattr(os, "sched_setaffinity")


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
    if PIN:  # on Linux this pins the calling thread only
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
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
    locks: dict[str, Callable[[], AbstractContextManager[object]]] = {
        "Lock": threading.Lock,
        "RLock": threading.RLock,
        "multiprocessing.Lock": multiprocessing.Lock,
    }
    configs: dict[str, Callable[[], None]] = {
        # The uncontended Lock first: the baseline of both comparisons.
        "Lock": lambda: locked(threading.Lock(), OPERATIONS["Lock"]),
        "no lock": lambda: bare(OPERATIONS["no lock"]),
        **{
            name: (lambda make=make, n=OPERATIONS[name]: locked(make(), n))
            for name, make in locks.items()
            if name != "Lock"
        },
        "Lock, contended": handoffs,
    }
    acquisitions = {**OPERATIONS, "Lock, contended": 2 * HANDOFFS}
    rounds = measure.time_rounds(configs, rounds=ROUNDS)
    print(f"per acquisition (per loop turn for 'no lock'); {ROUNDS} rounds, shuffled")
    for name in configs:
        t = rounds.timing(name)
        n = acquisitions[name]
        print(
            f"{name:<22} {t.estimate / n * 1e9:8,.0f} ns  "
            f"[{t.low / n * 1e9:,.0f}–{t.high / n * 1e9:,.0f}]  ({n:,} per round)"
        )
    per_round = {
        name: [s / acquisitions[name] for s in rounds.samples[name]] for name in configs
    }
    added = sorted(
        (lock - none) * 1e9
        for lock, none in zip(per_round["Lock"], per_round["no lock"], strict=True)
    )
    waited = sorted(
        c / u
        for c, u in zip(per_round["Lock, contended"], per_round["Lock"], strict=True)
    )
    print(
        f"an uncontended Lock adds {added[len(added) // 2]:,.0f} ns per acquisition; "
        f"a contended acquisition costs {waited[len(waited) // 2]:,.0f}x an "
        "uncontended one (medians of the rounds)"
    )
    result: LockCost = {
        "experiment": "lock_cost",
        # Acquisitions (loop turns for "no lock") each configuration made per
        # round: per-acquisition costs are the round's seconds / this.
        "acquisitions": acquisitions,
        "relay_pinned_to_one_core": PIN,
        "rounds": rounds.to_dict(),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
