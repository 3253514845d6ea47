"""Processes: their own PID, their own memory, and the Process API.

Starts child processes with the default start method and shows:

- each child has its own process ID (``pid``) and reports ``exitcode`` when it ends:
  0 for a normal return, N for ``sys.exit(N)``, minus the signal number after
  ``terminate()`` (SIGTERM) or ``kill()`` (SIGKILL);
- a child that appends to a list changes its own copy only: the parent's list is
  unchanged, even under fork, where the child's object has the same address.

Run it yourself from a clone:  python snippets/processes_basics.py
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's shape and its parts, for type checkers only
    from measured.run.shapes import part1 as shape

TIMEOUT = 60
shared = ["parent", "items"]  # a module-level list the child will change


def quick() -> None:
    """Returns at once: exit code 0."""


def exit_with(code: int) -> None:
    sys.exit(code)


def forever() -> None:
    """Runs until someone ends it."""
    while True:
        time.sleep(0.01)


def ignore_sigterm(ready: Event) -> None:
    """Ignores SIGTERM: terminate() cannot stop it, kill() can."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ready.set()
    forever()


def mutate(conn: Connection) -> None:
    """Append to the module-level list and report what this process sees."""
    shared.append("added by the child")
    conn.send({"pid": os.getpid(), "list": list(shared), "id": id(shared)})
    conn.close()


def lifecycle(ctx: multiprocessing.context.BaseContext) -> shape.Lifecycle:
    """Exit codes for a normal return, sys.exit(3), terminate() and kill()."""
    p = ctx.Process(target=quick, name="quick")
    before_start: shape.ChildBeforeStart = {
        "pid": p.pid,
        "exitcode": p.exitcode,
        "alive": p.is_alive(),
    }
    p.start()
    p.join()
    quick_child: shape.QuickChild = {
        "pid": p.pid,
        "exitcode": p.exitcode,
        "name": p.name,
    }

    p = ctx.Process(target=exit_with, args=(3,))
    p.start()
    p.join()
    sys_exit_3 = p.exitcode

    p = ctx.Process(target=forever)
    p.start()
    running: shape.RunningChild = {"alive": p.is_alive(), "exitcode": p.exitcode}
    p.terminate()  # SIGTERM
    p.join(timeout=10)
    terminated = p.exitcode

    ready = ctx.Event()
    p = ctx.Process(target=ignore_sigterm, args=(ready,))
    p.start()
    assert ready.wait(timeout=10), "the child did not start"
    p.terminate()
    p.join(timeout=0.3)  # it ignores SIGTERM, so it is still running
    survived_terminate = p.is_alive()
    p.kill()  # SIGKILL cannot be ignored
    p.join(timeout=10)
    return {
        "before_start": before_start,
        "quick": quick_child,
        "sys_exit_3": sys_exit_3,
        "running": running,
        "terminate": terminated,
        "survived_terminate": survived_terminate,
        "kill": p.exitcode,
    }


def separate_memory(ctx: multiprocessing.context.BaseContext) -> shape.ChildMemory:
    receiver, sender = ctx.Pipe(duplex=False)
    p = ctx.Process(target=mutate, args=(sender,))
    p.start()
    sender.close()  # the parent keeps only the receiving end
    child = receiver.recv()
    p.join()
    receiver.close()
    return {
        "parent_pid": os.getpid(),
        "child_pid": child["pid"],
        "child_list": child["list"],
        "parent_list": list(shared),
        "same_address": child["id"] == id(shared),
    }


def main() -> None:
    method = multiprocessing.get_start_method()
    ctx = multiprocessing.get_context(method)
    available = ", ".join(multiprocessing.get_all_start_methods())
    print(f"start method {method} (available: {available}); parent pid {os.getpid()}")
    life = lifecycle(ctx)
    before = life["before_start"]
    print("\nProcess API")
    print(
        f"  before start(): pid={before['pid']}, exitcode={before['exitcode']}, "
        f"is_alive()={before['alive']}"
    )
    print(
        f"  {life['quick']['name']}: pid={life['quick']['pid']}, "
        f"exitcode={life['quick']['exitcode']} (returned normally)"
    )
    print(f"  sys.exit(3) in the child -> exitcode={life['sys_exit_3']}")
    print(
        f"  running child: is_alive()={life['running']['alive']}, "
        f"exitcode={life['running']['exitcode']}"
    )
    print(f"  terminate() (SIGTERM) -> exitcode={life['terminate']}")
    print(
        f"  a child ignoring SIGTERM: alive after terminate()="
        f"{life['survived_terminate']}; kill() (SIGKILL) -> exitcode={life['kill']}"
    )

    memory = separate_memory(ctx)
    print("\nSeparate memory")
    print(f"  child  (pid {memory['child_pid']}) sees {memory['child_list']}")
    print(f"  parent (pid {memory['parent_pid']}) sees {memory['parent_list']}")
    print(f"  same id() in both processes: {memory['same_address']}")

    result: shape.ProcessesBasics = {
        "experiment": "processes_basics",
        "start_method": method,
        "start_methods": multiprocessing.get_all_start_methods(),
        "lifecycle": life,
        "memory": memory,
        "sigterm": int(signal.SIGTERM),
        "sigkill": int(signal.SIGKILL),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
