"""Result shapes of the experiments of measured/claims/asyncio_debugging.py.

asyncio_stuck (where a stuck event loop waits, seen with each version's tools) and
asyncio_eager (eager tasks against the default task factory). A part that needs a
newer Python than the one measured is ``None``.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# --- asyncio_stuck -----------------------------------------------------------------


class CallGraph(TypedDict):
    """asyncio.capture_call_graph(task) (3.14+), reduced to names."""

    call_stack: list[str]  # function names, innermost first
    awaited_by: list[str]  # names of the tasks awaiting it
    formatted: str  # asyncio.format_call_graph(task)


class InProcess(TypedDict):
    tasks: int  # stuck tasks asyncio.all_tasks() found
    get_stack: list[list[str]]  # per task: function names of Task.get_stack()
    print_stack: str  # Task.print_stack() of the first task
    call_graph: CallGraph | None  # None before 3.14


class ToolRun(TypedDict):
    """``python -m asyncio pstree|ps PID``; returncode None if it timed out."""

    returncode: int | None
    stdout: str
    stderr: str


class RemoteExec(TypedDict):
    error: str  # "" when sys.remote_exec accepted the script
    ran_unwoken: bool  # the script ran before anything woke the loop
    ran_after_signal: bool  # it ran only once a signal woke the loop
    output: str  # what the script wrote: format_call_graph of every task


class Outside(TypedDict):
    thread_dump: str  # faulthandler's dump of the child's threads
    went_idle: float | None  # seconds until the child slept again; None: never in time
    ptracer_any: bool  # the child let any process of its user inspect it (Yama)
    pstree: ToolRun | None  # None before 3.14
    ps: ToolRun | None
    remote_exec: RemoteExec | None
    # The child's sys.is_remote_debug_enabled() (3.14+); None before 3.14.
    remote_debug_enabled: bool | None


class AsyncioStuck(TypedDict):
    experiment: str
    urls: list[str]  # the stuck tasks' names
    coroutines: list[str]  # each task's await chain, outermost first
    inside: InProcess
    outside: Outside
    env: NotRequired[Env]


# --- asyncio_eager -----------------------------------------------------------------


class AsyncioEager(TypedDict):
    experiment: str
    tasks: int  # tasks created per timed batch
    eager_available: bool  # asyncio.eager_task_factory exists (3.12+)
    done_at_creation: dict[str, int] | None  # factory -> tasks done right after create
    rounds: RoundsRecord | None  # "default factory" vs "eager_task_factory"
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {
    "asyncio_stuck": AsyncioStuck,
    "asyncio_eager": AsyncioEager,
}
