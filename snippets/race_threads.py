"""A lost-update race between threads, and the Lock that fixes it.

Four threads each add 1 to a shared counter ITERATIONS times, in three ways:

- naive:  ``counter.value += 1`` (one statement);
- unsafe: read the value, call a function, write value + 1 (read -> call -> write);
- locked: the same read -> call -> write inside ``with lock:``.

Every way runs TRIALS times with the default switch interval and with a tiny one
(``sys.setswitchinterval``), which makes the interpreter hand the GIL over far more
often and so exposes the race reliably. A Barrier starts the threads together.
It also appends to one shared list from every thread (a single C-level operation).
What is recorded is what each trial observed: how many updates went missing.

Run it yourself from a clone:  python snippets/race_threads.py
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import RaceThreads, ThreadRaceRow

TIMEOUT = 60
THREADS = 4
ITERATIONS = 20_000  # increments per thread
TRIALS = 3
TINY_INTERVAL = 1e-5  # seconds; the default is 0.005


class Counter:
    def __init__(self) -> None:
        self.value = 0


def validate(value: int) -> int:
    """Stands for any call between the read and the write: logging, a check, I/O."""
    return value


def naive(counter: Counter, lock: threading.Lock) -> None:
    for _ in range(ITERATIONS):
        counter.value += 1


def unsafe(counter: Counter, lock: threading.Lock) -> None:
    for _ in range(ITERATIONS):
        value = counter.value  # read
        validate(value)  # call: the interpreter may switch threads here
        counter.value = value + 1  # write: overwrites whatever others wrote since


def locked(counter: Counter, lock: threading.Lock) -> None:
    for _ in range(ITERATIONS):
        with lock:  # read, call and write now happen as one step
            value = counter.value
            validate(value)
            counter.value = value + 1


def appender(items: list[int]) -> None:
    for i in range(ITERATIONS):
        items.append(i)


def start_together(targets: list[Callable[[], None]]) -> None:
    barrier = threading.Barrier(len(targets))

    def wrapped(target: Callable[[], None]) -> None:
        barrier.wait()  # no thread gets a head start
        target()

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def lost_updates(increment: Callable[[Counter, threading.Lock], None]) -> int:
    counter, lock = Counter(), threading.Lock()
    start_together([lambda: increment(counter, lock) for _ in range(THREADS)])
    return THREADS * ITERATIONS - counter.value


def lost_appends() -> int:
    items: list[int] = []
    start_together([lambda: appender(items) for _ in range(THREADS)])
    return THREADS * ITERATIONS - len(items)


def main() -> None:
    expected = THREADS * ITERATIONS
    print(
        f"{THREADS} threads x {ITERATIONS:,} increments = {expected:,} expected, "
        f"{TRIALS} trials each, Python {sys.version.split()[0]}, "
        f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}"
    )
    default_interval = sys.getswitchinterval()
    rows: list[ThreadRaceRow] = []
    for interval in (default_interval, TINY_INTERVAL):
        sys.setswitchinterval(interval)
        try:
            for name, fn in (("naive", naive), ("unsafe", unsafe), ("locked", locked)):
                lost = [lost_updates(fn) for _ in range(TRIALS)]
                rows.append({"way": name, "interval": interval, "lost": lost})
                print(
                    f"switch interval {interval * 1000:g} ms  {name:<6}  lost updates "
                    f"per trial: {', '.join(f'{n:,}' for n in lost)}"
                )
            appends = [lost_appends() for _ in range(TRIALS)]
            rows.append({"way": "append", "interval": interval, "lost": appends})
            print(
                f"switch interval {interval * 1000:g} ms  list.append  lost items per "
                f"trial: {', '.join(map(str, appends))}"
            )
        finally:
            sys.setswitchinterval(default_interval)
    result: RaceThreads = {
        "experiment": "race_threads",
        "threads": THREADS,
        "iterations": ITERATIONS,
        "expected": expected,
        "trials": TRIALS,
        "default_interval": default_interval,
        "tiny_interval": TINY_INTERVAL,
        "rows": rows,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
