"""Result shapes of the experiments of measured/claims/modern.py.

These experiments run on every interpreter the matrix found (GIL and free-threaded
builds, 3.11 to 3.14): keys only some interpreters produce are NotRequired.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import DeliveredCores, Env, RoundsRecord

# --- gil_across_versions ------------------------------------------------------------


class GilAcrossVersions(TypedDict):
    """snippets/gil_across_versions.py: the same work and starts on each interpreter."""

    experiment: str
    tasks: int
    size: int
    cores: int
    workers: int
    headline_workers: int
    start_method: str
    cpu: RoundsRecord  # "serial", "threads", "processes"
    starts: RoundsRecord  # "thread", "process": one batch of starts each
    starts_per_batch: dict[str, int]  # "thread", "process"
    start_settle_seconds: float
    delivered_cores: DeliveredCores  # the probe's delivered cores (run.pace)
    config_args: str | None  # ./configure's arguments; None where there were none
    env: NotRequired[Env]


# --- free_threading -----------------------------------------------------------------


class Race(TypedDict):
    threads: int
    rounds: int
    expected: int
    appended: int
    unlocked_hits: int
    locked_hits: int


# The keys name the settings, so the functional form: what each child printed.
GilControls = TypedDict(
    "GilControls",
    {
        "default": str,  # "True" / "False", as sys._is_gil_enabled() printed it
        "PYTHON_GIL=1": str,
        "PYTHON_GIL=0": str,
        "legacy_returncode": int,
        "legacy_before_after": list[str],
        "legacy_warning": str,  # "" if the legacy import printed none
        "legacy_with_PYTHON_GIL=0": list[str],
    },
)


class FlippedFlag(TypedDict):
    flag: int  # the -X thread_inherit_context value the child ran with
    seen: str  # "inherited" or "empty"


class ContextInheritance(TypedDict):
    # sys.flags.thread_inherit_context / context_aware_warnings as ints; None
    # where the interpreter has no such flag (before 3.14)
    flags: dict[str, int | None]
    seen: str  # what a new Thread read: "inherited" or "empty"
    flipped: FlippedFlag | None  # None where the flag does not exist


class Memory(TypedDict):
    items: int  # small dicts each child built
    samples: list[list[int]]  # per child: [VmRSS at start, holding], bytes
    error: str  # why nothing was measured ("" when samples exist)


class FreeThreading(TypedDict):
    """snippets/free_threading.py: CPU threads, races, contexts, memory and the
    GIL switches."""

    experiment: str
    tasks: int
    size: int
    cores: int
    workers: list[int]  # the thread counts tried
    headline_workers: int
    cpu: RoundsRecord  # "serial", "threads N"
    race: Race
    context: ContextInheritance
    memory: Memory
    gil_controls: GilControls | None  # None on a GIL build
    legacy_extension: str
    env: NotRequired[Env]


# --- subinterpreters ----------------------------------------------------------------


class SharedBuffer(TypedDict):
    passed: bool
    seen_here: int
    error: str  # "" if it passed


class ProcessWide(TypedDict):
    """What another interpreter changed for this one, and what it was refused."""

    cwd_shared: bool  # its os.chdir moved this interpreter's working directory
    fd_shared: bool  # it wrote to this interpreter's pipe by descriptor number
    signal_error: str  # what signal.signal raised there ("" if it was allowed)


class LegacyImport(TypedDict):
    error_type: str  # "" if the import worked or the module is not built
    message: str


class Subinterpreters(TypedDict):
    """snippets/subinterpreters.py: starts, CPU work and sharing, where available.

    Without an interpreters module (before 3.13, or 3.13 without the backport) the
    result is only ``available: False`` and ``reason``; every other key is there
    exactly when ``available`` is True.
    """

    experiment: str
    available: bool
    reason: NotRequired[str]  # only when not available
    source: NotRequired[str]  # the module's top package
    cores: NotRequired[int]
    tasks: NotRequired[int]
    size: NotRequired[int]
    headline_workers: NotRequired[int]
    hello: NotRequired[str]
    starts: NotRequired[RoundsRecord]  # "thread", "interpreter"
    starts_per_batch: NotRequired[dict[str, int]]
    start_settle_seconds: NotRequired[float]
    cpu: NotRequired[RoundsRecord]  # "serial", "threads", "processes", "interpreters"
    # The three executors: create, one task per worker, shut down (batches).
    pool_starts: NotRequired[RoundsRecord]  # "threads", "processes", "interpreters"
    pool_starts_per_batch: NotRequired[dict[str, int]]
    start_task_size: NotRequired[int]  # older runs: each start task ran work(n)
    start_hold_seconds: NotRequired[float]  # each start task only slept this long
    tiny: NotRequired[RoundsRecord]  # a batch of tiny tasks through a started pool
    tiny_per_batch: NotRequired[dict[str, int]]
    # Bytes a started pool added (None where the OS does not say): this process's
    # growth for threads and interpreters, the workers' private memory for processes.
    memory: NotRequired[dict[str, int | None]]
    process_start_method: NotRequired[str]  # the process pool's (the default)
    shareable: NotRequired[dict[str, bool]]  # object kind -> is_shareable
    shared_buffer: NotRequired[SharedBuffer]
    process_wide: NotRequired[ProcessWide]
    legacy_import: NotRequired[LegacyImport]
    env: NotRequired[Env]


# --- start_methods ------------------------------------------------------------------


class DefaultStart(TypedDict):
    parent_pid: int
    child_ppid: int
    marker: str  # what the child saw of a value set at run time


class GuardDemo(TypedDict):
    returncode: int
    stdout: list[str]
    error_type: str
    message: str
    bootstrapping: bool


class StartMethods(TypedDict):
    """snippets/start_methods.py: start costs, what a child inherits, the guard."""

    experiment: str
    methods: list[str]
    default: str
    starts: RoundsRecord  # method -> one batch of starts
    starts_per_batch: dict[str, int]
    default_start: DefaultStart
    run_time_marker: str
    # warning options -> the warnings printed; {} where there is no fork
    fork_warnings: dict[str, list[str]]
    unguarded: GuardDemo
    guarded: GuardDemo
    env: NotRequired[Env]


# --- dask_vs_pool -------------------------------------------------------------------


class DaskVsPool(TypedDict):
    """snippets/dask_vs_pool.py: a local Dask cluster vs a ProcessPoolExecutor."""

    experiment: str
    cores: int
    headline_workers: int
    tasks: int
    size: int
    tiny_tasks: int
    tiny_per_timing: dict[str, int]  # "pool", "dask": tiny tasks per timed call
    settle_seconds: float
    cluster_start_seconds: float
    shutdown_seconds: float
    cpu: RoundsRecord  # "serial", "pool", "dask"
    tiny: RoundsRecord  # "pool", "dask"
    started_pids: list[int]
    left_behind: list[int]
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {
    "gil_across_versions": GilAcrossVersions,
    "free_threading": FreeThreading,
    "subinterpreters": Subinterpreters,
    "start_methods": StartMethods,
    "dask_vs_pool": DaskVsPool,
}
