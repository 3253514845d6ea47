"""Threads: one process, one address space, and the Thread API beyond start()/join().

Starts a few threads and shows, from their own point of view, that they share the
process ID (os.getpid) but each has its own OS thread ID (threading.get_native_id),
that they all mutate the same list, that join() waits for *that* thread only, that
join(timeout) can return while the thread still runs, what a daemon thread does to
process exit, and that threading.local gives each thread its own attribute values.

Run it yourself from a clone:  python snippets/threads_basics.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's shape and its parts, for type checkers only
    from measured.run.shapes import part1 as shape

THREADS = 4
APPENDS = 10_000  # items each thread appends to the shared list
JOIN_TIMEOUT = 0.05  # seconds: join(timeout=...) on a thread that keeps running
DAEMON_SLEEP = 60  # seconds the daemon thread sleeps in the child interpreter
# The child gets this long to exit; one that is still running is recorded, not
# waited for: a daemon thread that kept the process alive would show up here.
CHILD_TIMEOUT = 20

# A child interpreter that starts a daemon thread sleeping for a minute, then ends.
DAEMON_CHILD = f"""
import threading, time
threading.Thread(target=time.sleep, args=({DAEMON_SLEEP},), daemon=True).start()
print("main thread done; the daemon thread is still sleeping")
"""


def whoami(seen: list[dict[str, object]], barrier: threading.Barrier) -> None:
    """Record the IDs this thread sees for itself, while all the others run too."""
    barrier.wait()  # every thread is alive at once: no ID can be reused
    seen.append(
        {
            "name": threading.current_thread().name,
            "pid": os.getpid(),
            "native_id": threading.get_native_id(),
            "ident": threading.get_ident(),
        }
    )


def append_many(shared: list[int], start: int) -> None:
    for i in range(start, start + APPENDS):
        shared.append(i)


class Greeter(threading.Thread):
    """Subclassing Thread and overriding run() is the other way to give it work."""

    def __init__(self, greeting: str) -> None:
        super().__init__(name="greeter")
        self.greeting = greeting
        self.said = ""

    def run(self) -> None:
        self.said = f"{self.greeting} from {self.name}"


def identities() -> list[dict[str, object]]:
    seen: list[dict[str, object]] = []
    barrier = threading.Barrier(THREADS + 1)
    workers = [
        threading.Thread(target=whoami, args=(seen, barrier), name=f"worker-{i}")
        for i in range(THREADS)
    ]
    for t in workers:
        t.start()
    whoami(seen, barrier)  # the main thread too
    for t in workers:
        t.join()
    return seen


def shared_list() -> list[int]:
    """Every thread appends its own range of numbers to one list made here."""
    shared: list[int] = []
    workers = [
        threading.Thread(target=append_many, args=(shared, i * APPENDS))
        for i in range(THREADS)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    # Whatever the threads did, this list is what the main thread sees.
    return shared


def thread_api() -> shape.ThreadApi:
    release = threading.Event()
    slow = threading.Thread(target=release.wait, name="slow", daemon=True)
    fast = threading.Thread(target=lambda: None, name="fast")
    before = {
        "ident": slow.ident,
        "native_id": slow.native_id,
        "alive": slow.is_alive(),
    }
    slow.start()
    fast.start()
    fast.join()  # waits for `fast` only
    after_fast_join = {"fast_alive": fast.is_alive(), "slow_alive": slow.is_alive()}
    start = time.perf_counter()
    slow.join(timeout=JOIN_TIMEOUT)
    join_seconds = time.perf_counter() - start
    alive_after_timeout = slow.is_alive()
    release.set()
    slow.join()
    greeter = Greeter("hello")
    greeter.start()
    greeter.join()
    return {
        "before_start": before,
        "after_start": {"ident": slow.ident, "native_id": slow.native_id},
        "after_fast_join": after_fast_join,
        "join_timeout": JOIN_TIMEOUT,
        "join_timeout_seconds": join_seconds,
        "alive_after_join_timeout": alive_after_timeout,
        "alive_after_release": slow.is_alive(),
        "daemon": slow.daemon,
        "greeter_said": greeter.said,
        "public_api": sorted(n for n in dir(threading.Thread) if not n.startswith("_")),
    }


def thread_local() -> shape.ThreadLocal:
    local = threading.local()
    local.value = "main"
    seen: dict[str, str | None] = {}

    def set_and_read(value: str) -> None:
        # Before setting it, this thread does not see main's attribute at all.
        seen[f"{value} before"] = getattr(local, "value", None)
        local.value = value
        seen[value] = local.value

    workers = [
        threading.Thread(target=set_and_read, args=(f"t{i}",)) for i in range(THREADS)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"seen": seen, "main_after": local.value}


def daemon_exit() -> shape.DaemonChild:
    """A daemon thread does not keep the process alive: the child ends at once."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", DAEMON_CHILD],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired as expired:  # still running: record it
        out = expired.stdout or ""
        return {
            "exited": False,
            "seconds": time.perf_counter() - start,
            "returncode": None,
            "stdout": (out if isinstance(out, str) else out.decode()).strip(),
        }
    return {
        "exited": True,
        "seconds": time.perf_counter() - start,
        "returncode": proc.returncode,
        "stdout": proc.stdout.strip(),
    }


def main() -> None:
    seen = identities()
    pids = sorted({row["pid"] for row in seen})
    native_ids = sorted({row["native_id"] for row in seen})
    print(f"{'thread':<12} {'os.getpid()':>11} {'get_native_id()':>15}")
    for row in seen:
        print(f"{row['name']:<12} {row['pid']:>11} {row['native_id']:>15}")
    print(
        f"{len(seen)} threads: {len(pids)} process ID, "
        f"{len(native_ids)} different native thread IDs"
    )

    shared = shared_list()
    length = len(shared)
    # How many of each thread's numbers the main thread's list holds.
    per_thread = [0] * THREADS
    for item in shared:
        per_thread[item // APPENDS] += 1
    print(
        f"\n{THREADS} threads x {APPENDS:,} appends to one list -> "
        f"len(shared) == {length:,}; from each thread: {per_thread}"
    )

    api = thread_api()
    print("\nThread API")
    print(
        f"  before start(): ident={api['before_start']['ident']}, "
        f"native_id={api['before_start']['native_id']}, "
        f"is_alive()={api['before_start']['alive']}"
    )
    print(
        f"  fast.join() returned: fast alive={api['after_fast_join']['fast_alive']}, "
        f"slow alive={api['after_fast_join']['slow_alive']}"
    )
    print(
        f"  slow.join(timeout={api['join_timeout']}) returned after "
        f"{api['join_timeout_seconds'] * 1000:.0f} ms; "
        f"slow.is_alive() = {api['alive_after_join_timeout']}"
    )
    print(f"  after release + join(): slow.is_alive() = {api['alive_after_release']}")
    print(f"  slow.daemon = {api['daemon']}; subclass run(): {api['greeter_said']!r}")
    print(f"  {len(api['public_api'])} public names: {', '.join(api['public_api'])}")

    local = thread_local()
    print("\nthreading.local")
    for key, value in local["seen"].items():
        print(f"  {key!s:<10} -> {value!r}")
    print(f"  main thread still sees {local['main_after']!r}")

    daemon = daemon_exit()
    ended = "exited" if daemon["exited"] else "was still running"
    print(
        f"\ndaemon thread sleeping {DAEMON_SLEEP} s: child {ended} after "
        f"{daemon['seconds']:.2f} s"
    )

    result: shape.ThreadsBasics = {
        "experiment": "threads_basics",
        "threads": len(seen),
        "pids": pids,
        "native_ids": len(native_ids),
        "appending_threads": THREADS,
        "appends_expected": THREADS * APPENDS,
        "appends_per_thread": APPENDS,
        "shared_list_length": length,
        "found_per_thread": per_thread,
        "api": api,
        "local": local,
        "daemon_sleep": DAEMON_SLEEP,
        "daemon_child": daemon,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
