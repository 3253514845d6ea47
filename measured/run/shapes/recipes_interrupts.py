"""Result shapes of the experiments of docs/recipes/interrupts.md.

recipe_ctrl_c (a real SIGINT sent to pools, threads and asyncio programs) and
recipe_deadlock (faulthandler's dump of a real deadlocked child).
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env

# --- recipe_ctrl_c -----------------------------------------------------------------


class Variant(TypedDict):
    """One program that got Ctrl-C (SIGINT sent to its whole process group)."""

    variant: str  # pool (pool_runs of them), pool_clean, threads, asyncio, ..._clean
    exit_seconds: float | None  # from SIGINT to exit; None: hung, killed
    returncode: int | None  # -2: killed by SIGINT (an uncaught KeyboardInterrupt)
    tracebacks: int  # "Traceback (most recent call last)" lines in its stderr
    worker_tracebacks: int  # of them, printed by a worker process (from _bootstrap)
    stderr_lines: int
    tasks_before: int  # tasks that started before the interrupt
    tasks_after: int  # tasks that started after it
    cleanups: int  # asyncio tasks whose finally block ran
    left_seconds: float | None  # until no process of its group was left; None: killed


class CtrlC(TypedDict):
    experiment: str
    workers: int
    tasks: int  # queued tasks per pool
    task_seconds: float
    pool_runs: int  # how many of the variants are the plain process pool
    pool_exit_seconds: float  # a plain pool still running then was killed: hung
    variants: list[Variant]
    env: NotRequired[Env]


# --- recipe_deadlock ---------------------------------------------------------------


class PySpy(TypedDict):
    """``py-spy dump --pid PID`` against the deadlocked child."""

    returncode: int
    stdout: str
    stderr: str


class Deadlock(TypedDict):
    experiment: str
    ready: bool  # the child started its threads
    dump_after: float  # faulthandler.dump_traceback_later's timeout
    returncode: int | None  # 1: faulthandler ended it (exit=True)
    dump: str  # faulthandler's dump, the child's stderr
    second_lock_lines: dict[str, int]  # function -> line that takes its second lock
    py_spy: PySpy | None  # None: py-spy is not installed


# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {"recipe_ctrl_c": CtrlC, "recipe_deadlock": Deadlock}
