"""Small facts the original article gets wrong, checked on this interpreter.

Not every claim needs a benchmark. "Thread has two methods" or "the two modules'
APIs match" are settled by asking Python itself: this script lists the public API
of threading.Thread and multiprocessing.Process, the synchronization primitives both
modules offer, and the concurrency tools in the standard library. Three more are
settled by doing a thing once and looking: an open socket is sent to a process that
is already running (multiprocessing pickles it through multiprocessing.reduction);
the main thread reads, and changes, a local variable of another thread that is
still running, while every thread appends to one module-level list; and a thread
that raises has its traceback printed by the default threading.excepthook while
another thread keeps running after it.

Run it yourself from a clone:  python snippets/errata_facts.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import multiprocessing
import os
import socket
import sys
import threading
from multiprocessing import resource_sharer
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.errata_facts import (
        ErrataFacts,
        LocalSeen,
        SocketSent,
        ThreadError,
        ThreadLocals,
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
THREADS = 3  # threads that run the same function at once
MARK = "added by the main thread"
SHARED: list[int] = []  # module level: one list every thread appends to


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
    child_end.close()  # the child has its own copy now
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
        # Closed before the wait: a spawned child still in recv() then gets EOFError.
        # A forked one holds a copy of this end, hence terminate() if it is alive.
        parent_end.close()
        child.join(WAIT)
        if child.is_alive():  # never when it works: leave no orphan behind
            child.terminate()
            child.join()
        for end in (ours, theirs):
            end.close()
        resource_sharer.stop()  # the fd-passing server thread, if one started
    return {
        "parent_pid": os.getpid(),
        "child_pid": child.pid or 0,
        "writer_pid": int(received) if received.isdigit() else None,
        "error": error,
    }


def hold_local(
    i: int, ready: threading.Barrier, go: threading.Event, saw: dict[int, bool]
) -> None:
    mine = [i]  # a local variable: a name in this call's own frame
    SHARED.append(i)  # a module-level list: the same object for every thread
    ready.wait(WAIT)  # every thread is now inside this function, at this line
    go.wait(WAIT)  # ...and stays here while the main thread looks at its frame
    saw[i] = MARK in mine  # a change another thread made through its reference


def frame_of(thread: threading.Thread) -> dict[str, object]:
    """The locals of ``thread``'s running ``hold_local`` call, read from outside it:
    sys._current_frames() gives each thread's innermost frame (here Event.wait)."""
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None and frame.f_code is not hold_local.__code__:
        frame = frame.f_back
    return {} if frame is None else dict(frame.f_locals)


def locals_per_thread() -> ThreadLocals:
    """While THREADS threads wait inside the same function, read each one's local
    variable from the main thread and append a mark to the list it names."""
    SHARED.clear()
    ready, go = threading.Barrier(THREADS + 1), threading.Event()
    saw: dict[int, bool] = {}
    threads = [
        threading.Thread(target=hold_local, args=(i, ready, go, saw))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    seen: list[LocalSeen] = []
    try:
        ready.wait(WAIT)
        for i, thread in enumerate(threads):
            found = frame_of(thread).get("mine")
            if isinstance(found, list):
                found.append(MARK)  # through the reference, into the thread's object
            held = found[0] if isinstance(found, list) and found else None
            seen.append({"thread": i, "local_read": held, "saw_change": False})
    finally:
        go.set()
        for thread in threads:
            thread.join(WAIT)
    for row in seen:
        row["saw_change"] = saw.get(row["thread"], False)
    return {"threads": seen, "shared_list": sorted(SHARED)}


def fail() -> None:
    raise ValueError("a worker thread failed")


def finish_after(go: threading.Event, done: threading.Event) -> None:
    if go.wait(WAIT):
        done.set()


def thread_error() -> ThreadError:
    """A thread raises while another waits: does the default threading.excepthook
    print the traceback, and does the other thread still run after the failure?"""
    go, done = threading.Event(), threading.Event()
    other = threading.Thread(target=finish_after, args=(go, done))
    failing = threading.Thread(target=fail)
    printed = io.StringIO()
    default = threading.excepthook is threading.__excepthook__
    other.start()
    try:
        with contextlib.redirect_stderr(printed):  # where the default hook prints
            failing.start()
            failing.join(WAIT)
    finally:
        go.set()  # only now, after the failure, may the other thread finish
        other.join(WAIT)
    return {
        "default_hook": default,
        "stderr": printed.getvalue(),
        "other_finished": done.is_set() and not other.is_alive(),
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
    held = locals_per_thread()
    print(
        "each thread's local, read from the main thread: "
        + ", ".join(
            f"thread {t['thread']} held {t['local_read']}"
            f" (saw the change: {t['saw_change']})"
            for t in held["threads"]
        )
        + f"; module-level list: {held['shared_list']}"
    )
    error = thread_error()
    last = error["stderr"].strip().splitlines()[-1:] or ["nothing"]
    print(
        f"a failing thread: the default excepthook printed {last[0]!r}; "
        f"the other thread finished after it: {error['other_finished']}"
    )
    result: ErrataFacts = {
        "experiment": "errata_facts",
        "thread_api": thread_api,
        "process_api": process_api,
        "primitives_in_both": primitives,
        "stdlib_tools": tools,
        "socket_sent": sent,
        "thread_locals": held,
        "thread_error": error,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
