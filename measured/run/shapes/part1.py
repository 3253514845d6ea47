"""Result shapes of guide part 1: threads, the GIL, processes, performance."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from measured.run.shapes.common import DeliveredCores, Env, RoundsRecord


class CpuBound(TypedDict):
    """snippets/cpu_bound.py: serial, thread pools and process pools, in rounds."""

    experiment: str
    tasks: int
    size: int
    cores: int
    workers: list[int]  # the pool sizes tried
    headline_workers: int  # fixed before timing: one per usable core
    start_method: str
    cpu: RoundsRecord  # "serial", "threads N", "processes N"
    delivered_cores: DeliveredCores  # the probe's delivered cores (run.pace)
    env: NotRequired[Env]  # added by measure.emit


# --- threads_basics ---------------------------------------------------------------


class ThreadBeforeStart(TypedDict):
    """A Thread object before start(): no IDs yet, not alive."""

    ident: int | None
    native_id: int | None
    alive: bool


class ThreadIds(TypedDict):
    """The same thread's IDs once started."""

    ident: int | None
    native_id: int | None


class AfterFastJoin(TypedDict):
    """Which thread was alive when ``fast.join()`` returned."""

    fast_alive: bool
    slow_alive: bool


class ThreadApi(TypedDict):
    """The Thread API walk-through: what each call and attribute gave."""

    before_start: ThreadBeforeStart
    after_start: ThreadIds
    after_fast_join: AfterFastJoin
    join_timeout: float  # the timeout asked for, seconds
    join_timeout_seconds: float  # how long join(timeout=...) took
    alive_after_join_timeout: bool
    alive_after_release: bool
    daemon: bool
    greeter_said: str  # what a Thread subclass's run() produced
    public_api: list[str]  # dir(threading.Thread), public names


class ThreadLocal(TypedDict):
    """threading.local: what each thread saw ("t0", and "t0 before" it set its
    own value) and what the main thread still saw afterwards."""

    seen: dict[str, str | None]
    main_after: str


class DaemonChild(TypedDict):
    """A child interpreter whose only other thread is a sleeping daemon."""

    exited: bool  # False: still running after the child timeout
    seconds: float
    returncode: int | None  # None when it did not exit
    stdout: str


class ThreadsBasics(TypedDict):
    """snippets/threads_basics.py: IDs, a shared list, the API, local, daemon."""

    experiment: str
    threads: int  # threads that reported their IDs, the main thread included
    pids: list[int]  # the distinct process IDs they saw
    native_ids: int  # how many distinct native thread IDs they saw
    appending_threads: int
    appends_expected: int
    appends_per_thread: int
    shared_list_length: int
    found_per_thread: list[int]  # items of each appending thread in the list
    api: ThreadApi
    local: ThreadLocal
    daemon_sleep: int  # seconds the daemon thread sleeps
    daemon_child: DaemonChild
    env: NotRequired[Env]


# --- gil_release and gil_blocking ---------------------------------------------------


class GilReleaseSizes(TypedDict):
    """The work of one task, per kind."""

    hashlib_bytes: int
    hashlib_passes: int
    zlib_bytes: int
    numpy_items: int


class GilRelease(TypedDict):
    """snippets/gil_release.py: C work serially and in one thread per core."""

    experiment: str
    tasks: int
    cores: int
    headline_workers: int  # fixed before timing: one thread per usable core
    switch_interval: float  # sys.getswitchinterval(), seconds
    sizes: GilReleaseSizes
    numpy: str | None  # NumPy's version; None when it is not installed
    # "hashlib", "zlib" and "numpy" (when installed): "serial", "threads N"
    kinds: dict[str, RoundsRecord]
    env: NotRequired[Env]


class GilBlocking(TypedDict):
    """snippets/gil_blocking.py: a ticker thread's pace while the main thread is
    in each call, round by round."""

    experiment: str
    window: float  # seconds the main thread spends in each call
    switch_interval: float
    baseline: str  # the call the others are compared with (a lock wait)
    calls: list[str]
    file_bytes: int
    rounds: RoundsRecord  # one alternative per call
    ticks: dict[str, list[int]]  # call -> the ticker's count in each timed round
    env: NotRequired[Env]


# --- processes_basics and pickling ------------------------------------------------


class ChildBeforeStart(TypedDict):
    pid: int | None
    exitcode: int | None
    alive: bool


class QuickChild(TypedDict):
    pid: int | None
    exitcode: int | None
    name: str


class RunningChild(TypedDict):
    alive: bool
    exitcode: int | None


class Lifecycle(TypedDict):
    """Process objects through their life: exit codes of each way to end."""

    before_start: ChildBeforeStart
    quick: QuickChild  # returned normally
    sys_exit_3: int | None
    running: RunningChild
    terminate: int | None  # -SIGTERM
    survived_terminate: bool  # a child ignoring SIGTERM was still alive
    kill: int | None  # -SIGKILL


class ChildMemory(TypedDict):
    """A list the child appended to, as each process saw it."""

    parent_pid: int
    child_pid: int
    child_list: list[str]
    parent_list: list[str]
    same_address: bool  # the list had the same id() in both


class ProcessesBasics(TypedDict):
    """snippets/processes_basics.py: the Process API and separate memory."""

    experiment: str
    start_method: str  # the default here
    start_methods: list[str]  # every start method this platform offers
    lifecycle: Lifecycle
    memory: ChildMemory
    sigterm: int
    sigkill: int
    env: NotRequired[Env]


class Worked(TypedDict):
    """A call that returned: its value."""

    ok: Literal[True]
    value: int | str


class Failed(TypedDict):
    """A call that raised: the exception as the caller received it."""

    ok: Literal[False]
    type: str
    message: str


class LambdaRow(TypedDict):
    """One start method: a lambda as a Process target and as a pool task, and a
    top-level function as a pool task (the fix)."""

    process: Worked | Failed
    executor: Worked | Failed
    fixed: Worked | Failed


class ChildError(TypedDict):
    """The exception line that ended a child's traceback."""

    type: str
    message: str


class ChildRun(TypedDict):
    """A child interpreter run on a session or a script."""

    returncode: int
    stdout: str
    error: ChildError | None


class Pickling(TypedDict):
    """snippets/pickling.py: what a worker can be given, per start method."""

    experiment: str
    start_methods: list[str]
    lambdas: dict[str, LambdaRow]  # start method -> its row
    repl_session: str
    repl: ChildRun  # a REPL-defined function in a spawn pool
    repl_fix: ChildRun  # the same function imported from a module file
    no_guard_script: str
    no_guard: ChildRun
    with_guard: ChildRun
    env: NotRequired[Env]


# --- startup_cost -----------------------------------------------------------------


class StartupCost(TypedDict):
    """snippets/startup_cost.py: starting and joining workers, in rounds."""

    experiment: str
    cores: int  # workers per one-shot pool
    default_method: str
    methods: list[str]
    # "thread", each start method, "thread pool", "process pool": how many of
    # each one round times (seconds per start = the round's time / this)
    batch: dict[str, int]
    starts: RoundsRecord  # one alternative per key of batch
    pools_created: dict[str, int]  # "thread pool", "process pool"
    pool_workers_asked: dict[str, int]
    pool_workers_started: dict[str, int]  # counted by the workers themselves
    env: NotRequired[Env]


# --- io_bound ---------------------------------------------------------------------


class PoolWorkers(TypedDict):
    asked: int
    started: int


class IoServer(TypedDict):
    """The local HTTP server the script started, after it stopped it."""

    port: int
    pid: int | None
    exitcode: int | None


class IoBound(TypedDict):
    """snippets/io_bound.py: waits and HTTP requests serially, in threads and in
    processes, for growing numbers of tasks at once."""

    experiment: str
    wait: float  # seconds per wait (and per server answer)
    counts: list[int]  # tasks at once
    kinds: dict[str, list[str]]  # "sleep", "http" -> "serial", "threads", ...
    headline: int  # the count the claims are judged on
    cores: int
    start_method: str
    sleep: dict[str, RoundsRecord]  # str(count) -> its rounds
    http: dict[str, RoundsRecord]
    pool_start: RoundsRecord  # "threads", "processes": a batch of pools each
    pool_start_batch: dict[str, int]
    pool_start_workers: dict[str, PoolWorkers]
    server: IoServer
    port_closed: bool
    leftover_children: list[str]  # names of child processes still alive
    env: NotRequired[Env]


# --- task_size and payload_size ---------------------------------------------------


class TaskSizeHeadline(TypedDict):
    tiny: int
    big: int


class TaskSizeRow(TypedDict):
    """One task size: the loop and each pool call, in rounds."""

    size: int  # iterations per task
    tasks: int
    chunksize_auto: int  # what multiprocessing.Pool.map would choose
    # "serial" and each mode (a mode missing was the same call as chunksize=1)
    rounds: RoundsRecord


class TaskSize(TypedDict):
    """snippets/task_size.py: the same work cut into tasks of growing size."""

    experiment: str
    total: int  # iterations in all, at every size
    cores: int
    workers: int
    headline_workers: int
    headline: TaskSizeHeadline  # the sizes the claims are judged on
    start_method: str
    modes: list[str]
    rows: list[TaskSizeRow]
    env: NotRequired[Env]


class PayloadHeadline(TypedDict):
    small: int
    big: int


class PayloadSize(TypedDict):
    """snippets/payload_size.py: the same work with arguments of growing size."""

    experiment: str
    tasks: int  # per batch
    work: int  # iterations per task
    cores: int
    workers: int
    headline_workers: int
    start_method: str
    payloads: list[int]  # bytes per task
    names: dict[str, str]  # str(payload) -> its alternative in rounds
    headline: PayloadHeadline
    received_bytes: dict[str, int]  # str(payload) -> bytes the workers received
    rounds: RoundsRecord  # "serial" and one alternative per payload
    env: NotRequired[Env]


# --- pool_sizing ------------------------------------------------------------------


class PoolSizing(TypedDict):
    """snippets/pool_sizing.py: default pool sizes, and waits in thread pools of
    different sizes."""

    experiment: str
    cpu_counts: dict[str, int | None]  # "os.cpu_count()" ... (None: not in this Python)
    defaults: dict[str, int]  # "ThreadPoolExecutor()" ... -> workers it chose
    waits: int
    wait: float
    sizes: list[int]  # the thread pool sizes timed
    default_threads: int
    names: dict[str, str]  # str(size) -> its alternative in rounds
    rounds: RoundsRecord
    env: NotRequired[Env]


# --- timelines --------------------------------------------------------------------


class Timelines(TypedDict):
    """The result of snippets/timelines.py: spans in seconds from a common start."""

    experiment: str
    workers: int  # workers per pool (2)
    cpu_task: float  # seconds of CPU work per task (calibrated)
    wait: float  # seconds per I/O task
    cpu_chunk: float  # seconds of work between two stamps of a CPU task
    chunk: float  # seconds of work between two stamps of the hand-off
    switch_interval: float  # sys.getswitchinterval()
    # "serial", "threads", "processes" -> [worker, stamps] per task: the start,
    # then a stamp after every chunk (CPU) or at the end of the wait (I/O)
    cpu: dict[str, list[list[Any]]]
    io: dict[str, list[list[Any]]]
    handoff: dict[str, list[float]]  # thread -> a stamp after every chunk
    asyncio: list[list[Any]]  # [task, start, end] per step between awaits
    round_trips: list[list[float]]  # [sent, ran in the worker, back] per tiny task
    env: NotRequired[Env]  # added by measure.emit


SHAPES: dict[str, Any] = {
    "cpu_bound": CpuBound,
    "threads_basics": ThreadsBasics,
    "gil_release": GilRelease,
    "gil_blocking": GilBlocking,
    "processes_basics": ProcessesBasics,
    "pickling": Pickling,
    "startup_cost": StartupCost,
    "io_bound": IoBound,
    "task_size": TaskSize,
    "payload_size": PayloadSize,
    "pool_sizing": PoolSizing,
    "timelines": Timelines,
}
