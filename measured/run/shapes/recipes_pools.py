"""Result shapes of the experiments of docs/recipes/pools.md."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# --- recipe_map_args ------------------------------------------------------------


class Raised(TypedDict):
    """An exception a caller saw: its type name ("" if none) and message."""

    type: str
    message: str


class MapArgs(TypedDict):
    """snippets/recipe_map_args.py: three ways to pass several arguments to map."""

    experiment: str
    workers: int
    parent_pid: int
    worker_pids: list[int]
    expected: list[int]  # the same calls in a plain loop, in the parent
    forms: dict[str, list[int]]  # form -> results, in input order
    pool_map_two_iterables: Raised  # Pool.map(f, xs, ys): ys is its chunksize
    env: NotRequired[Env]


# --- recipe_progress ------------------------------------------------------------


class ProgressRun(TypedDict):
    """One way (threads, processes, asyncio): finished tasks and the bar's count."""

    way: str
    finished: list[int]  # task indexes in the order they finished
    counts: list[int]  # the bar's completed count after each finished task


class RecipeProgress(TypedDict):
    """snippets/recipe_progress.py: a progress bar over tasks finishing out of order."""

    experiment: str
    tasks: int  # submitted 0..tasks-1; task i sleeps longer the smaller i is
    process_workers: int
    runs: list[ProgressRun]
    env: NotRequired[Env]


# --- recipe_pool_lock -----------------------------------------------------------


class Refused(TypedDict):
    """A multiprocessing.Lock passed as a task argument: what the caller saw."""

    call: str  # "submit", "Pool.starmap"
    type: str  # "" when no error was raised
    message: str


class RecipePoolLock(TypedDict):
    """snippets/recipe_pool_lock.py: a lock refused as an argument, three fixes
    counting to one total, and a Manager lock's cost per acquire and release."""

    experiment: str
    workers: int
    tasks: int
    steps: int  # increments per task: the right total is tasks * steps
    start_method: str  # of the fixes
    refused: dict[str, list[Refused]]  # start method -> what each call raised
    totals: dict[str, int]  # fix -> the count the parent read at the end
    pairs: dict[str, int]  # lock -> acquire/release pairs per timed call
    pinned_to_one_core: bool  # this process and the timed manager on one core
    lock_rounds: RoundsRecord  # "multiprocessing.Lock", "Manager().Lock()"
    env: NotRequired[Env]


# --- recipe_worker_recycle ------------------------------------------------------


class Recycled(TypedDict):
    """One pool running the leaking task: worker PID and RSS after each task."""

    pool: str  # "Pool", "ProcessPoolExecutor"
    option: str  # "maxtasksperchild", "max_tasks_per_child"
    per_child: int | None  # None: no limit
    pids: list[int]
    rss_mb: list[float]


class Nested(TypedDict):
    """A task that starts multiprocessing.Pool(2) inside a worker of ``outer``."""

    outer: str  # "Pool", "ProcessPoolExecutor"
    worker_daemon: bool  # multiprocessing.current_process().daemon in the worker
    ok: bool
    value: int  # the inner pool's result when ok
    type: str  # the exception's type name when not ok
    message: str


class WorkerRecycle(TypedDict):
    """snippets/recipe_worker_recycle.py: recycled workers and nested pools."""

    experiment: str
    tasks: int
    per_child: int
    leak_mb: int  # what each task keeps, MB
    runs: list[Recycled]
    nested: list[Nested]
    nested_expected: int
    env: NotRequired[Env]


# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {
    "recipe_map_args": MapArgs,
    "recipe_progress": RecipeProgress,
    "recipe_pool_lock": RecipePoolLock,
    "recipe_worker_recycle": WorkerRecycle,
}
