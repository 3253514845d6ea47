"""Find where a stuck asyncio program waits, with the tools each Python version has.

A small crawler runs one task per URL in a TaskGroup; each task awaits
crawl -> fetch -> read_reply, which waits for a reply that never comes (an Event
nobody sets). Nothing moves and nothing fails: the program is stuck.

A child process runs that crawler, and this script looks at it:

- faulthandler (every version, POSIX): the child dumps its threads' stacks when
  it gets SIGUSR1. A thread dump shows what threads run: here the event loop,
  waiting in the selector's select() (epoll_wait on Linux). A suspended
  coroutine is on no thread's stack;
- ``python -m asyncio pstree PID`` and ``ps PID`` (3.14+): read the stuck child's
  tasks from outside, without running code in it (they need the permission to
  inspect another process: same user, and ptrace not restricted);
- ``sys.remote_exec(pid, script)`` (3.14+): returns at once; the child runs the
  script at its next safe point. A process blocked in a system call reaches one
  only when it runs Python code again: here, after a signal the loop handles
  wakes it.

In this process, on the same crawler, while it is stuck:

- ``asyncio.all_tasks()`` + ``Task.get_stack()`` (every version): every task, with
  the frames its stack walk finds;
- ``asyncio.capture_call_graph(task)`` (3.14+): the task's whole await chain and
  the task that awaits it.

The child is killed on every path, and kills itself after TIMEOUT seconds (an
alarm) should this script die first. POSIX only (signals).
Run it yourself from a clone:  python snippets/asyncio_stuck.py
"""

from __future__ import annotations

import asyncio
import ctypes
import faulthandler
import io
import os
import select
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from measured.run import errors, measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import asyncio_debugging as shape

TIMEOUT = 60
URLS = ("example.org/a", "example.org/b", "example.org/c")
COROUTINES = ("crawl", "fetch", "read_reply")  # outermost first
READY_SECONDS = 20.0  # the child starts Python and asyncio, then says "ready"
DUMP_SECONDS = 5.0  # a signal handler writes the dump at once; a generous bound
IDLE_SECONDS = 0.2  # without /proc: time for the loop to go back to waiting
NO_WAKE_SECONDS = 0.5  # how long remote_exec is given before the loop is woken
TOOL_SECONDS = 20.0
PR_SET_PTRACER = 0x59616D61  # prctl option of Linux's Yama security module


async def read_reply(never: asyncio.Event) -> None:
    await never.wait()  # the reply that never comes


async def fetch(url: str, never: asyncio.Event) -> None:
    await read_reply(never)


async def crawl(url: str, never: asyncio.Event) -> None:
    await fetch(url, never)


async def crawl_all(never: asyncio.Event, when_stuck: Callable[[], None]) -> None:
    async with asyncio.TaskGroup() as group:
        for url in URLS:
            group.create_task(crawl(url, never), name=url)
        await asyncio.sleep(0)  # every task runs until it waits for its reply
        when_stuck()


# --- the stuck child ------------------------------------------------------------


def allow_inspection() -> bool:
    """Let any process of this user inspect this one, as ``setpriv --ptracer any``
    does: Linux's Yama (ptrace_scope 1, the default on many distributions) lets a
    process inspect only its own descendants. sys.remote_exec is called from the
    parent, an ancestor, and needs no opt-in; ``python -m asyncio ps``/``pstree``
    run as the child's siblings, and do.
    False where there is no Yama to ask (other systems, or none configured)."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    any_process = ctypes.c_ulong(-1).value  # PR_SET_PTRACER_ANY
    return libc.prctl(PR_SET_PTRACER, ctypes.c_ulong(any_process), 0, 0, 0) == 0


def remote_debug() -> str:
    """What sys.is_remote_debug_enabled() (3.14+) says: "enabled" or "disabled"
    (PYTHON_DISABLE_REMOTE_DEBUG set to any value, even empty; -X
    disable-remote-debug; a build without it), or "unknown" before 3.14."""
    enabled = getattr(sys, "is_remote_debug_enabled", None)
    if enabled is None:
        return "unknown"
    return "enabled" if enabled() else "disabled"


def stuck_child(dump_path: str) -> None:
    """The crawler, stuck for good; SIGUSR1 dumps its threads, SIGUSR2 wakes it."""
    # Killed by SIGALRM's default action after TIMEOUT seconds, even blocked in
    # select(): a run whose parent was killed never leaves the child behind.
    signal.alarm(TIMEOUT)
    opted_in = allow_inspection()
    dump = open(dump_path, "w")  # noqa: SIM115 - faulthandler writes to it until exit
    faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        # A no-op handler: the signal only wakes the loop (and lets it run code).
        loop.add_signal_handler(signal.SIGUSR2, lambda: None)

        def say_ready() -> None:
            how = "opted-in" if opted_in else "as-is"
            print(f"ready {how} {remote_debug()}", flush=True)

        await crawl_all(asyncio.Event(), say_ready)

    asyncio.run(main())


# --- looking inside, in this process -----------------------------------------------


def look_inside() -> shape.InProcess:
    """get_stack for every stuck task; capture_call_graph where it exists."""
    seen: dict[str, Any] = {}
    never = asyncio.Event()

    def inspect() -> None:
        tasks = sorted(
            (t for t in asyncio.all_tasks() if t.get_name() in URLS),
            key=lambda t: t.get_name(),
        )
        seen["tasks"] = len(tasks)
        seen["get_stack"] = [[f.f_code.co_name for f in t.get_stack()] for t in tasks]
        text = io.StringIO()
        tasks[0].print_stack(file=text)
        seen["print_stack"] = text.getvalue()
        seen["call_graph"] = call_graph(tasks[0])
        never.set()  # let the crawler finish

    asyncio.run(crawl_all(never, inspect))
    return {
        "tasks": seen["tasks"],
        "get_stack": seen["get_stack"],
        "print_stack": seen["print_stack"],
        "call_graph": seen["call_graph"],
    }


def call_graph(task: asyncio.Task[Any]) -> shape.CallGraph | None:
    """The task's await chain and its awaiters (asyncio.capture_call_graph, 3.14)."""
    capture = getattr(asyncio, "capture_call_graph", None)
    if capture is None:
        return None
    graph = capture(task)
    return {
        "call_stack": [entry.frame.f_code.co_name for entry in graph.call_stack],
        "awaited_by": [
            awaiter.future.get_name()
            for awaiter in graph.awaited_by
            if isinstance(awaiter.future, asyncio.Task)
        ],
        "formatted": asyncio.format_call_graph(task),  # type: ignore[attr-defined]
    }


# --- looking at the stuck child from outside ------------------------------------


def wait_for_line(stream: Any, seconds: float) -> str:
    """One line from the child's stdout, or "" if none came in time."""
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline().strip() if ready else ""


def wait_for(check: Callable[[], bool], seconds: float) -> float | None:
    """Seconds until ``check()`` was true, or None if it never was in time."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if check():
            return time.perf_counter() - start
        time.sleep(0.01)
    return None


def asleep(pid: int) -> bool:
    """The process sleeps in a system call (Linux /proc; elsewhere: after a pause)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        time.sleep(IDLE_SECONDS)
        return True
    # Field 3, after the command name in parentheses: S is an interruptible sleep.
    return stat.read_text().rpartition(")")[2].split()[0] == "S"


def thread_dump(child: subprocess.Popen[str], path: Path) -> tuple[str, float | None]:
    """The child's faulthandler dump (every thread's stack, newest frame first),
    and the seconds the child took to go back to sleep (None: not in time)."""
    # "ready" is printed from inside the loop: wait until it is back in select().
    idle = wait_for(lambda: asleep(child.pid), DUMP_SECONDS)
    child.send_signal(signal.SIGUSR1)
    # The dump ends with the outermost frame, the script's <module>.
    wait_for(lambda: "<module>" in path.read_text(), DUMP_SECONDS)
    return path.read_text(), idle


def tool(*args: str) -> shape.ToolRun:
    """``python -m asyncio ...`` against the child, as a reader runs it."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "asyncio", *args],
            capture_output=True,
            text=True,
            timeout=TOOL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"returncode": None, "stdout": "", "stderr": "timed out"}
    return {
        "returncode": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr[-2000:],
    }


# What sys.remote_exec runs inside the stuck child: every task's call graph, to OUT.
# Written whole or not at all (os.replace), so OUT never exists half-written.
REMOTE_SCRIPT = """\
import asyncio
import os
import pathlib

try:
    text = "\\n".join(asyncio.format_call_graph(t) for t in asyncio.all_tasks())
except Exception as error:  # say what went wrong, in the file
    text = f"error: {error!r}"
pathlib.Path(OUT + ".tmp").write_text(text)
os.replace(OUT + ".tmp", OUT)
"""


def remote_exec(child: subprocess.Popen[str], folder: Path) -> shape.RemoteExec | None:
    """sys.remote_exec: a script the stuck child runs; woken by SIGUSR2 if needed."""
    run = getattr(sys, "remote_exec", None)
    if run is None:
        return None
    out = folder / "tasks.txt"
    script = folder / "list_tasks.py"
    script.write_text(f"OUT = {str(out)!r}\n{REMOTE_SCRIPT}")
    try:
        run(child.pid, str(script))
    except (OSError, RuntimeError) as error:  # permission, or remote debug disabled
        return {
            "error": f"{type(error).__name__} ({error})",
            "ran_unwoken": False,
            "ran_after_signal": False,
            "output": "",
        }
    unwoken = wait_for(out.exists, NO_WAKE_SECONDS) is not None
    woken = unwoken
    if not unwoken:
        child.send_signal(signal.SIGUSR2)
        woken = wait_for(out.exists, DUMP_SECONDS) is not None
    return {
        "error": "",
        "ran_unwoken": unwoken,
        "ran_after_signal": woken and not unwoken,
        "output": out.read_text() if out.exists() else "",
    }


def look_from_outside(folder: Path) -> shape.Outside:
    dump = folder / "threads.txt"
    child = subprocess.Popen(
        [sys.executable, __file__, "--stuck", str(dump)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # "ready <opted-in|as-is> <enabled|disabled|unknown>"
        line = wait_for_line(child.stdout, READY_SECONDS)
        ready, how, debug = [*line.split(), "", ""][:3]
        if ready != "ready":
            raise RuntimeError("the stuck child did not start in time")
        threads, idle = thread_dump(child, dump)
        has_tools = sys.version_info >= (3, 14)
        return {
            "thread_dump": threads,
            "went_idle": idle,
            "ptracer_any": how == "opted-in",
            "pstree": tool("pstree", str(child.pid)) if has_tools else None,
            "ps": tool("ps", str(child.pid)) if has_tools else None,
            "remote_exec": remote_exec(child, folder),
            # The child's own sys.is_remote_debug_enabled(), None before 3.14.
            "remote_debug_enabled": {"enabled": True, "disabled": False}.get(debug),
        }
    finally:  # never leave the child behind, whatever failed above
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def short(text: str) -> str:
    """Paths shortened for reading: the standard library and this folder."""
    here = os.path.dirname(os.path.abspath(__file__))
    return text.replace(sysconfig.get_paths()["stdlib"], "<stdlib>").replace(
        here, "snippets"
    )


def main() -> None:
    inside = look_inside()
    with tempfile.TemporaryDirectory() as folder:
        outside = look_from_outside(Path(folder))
    chain = " -> ".join(COROUTINES)
    print(f"{len(URLS)} tasks, each awaiting {chain} -> Event.wait(), forever\n")
    print("faulthandler dump of the stuck child (every Python):")
    print(short(outside["thread_dump"].rstrip()))
    print("\nTask.print_stack() of one stuck task, in this process (every Python):")
    print(short(inside["print_stack"].rstrip()))
    graph = inside["call_graph"]
    if graph is None:
        print(
            f"\nasyncio.capture_call_graph, python -m asyncio pstree/ps and "
            f"sys.remote_exec: need Python 3.14+, this is {sys.version.split()[0]}"
        )
    else:
        print("\nasyncio.format_call_graph(task), in this process:")
        print(short(graph["formatted"].rstrip()))
        for name in ("pstree", "ps"):
            run = outside[name]
            assert run is not None
            print(f"\npython -m asyncio {name} PID (exit status {run['returncode']}):")
            print(short(errors.as_message(run["stdout"] or run["stderr"]).rstrip()))
        remote = outside["remote_exec"]
        assert remote is not None
        if remote["error"]:
            print(f"\nsys.remote_exec failed: {remote['error']}")
        else:
            when = "at once" if remote["ran_unwoken"] else "after a signal woke it"
            print(f"\nsys.remote_exec: the script ran in the child {when}:")
            print(short(remote["output"].rstrip()))
    result: shape.AsyncioStuck = {
        "experiment": "asyncio_stuck",
        "urls": list(URLS),
        "coroutines": list(COROUTINES),
        "inside": inside,
        "outside": outside,
    }
    measure.emit(result)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stuck"]:
        stuck_child(sys.argv[2])
    else:
        main()
