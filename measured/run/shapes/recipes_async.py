"""Result shapes of the experiments of docs/recipes/async.md."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# ---- recipe_sync_async ---------------------------------------------------------------


class Raised(TypedDict):
    type: str  # the exception's class name, "none" when nothing was raised
    message: str  # str(exception), "" when nothing was raised


class BackgroundLoop(TypedDict):
    future_type: str  # module.qualname of what run_coroutine_threadsafe returned
    is_concurrent_future: bool  # isinstance(..., concurrent.futures.Future)
    value: int  # what future.result() returned
    coroutine_in_loop_thread: bool  # the coroutine ran in the loop's thread
    result_in_calling_thread: bool  # result() returned in the main thread
    exception: Raised  # what result() raised for a coroutine that raised
    callback_in_loop_thread: bool  # call_soon_threadsafe's callback ran there
    loop_thread_ended: bool  # the loop's thread ended after loop.stop


class SyncAsync(TypedDict):
    """snippets/recipe_sync_async.py: async from sync code and from threads."""

    experiment: str
    nested: Raised  # asyncio.run() inside a running loop
    to_thread_value: int  # asyncio.to_thread(asyncio.run, ...) inside one
    closed: dict[str, Raised]  # call -> what it raised on a closed loop
    background: BackgroundLoop
    env: NotRequired[Env]


# ---- recipe_fire_forget --------------------------------------------------------------


class Collected(TypedDict):
    collected: bool  # the unreferenced task was garbage-collected
    finished: int  # tasks that reached their end
    logged: list[str]  # the asyncio logger's records meanwhile


class Lost(TypedDict):
    caller_saw: str  # the exception type the caller caught, "none"
    logged: list[str]


class Closed(TypedDict):
    pending_at_close: bool  # the task was pending when the loop closed
    close_logged: list[str]  # logged once it was collected
    run_cancelled: bool  # asyncio.run() cancelled the task it left
    run_logged: list[str]


class Kept(TypedDict):
    alive_after_gc: int  # tasks in the set that survived gc.collect()
    left_in_set: int  # tasks still in the set once every one was done
    logged: list[str]


class Grouped(TypedDict):
    caller_caught: list[str]  # repr() of each exception in the group
    logged: list[str]


class FireForget(TypedDict):
    """snippets/recipe_fire_forget.py: forgotten tasks, kept tasks, TaskGroup."""

    experiment: str
    tasks: int
    collected: Collected
    lost: Lost
    closed: Closed
    kept: Kept
    taskgroup: Grouped
    env: NotRequired[Env]


# ---- recipe_http_fanout --------------------------------------------------------------


class FanoutSession(TypedDict):
    ok: int  # requests answered 200
    rss_before: int  # bytes of resident memory before the session
    rss_peak: int  # peak resident bytes during it (VmHWM after a reset)
    peak_reset: bool  # False: the peak could not be reset, rss_peak is RSS after


class FanoutLevel(TypedDict):
    requests: int
    time: RoundsRecord  # seconds per session, "threads" and "asyncio"
    sessions: dict[str, list[FanoutSession]]  # kind -> one per round


class HttpFanout(TypedDict):
    """snippets/recipe_http_fanout.py: a thread pool against asyncio over HTTP."""

    experiment: str
    delay: float  # seconds the server waits before it answers
    workers: int  # requests in flight at most, in both clients
    levels: list[int]
    timed: int  # the level compared in rounds
    server: dict[str, int]  # served, peak in flight, exitcode
    by_level: dict[str, FanoutLevel]
    env: NotRequired[Env]


# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {
    "recipe_sync_async": SyncAsync,
    "recipe_fire_forget": FireForget,
    "recipe_http_fanout": HttpFanout,
}
