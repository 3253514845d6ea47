"""Result shapes of the experiments of measured/claims/coordination.py.

Sharing and synchronization (sharing_demo, ipc_throughput, shared_array,
race_threads, race_processes, lock_cost, sync_primitives), futures (futures_api,
broken_pool, futures_compare) and asyncio (asyncio_basics, asyncio_blocking,
many_connections). Maps keyed by a label the snippet chose (a channel, a lock, a
job) are ``dict[str, ...]``; fixed keys are TypedDicts.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# --- sharing_demo -------------------------------------------------------------------


class QueuePart(TypedDict):
    parent_pid: int
    child_pid: int
    sent: int
    got: int  # the child's square of ``sent``


class PipePart(TypedDict):
    round_trips: int  # per timed call
    sent: int
    echoed: int  # answers that came back intact
    rounds: RoundsRecord  # "round trips"


class ValueArrayPart(TypedDict):
    slots: int
    children_pids: list[int]
    sum: int
    expected: int
    counter: int


class ManagerPart(TypedDict):
    parent_pid: int
    keys: list[str]
    writer_pids: list[int]
    proxy: str  # the proxy's type name


class SharedMemoryPart(TypedDict):
    name: str
    sent: str
    got: str
    dev_shm: bool  # only Linux keeps segments in /dev/shm
    visible_in_dev_shm: bool
    gone_after_unlink: bool


class ShareableListPart(TypedDict):
    name: str
    before: list[int | float | str]
    got: list[int | float | str]
    visible_in_dev_shm: bool
    gone_after_unlink: bool


class SharingDemo(TypedDict):
    """snippets/sharing_demo.py: every way to share, each shown once."""

    experiment: str
    queue: QueuePart
    pipe: PipePart
    value_array: ValueArrayPart
    manager: ManagerPart
    shared_memory: SharedMemoryPart
    shareable_list: ShareableListPart
    segments: list[str]  # shared memory names, checked gone after the run
    env: NotRequired[Env]


# --- ipc_throughput -----------------------------------------------------------------


class Placement(TypedDict):
    parent: int | None  # the core the parent is pinned to; None: left to the OS
    children: int | None


class IpcRow(TypedDict):
    size: int  # bytes per message
    messages: dict[str, int]  # channel -> messages per timed batch
    in_flight: int
    child_received: dict[str, list[int]]  # channel -> bytes the child got, by batch
    rounds: RoundsRecord  # "Pipe", "Queue", "shared memory"


class IpcThroughput(TypedDict):
    """snippets/ipc_throughput.py: Pipe, Queue and shared memory, by message size."""

    experiment: str
    sizes: list[int]
    placement: Placement
    rows: list[IpcRow]  # one per size, in ``sizes`` order
    segments: list[str]
    env: NotRequired[Env]


# --- shared_array -------------------------------------------------------------------


class SharedArray(TypedDict):
    """snippets/shared_array.py: pickled chunks vs one shared-memory segment."""

    experiment: str
    bytes: int
    chunks: int
    workers: int
    headline_workers: int
    rounds: RoundsRecord  # "pickled copy", "shared memory", "serial"
    # way -> per timed call, the bytes each task's message brought its worker
    # (None for a worker's first task: nothing to count from)
    received: dict[str, list[list[int | None]]]
    counted_by: str  # "rchar" (/proc/self/io) or "connections"
    segments: list[str]
    env: NotRequired[Env]


# --- race_threads, race_processes ---------------------------------------------------


class ThreadRaceRow(TypedDict):
    way: str  # "naive", "unsafe", "locked", "append"
    interval: float  # sys.getswitchinterval() during the trials
    lost: list[int]  # per trial


class RaceThreads(TypedDict):
    """snippets/race_threads.py: lost updates with and without a lock."""

    experiment: str
    threads: int
    iterations: int
    expected: int
    trials: int
    default_interval: float
    tiny_interval: float
    rows: list[ThreadRaceRow]
    env: NotRequired[Env]


class ProcessRaceRow(TypedDict):
    way: str
    lost: list[int]  # per trial


class RaceProcesses(TypedDict):
    """snippets/race_processes.py: a shared Value, a threading.Lock, a process Lock."""

    experiment: str
    processes: int
    iterations: int
    expected: int
    trials: int
    fork_available: bool
    rows: list[ProcessRaceRow]  # empty where the platform has no fork
    pickle_error: str
    env: NotRequired[Env]


# --- lock_cost ----------------------------------------------------------------------


class LockCost(TypedDict):
    """snippets/lock_cost.py: what an acquisition costs, uncontended and contended."""

    experiment: str
    acquisitions: dict[str, int]  # configuration -> acquisitions per round
    relay_pinned_to_one_core: bool
    rounds: RoundsRecord  # "no lock", "Lock", "RLock", ..., "Lock, contended"
    env: NotRequired[Env]


# --- sync_primitives ----------------------------------------------------------------


class SecondAcquire(TypedDict):
    second_acquire: bool
    waited_s: float


class RLockPart(TypedDict):
    RLock: SecondAcquire
    Lock: SecondAcquire
    timeout_s: float


class SemaphorePart(TypedDict):
    peak_inside: int
    seconds: float


class EventPart(TypedDict):
    waiters: int
    woken_before_set: int
    woken: int
    max_wake_ms: float


class ConditionPart(TypedDict):
    sent: list[int]
    received: list[int]
    predicate_checks: list[bool]  # [False, ..., True]: it waited, then woke


class BarrierPart(TypedDict):
    parties: int
    arrived_ms: list[float]
    passed_ms: list[float]


class QueueDemo(TypedDict):
    items: int
    consumers: int
    delivered: int
    distinct: int


class DeadlockPart(TypedDict):
    opposite_order_got_second_lock: list[bool]  # per thread
    same_order_got_second_lock: list[bool]


class SyncPrimitives(TypedDict):
    """snippets/sync_primitives.py: each threading primitive, shown once."""

    experiment: str
    rlock: RLockPart
    semaphore: SemaphorePart
    event: EventPart
    condition: ConditionPart
    barrier: BarrierPart
    queue: QueueDemo
    deadlock: DeadlockPart
    limit: int
    workers: int
    deadlock_timeout: float
    env: NotRequired[Env]


# --- futures_api --------------------------------------------------------------------


class Orders(TypedDict):
    submitted: list[float]  # the tasks' delays, in submission order
    map: list[float]
    as_completed: list[float]


class WaitPart(TypedDict):
    done: int
    pending: int
    waited_ms: float


class TimeoutPart(TypedDict):
    raised: str
    after_ms: float
    still_running: bool
    result_later: float


class CancelPart(TypedDict):
    cancel_returned: list[bool]
    states: list[str]
    shutdown_total: int
    shutdown_cancelled: int
    shutdown_ran: int


class ExceptionsPart(TypedDict):
    exception: str  # repr of what future.exception() returned
    remote_traceback_lines: list[str]
    map_delivered_before_error: list[int]
    map_reraised: str
    other_results: list[int]


class InitializerPart(TypedDict):
    workers_seen: int
    configs: list[str]
    init_calls_per_worker: list[int]
    tasks: int


class FuturesApi(TypedDict):
    """snippets/futures_api.py: the concurrent.futures API, each call shown once."""

    experiment: str
    submit: int
    orders: Orders
    wait: WaitPart
    timeout: TimeoutPart
    cancel: CancelPart
    exceptions: ExceptionsPart
    initializer: InitializerPart
    start_methods: RoundsRecord  # one per start method this platform has
    default_start_method: str
    env: NotRequired[Env]


# --- broken_pool --------------------------------------------------------------------


class AfterException(TypedDict):
    raising_task: str
    next_task: str
    next_result: int


class AfterCrash(TypedDict):
    crashed_task: str
    message: str
    pending_tasks: list[str]
    new_submit: str


class NewPool(TypedDict):
    result: int


class BrokenPool(TypedDict):
    """snippets/broken_pool.py: a raising task vs a crashing worker."""

    experiment: str
    after_exception: AfterException
    after_crash: AfterCrash
    new_pool: NewPool
    env: NotRequired[Env]


# --- futures_compare ----------------------------------------------------------------


class Workload(TypedDict):
    tasks: int
    workers: int
    maps_per_round: dict[str, int]  # "serial", "threads", "processes"
    rounds: RoundsRecord


class FuturesCompare(TypedDict):
    """snippets/futures_compare.py: threads vs processes on three workloads."""

    experiment: str
    cores: int
    headline_workers: int
    wait_seconds: float
    cpu_size: int
    workloads: dict[str, Workload]  # "CPU", "waiting", "tiny"
    env: NotRequired[Env]


# --- asyncio_basics -----------------------------------------------------------------


class OneThread(TypedDict):
    tasks: int
    threads: int
    threads_alive: int
    processes: int


class GatherPart(TypedDict):
    tasks: int
    nap: float
    rounds: RoundsRecord  # "one wait", "gather"


class TaskGroupPart(TypedDict):
    caught: str
    siblings: int
    siblings_cancelled: int


class AsyncTimeoutPart(TypedDict):
    deadline: float
    outcomes: list[str]  # one per round
    rounds: RoundsRecord  # "timeout"


class AsyncSemaphorePart(TypedDict):
    peak: int
    limit: int
    tasks: int


class AsyncioBasics(TypedDict):
    """snippets/asyncio_basics.py: one thread, gather, TaskGroup, timeouts, limits."""

    experiment: str
    one_thread: OneThread
    gather: GatherPart
    task_group: TaskGroupPart
    timeout: AsyncTimeoutPart
    semaphore: AsyncSemaphorePart
    env: NotRequired[Env]


# --- asyncio_blocking ---------------------------------------------------------------


class AsyncioBlocking(TypedDict):
    """snippets/asyncio_blocking.py: how long each way of blocking stalls the loop."""

    experiment: str
    tick: float
    block: float
    cpu_size: int
    took: RoundsRecord  # job -> seconds it took, round by round
    stall_seconds: dict[str, list[float]]  # job -> the loop's worst stall, by round
    env: NotRequired[Env]


# --- many_connections ---------------------------------------------------------------


class FdLimit(TypedDict):
    soft_before: int
    soft: int
    hard: int


class ServerStats(TypedDict):
    accepted: NotRequired[int]  # absent if the server did not report
    open: NotRequired[int]
    peak: NotRequired[int]
    exitcode: int | None


class Session(TypedDict):
    kind: str
    rss_before: int
    rss_peak: int
    failures: int
    failure_kinds: list[str]


class Level(TypedDict):
    rounds: int
    time: RoundsRecord  # "threads", "asyncio"
    sessions: dict[str, list[Session]]  # kind -> one per round


class ManyConnections(TypedDict):
    """snippets/many_connections.py: N connections from threads and from asyncio."""

    experiment: str
    levels: list[int]
    top: int
    skipped_levels: list[int]  # beyond this machine's file limit
    fd_limit: FdLimit
    port: int
    server: ServerStats
    by_level: dict[str, Level]  # str(level) -> its rounds
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {
    "sharing_demo": SharingDemo,
    "ipc_throughput": IpcThroughput,
    "shared_array": SharedArray,
    "race_threads": RaceThreads,
    "race_processes": RaceProcesses,
    "lock_cost": LockCost,
    "sync_primitives": SyncPrimitives,
    "futures_api": FuturesApi,
    "broken_pool": BrokenPool,
    "futures_compare": FuturesCompare,
    "asyncio_basics": AsyncioBasics,
    "asyncio_blocking": AsyncioBlocking,
    "many_connections": ManyConnections,
}


# ---- futures_lifecycle: stop, feed and recycle a pool's workers (3.11-3.14) --------


class ProcessStop(TypedDict):
    how: str  # "terminate", "kill", "interrupt": the Process method called
    started: bool  # the task reported it was inside its try block
    exitcode: int | None
    interrupted: bool  # the task's except KeyboardInterrupt: block ran
    cleaned_up: bool  # the task's finally: block ran
    stopped_ms: float  # from the call to the process's end; -1: never ended


class PoolStop(TypedDict):
    how: str  # "terminate_workers", "kill_workers"
    running_task: str  # the exception the running task's future ended with
    stopped_ms: float
    queued: list[str]  # each queued task: "cancelled", an exception name, "ran"
    worker_gone: bool  # the worker process exited
    submit_after: str  # "RuntimeError" when the pool refused new work


class StopPart(TypedDict):
    posix: bool
    interrupt: bool  # this interpreter has Process.interrupt() (3.14+)
    terminate_workers: bool  # ... and ProcessPoolExecutor.terminate_workers()
    processes: list[ProcessStop]
    pools: list[PoolStop]  # empty without terminate_workers


class MapPull(TypedDict):
    way: str  # "map()", "window_map()", "map(buffersize=4)"
    items: int
    pulled_at_return: int
    pulled_at_first_result: int
    all_in_order: bool


class MapPart(TypedDict):
    window: int
    buffersize: bool  # this interpreter's Executor.map takes buffersize (3.14+)
    ways: list[MapPull]


class RecyclePart(TypedDict):
    tasks: int
    per_child: int
    pids: list[int]  # the worker PID that ran each task, in task order
    fork_available: bool
    fork_refused: str  # the ValueError's message; "" without fork
    start_method: str  # the start method of the pool given no mp_context


class FuturesLifecycle(TypedDict):
    """snippets/futures_lifecycle.py: stop, feed and recycle a pool's workers."""

    experiment: str
    stop: StopPart
    map: MapPart
    recycle: RecyclePart
    env: NotRequired[Env]


SHAPES["futures_lifecycle"] = FuturesLifecycle
