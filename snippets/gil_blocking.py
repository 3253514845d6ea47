"""Blocking calls release the GIL: another thread keeps running Python meanwhile.

A "ticker" thread counts as fast as it can in pure Python. The main thread then
spends a fixed window in one of several calls, and we read how far the ticker got:

- waiting on a lock (threading.Event.wait): the baseline, the ticker runs alone;
- time.sleep, a socket recv that waits for data, reads from a file;
- a pure-Python loop, which needs the GIL itself.

If a call releases the GIL, the ticker keeps its baseline pace. If the main thread
holds the GIL (pure Python), the two threads take turns and the ticker slows down.
Each round runs every call once, in a new random order, and records how long it
took and how many ticks the ticker made meanwhile; the ticker's pace in a call is
compared with its pace in the same round's lock wait.

Run it yourself from a clone:  python snippets/gil_blocking.py
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import GilBlocking

WINDOW = 0.05  # seconds the main thread spends in each call per round
ROUNDS = 9  # fixed in advance: [2nd, 8th] of 9 per-round paces is a 96 % interval
# No ratio of these rounds decides a claim of the guide: the build adds no run
# for their noise (see JUDGED in CONTRIBUTING.md).
JUDGED = ()
WARMUP = 1  # one untimed round first (its ticks are dropped too)
FILE_BYTES = 4 * 1024 * 1024  # the file read again and again during the window

ticks = 0  # the ticker's progress, read by the main thread
stop = threading.Event()


def ticker() -> None:
    global ticks
    while not stop.is_set():
        for _ in range(1000):  # check the event now and then, count in between
            ticks += 1


def wait_on_lock() -> None:
    threading.Event().wait(WINDOW)


def sleep() -> None:
    time.sleep(WINDOW)


def make_socket_wait() -> tuple[Callable[[], None], Callable[[], None]]:
    """recv() on a connected socket that gets no data: it waits, then times out."""
    a, b = socket.socketpair()
    a.settimeout(WINDOW)

    def recv() -> None:
        with contextlib.suppress(TimeoutError):  # no data came: the wait is over
            a.recv(1)

    def close() -> None:
        a.close()
        b.close()

    return recv, close


def make_file_read() -> tuple[Callable[[], None], Callable[[], None]]:
    """Read a 4 MiB file into a buffer, again and again, until the window is over."""
    fd, path = tempfile.mkstemp(prefix="gil-blocking-")
    os.write(fd, os.urandom(FILE_BYTES))
    os.close(fd)
    buffer = bytearray(FILE_BYTES)

    def read() -> None:
        deadline = time.perf_counter() + WINDOW
        with open(path, "rb", buffering=0) as f:
            while time.perf_counter() < deadline:
                f.seek(0)
                f.readinto(buffer)

    return read, lambda: os.unlink(path)


def python_loop() -> None:
    """Pure Python: holds the GIL except when the interpreter asks it to switch."""
    deadline = time.perf_counter() + WINDOW
    n = 0
    while time.perf_counter() < deadline:
        n += 1


def counted(fn: Callable[[], None], counts: list[int]) -> Callable[[], None]:
    """Wrap a call so each run records how far the ticker got meanwhile."""

    def call() -> None:
        start = ticks
        fn()
        counts.append(ticks - start)

    return call


def main() -> None:
    recv, close_sockets = make_socket_wait()
    read_file, remove_file = make_file_read()
    calls = {
        "wait on a lock": wait_on_lock,
        "time.sleep": sleep,
        "socket recv": recv,
        "file read": read_file,
        "pure Python": python_loop,
    }
    counts: dict[str, list[int]] = {name: [] for name in calls}
    thread = threading.Thread(target=ticker, name="ticker")
    thread.start()
    try:
        rounds = measure.time_rounds(
            {name: counted(fn, counts[name]) for name, fn in calls.items()},
            rounds=ROUNDS,
            warmup=WARMUP,
        )
    finally:
        stop.set()
        thread.join()
        close_sockets()
        remove_file()
    # The ticks of each timed call, in the same order as its seconds in `rounds`.
    ticks_seen = {name: values[WARMUP:] for name, values in counts.items()}
    record = rounds.to_dict()
    baseline = "wait on a lock"

    def paces(name: str) -> list[float]:
        return [
            c / t
            for c, t in zip(ticks_seen[name], record["samples"][name], strict=True)
        ]

    print(
        f"switch interval {sys.getswitchinterval() * 1000:g} ms, "
        f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}, "
        f"{measure.usable_cores()} usable cores, {ROUNDS} rounds of "
        f"{WINDOW * 1000:g} ms per call"
    )
    print(f"{'main thread is in':<16} {'ticker counts/s':>16} {'vs lock wait':>13}")
    for name in calls:
        pace = statistics.median(paces(name))
        share = statistics.median(
            a / b for a, b in zip(paces(name), paces(baseline), strict=True)
        )
        print(f"{name:<16} {pace:16,.0f} {share:12.0%}")
    result: GilBlocking = {
        "experiment": "gil_blocking",
        "window": WINDOW,
        "switch_interval": sys.getswitchinterval(),
        "baseline": baseline,
        "calls": list(calls),
        "file_bytes": FILE_BYTES,
        "rounds": record,
        "ticks": ticks_seen,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
