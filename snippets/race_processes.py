"""The same lost-update race across processes, and which locks fix it.

PROCESSES forked children each add 1 to one shared ``multiprocessing.Value``
ITERATIONS times:

- unlocked:        ``value.value += 1``: a read and a write, each atomic on its own;
- value lock:      the same inside ``with value.get_lock():``;
- threading.Lock:  inside ``with lock:`` where lock is a ``threading.Lock`` the
                   children inherited through fork: each child holds its own copy;
- process lock:    inside ``with lock:`` where lock is a ``multiprocessing.Lock``.

It also shows why a threading.Lock cannot reach another process any other way:
it cannot even be pickled to be sent there. What is recorded is what each trial
observed: how many updates went missing, and the error pickling raised.

Run it yourself from a clone:  python snippets/race_processes.py
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import ProcessRaceRow, RaceProcesses

TIMEOUT = 60
PROCESSES = 2
ITERATIONS = 30_000  # increments per process
TRIALS = 3


def unlocked(value: Synchronized, lock: Any, start: Any) -> None:
    start.wait()  # every child starts counting at the same moment
    for _ in range(ITERATIONS):
        value.value += 1  # get (locked), add, set (locked): not one step


def value_lock(value: Synchronized, lock: Any, start: Any) -> None:
    start.wait()
    for _ in range(ITERATIONS):
        with value.get_lock():  # the lock that lives in shared memory with the value
            value.value += 1


def with_lock(value: Synchronized, lock: Any, start: Any) -> None:
    start.wait()
    for _ in range(ITERATIONS):
        with lock:
            value.value += 1


WAYS = {
    "unlocked": (unlocked, None),
    "value.get_lock()": (value_lock, None),
    "threading.Lock": (with_lock, threading.Lock),
    "multiprocessing.Lock": (with_lock, "process"),
}


def lost_updates(ctx: Any, worker: Any, lock_kind: Any) -> int:
    value = ctx.Value("i", 0)
    if lock_kind == "process":
        lock = ctx.Lock()
    elif lock_kind is None:
        lock = None
    else:
        lock = lock_kind()  # created here; each forked child gets a private copy
    start = ctx.Barrier(PROCESSES)
    children = [
        ctx.Process(target=worker, args=(value, lock, start)) for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join()
        assert child.exitcode == 0, f"child exited with {child.exitcode}"
    return PROCESSES * ITERATIONS - value.value


def pickle_error() -> str:
    try:
        pickle.dumps(threading.Lock())
    except TypeError as error:
        return repr(error)
    return "(pickled without error)"


def main() -> None:
    expected = PROCESSES * ITERATIONS
    fork = "fork" in multiprocessing.get_all_start_methods()
    print(
        f"{PROCESSES} processes x {ITERATIONS:,} increments = {expected:,} expected, "
        f"{TRIALS} trials each, {measure.usable_cores()} usable cores"
    )
    rows: list[ProcessRaceRow] = []
    if fork:
        # fork, so that a threading.Lock can be inherited at all
        ctx = multiprocessing.get_context("fork")
        for name, (worker, lock_kind) in WAYS.items():
            lost = [lost_updates(ctx, worker, lock_kind) for _ in range(TRIALS)]
            rows.append({"way": name, "lost": lost})
            counts = ", ".join(f"{n:,}" for n in lost)
            print(f"{name:<21} lost updates per trial: {counts}")
    else:
        print("this platform has no fork start method: the fork trials are skipped")
    error = pickle_error()
    print(f"pickle.dumps(threading.Lock()) -> {error}")
    result: RaceProcesses = {
        "experiment": "race_processes",
        "processes": PROCESSES,
        "iterations": ITERATIONS,
        "expected": expected,
        "trials": TRIALS,
        "fork_available": fork,
        "rows": rows,
        "pickle_error": error,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
