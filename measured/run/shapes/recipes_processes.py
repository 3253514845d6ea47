"""Result shapes of the experiments of docs/recipes/processes.md."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# --- recipe_logging -----------------------------------------------------------------


class LogCase(TypedDict):
    """What one case's log file held, counted line by line."""

    expected: int  # records the threads or workers logged
    lines: int  # lines in the file
    whole: int  # lines that are one whole record
    once: int  # expected records found exactly once
    missing: int  # expected records not found
    repeated: int  # expected records found twice or more
    named_right: int  # lines carrying the sender's own process name
    handlers_in_worker: int | None  # spawn: handlers a fresh worker's loggers had
    start_method: str  # "" for threads


class RecipeLogging(TypedDict):
    """snippets/recipe_logging.py: threads, fork, spawn and a QueueListener."""

    experiment: str
    threads: int
    workers: int
    records: int  # per thread or worker
    cases: dict[str, LogCase | None]  # threads, fork (None: no fork), spawn, queue
    env: NotRequired[Env]  # added by measure.emit


# --- recipe_shared_readonly ---------------------------------------------------------


class RecipeSharedReadonly(TypedDict):
    """snippets/recipe_shared_readonly.py: a worker's private memory growth (KiB)."""

    experiment: str
    linux: bool  # False: no fork or no /proc/self/smaps_rollup, nothing measured
    objects: NotRequired[int]
    object_kib: NotRequired[int]  # what building the object added to the parent
    grown_kib: NotRequired[dict[str, int]]  # case -> the worker's growth
    env: NotRequired[Env]


# --- recipe_oversubscription --------------------------------------------------------


class RecipeOversubscription(TypedDict):
    """snippets/recipe_oversubscription.py: two spawn pools, BLAS threads or one."""

    experiment: str
    numpy: str | None  # None: NumPy missing, nothing measured
    cores: NotRequired[int]
    workers: NotRequired[int]
    tasks: NotRequired[int]
    size: NotRequired[int]
    parent_blas_threads: NotRequired[int | None]
    # pool -> one [BLAS threads (None: unknown), OPENBLAS_NUM_THREADS] per worker
    worker_blas: NotRequired[dict[str, list[list[Any]]]]
    timings: NotRequired[RoundsRecord]  # "BLAS default", "BLAS 1 thread"
    env: NotRequired[Env]


# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {
    "recipe_logging": RecipeLogging,
    "recipe_shared_readonly": RecipeSharedReadonly,
    "recipe_oversubscription": RecipeOversubscription,
}
