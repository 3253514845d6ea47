"""Small facts the original article gets wrong, checked on this interpreter.

Not every claim needs a benchmark. "Thread has two methods" or "the two modules'
APIs match" are settled by asking Python itself: this script lists the public API
of threading.Thread and multiprocessing.Process, the synchronization primitives both
modules offer, and the concurrency tools in the standard library. Three claims are
settled by doing it once: an open socket is sent to a process that is already
running (multiprocessing pickles it through multiprocessing.reduction), threads
keep their own local variables while they run the same function at once, and a
thread that raises is reported to threading.excepthook while join() returns.

Run it yourself from a clone:  python snippets/errata_facts.py
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import socket
import threading
import time
from multiprocessing import resource_sharer
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.errata_facts import (
        ErrataFacts,
        LocalCount,
        SocketSent,
        ThreadError,
    )

PRIMITIVES = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Condition")
PRIMITIVES += ("Barrier",)
STDLIB_TOOLS = (
    "threading",
    "multiprocessing",
    "concurrent.futures",
    "asyncio",
    "concurrent.interpreters",  # 3.14+
)


WAIT = 20.0  # seconds: an upper bound on any step below, never reached when it works
COUNTS = (20_000, 30_000, 40_000)  # what each thread counts in its own local variable


def public_api(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def write_through(conn: Connection) -> None:
    """In the child: receive an open socket over the pipe and write its PID into it."""
    sock = conn.recv()
    with sock:
        sock.sendall(str(os.getpid()).encode())
    conn.close()


def send_a_socket() -> SocketSent:
    """Send an open socket to a child that was started before the socket existed
    (so it cannot have inherited it); the child writes its PID through it."""
    parent_end, child_end = multiprocessing.Pipe()
    child = multiprocessing.Process(target=write_through, args=(child_end,))
    child.start()
    ours, theirs = socket.socketpair()
    error, received = None, b""
    try:
        parent_end.send(theirs)  # pickled by multiprocessing.reduction (DupFd)
        theirs.close()
        ours.settimeout(WAIT)
        while chunk := ours.recv(64):
            received += chunk
    except (OSError, TypeError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    finally:
        child.join(WAIT)
        for end in (ours, theirs, parent_end, child_end):
            end.close()
        resource_sharer.stop()  # the fd-passing server thread, if one started
    return {
        "parent_pid": os.getpid(),
        "child_pid": child.pid or 0,
        "writer_pid": int(received) if received.isdigit() else None,
        "error": error,
    }


def count_locally(n: int, start: threading.Barrier, out: list[int], i: int) -> None:
    total = 0  # a local variable: it lives in this thread's own frame
    start.wait()  # every thread counts at the same time, in the same function
    for step in range(n):
        total += 1
        if step % 1000 == 0:
            time.sleep(0)  # let the other threads run in between
    out[i] = total


def locals_per_thread() -> list[LocalCount]:
    out = [0] * len(COUNTS)
    start = threading.Barrier(len(COUNTS))
    threads = [
        threading.Thread(target=count_locally, args=(n, start, out, i))
        for i, n in enumerate(COUNTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [{"asked": n, "counted": c} for n, c in zip(COUNTS, out, strict=True)]


def fail() -> None:
    raise ValueError("a worker thread failed")


def thread_error() -> ThreadError:
    """A thread raises while another runs: who hears of it, and does join() raise?"""
    seen: list[str] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: seen.append(args.exc_type.__name__)
    done = threading.Event()
    failing = threading.Thread(target=fail)
    other = threading.Thread(target=done.set)
    try:
        failing.start()
        other.start()
        join_raised = False
        try:
            failing.join(WAIT)
        except Exception:  # the observation is whether join() raises
            join_raised = True
        other.join(WAIT)
    finally:
        threading.excepthook = previous
    return {
        "excepthook_saw": seen,
        "join_raised": join_raised,
        "other_ran": done.is_set(),
    }


def main() -> None:
    thread_api = public_api(threading.Thread)
    process_api = public_api(multiprocessing.Process)
    primitives = [
        name
        for name in PRIMITIVES
        if hasattr(threading, name) and hasattr(multiprocessing, name)
    ]
    tools = [name for name in STDLIB_TOOLS if available(name)]
    print(f"threading.Thread: {len(thread_api)} public names: {', '.join(thread_api)}")
    print(
        f"multiprocessing.Process: {len(process_api)} public names: "
        f"{', '.join(process_api)}"
    )
    print(f"only on Process: {', '.join(sorted(set(process_api) - set(thread_api)))}")
    print(f"primitives in both modules: {', '.join(primitives)}")
    print(f"concurrency tools in this standard library: {', '.join(tools)}")
    sent = send_a_socket()  # before any thread starts: the child may be forked
    print(
        f"socket sent to running child {sent['child_pid']}: written through by PID "
        f"{sent['writer_pid']} (parent {sent['parent_pid']}; error: {sent['error']})"
    )
    counts = locals_per_thread()
    print(
        "each thread's local count: "
        + ", ".join(f"{c['counted']} of {c['asked']}" for c in counts)
    )
    error = thread_error()
    print(
        f"a failing thread: excepthook saw {error['excepthook_saw']}, "
        f"join() raised: {error['join_raised']}, other thread ran: {error['other_ran']}"
    )
    result: ErrataFacts = {
        "experiment": "errata_facts",
        "thread_api": thread_api,
        "process_api": process_api,
        "primitives_in_both": primitives,
        "stdlib_tools": tools,
        "socket_sent": sent,
        "thread_locals": counts,
        "thread_error": error,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
