"""Result shapes of the experiments of docs/recipes/threads.md."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord

# --- recipe_thread_result: a thread's return value and exception -------------------


class PlainReturn(TypedDict):
    join_returned: str  # repr() of what Thread.join() returned
    value_kept: bool  # the object the target returned was still alive after join()


class PlainFailure(TypedDict):
    hook_got: list[str]  # the exception types threading.excepthook received
    printed_first: str  # first and last line the default hook printed on stderr
    printed_last: str
    join_raised: str  # what join() on the failed thread raised: "none"
    failed_alive: bool  # the failed thread, after join()
    others: int  # threads working beside it
    others_alive_at_failure: int  # of which running when the hook saw the failure
    others_finished: int  # of which finished their work
    others_finished_after_failure: int  # ... after the hook had seen the failure


class FutureFix(TypedDict):
    value: int  # what Future.result() returned (its .value)
    same_object: bool  # the very object the function returned
    raised: str  # what result() of the failing call raised
    message: str  # its message
    hook_calls: int  # threading.excepthook calls meanwhile


class QueueFix(TypedDict):
    value: int  # the value the thread put on the queue
    raised: str  # what the caller raised again from the exception it put there


class RecipeThreadResult(TypedDict):
    """snippets/recipe_thread_result.py."""

    experiment: str
    n: int
    plain: PlainReturn
    failure: PlainFailure
    future: FutureFix
    queue: QueueFix
    env: NotRequired[Env]


# --- recipe_stop_thread: how fast each way stops the work -------------------------


class DaemonRound(TypedDict):
    daemon_alive: bool  # the daemon thread was alive when the main thread returned
    finally_ran: bool  # its `finally:` block printed
    exitcode: int  # the program's


class RecipeStopThread(TypedDict):
    """snippets/recipe_stop_thread.py: seconds from the stop request to the work
    having stopped, per way, in rounds."""

    experiment: str
    step: float  # seconds per step of the task
    steps: int  # steps in the whole task
    before: float  # seconds the main thread slept before the request
    grace: float  # seconds after the request at which it looked again
    start_method: str
    stop: RoundsRecord  # "Event", "no check", "terminate()", "daemon, at exit"
    alive_after_grace: dict[str, list[bool]]  # per way, per round
    steps_done: dict[str, list[int]]  # "Event", "no check": per round
    terminate_exitcodes: list[int]  # per round
    daemon: list[DaemonRound]  # per round
    env: NotRequired[Env]


# --- recipe_queue_join: Queue.join() and task_done() -------------------------------


class JoinPart(TypedDict):
    """task_done() in a finally: block, for every item."""

    done_when_consumers_started: int  # items handled before the consumers ran
    done_when_join_returned: int  # ... and when join() returned
    unfinished_after: int  # Queue.unfinished_tasks then
    consumers_alive_after_join: int  # still blocked in get()
    consumers_exited_after_pills: int  # after one sentinel each


class ForgottenPart(TypedDict):
    """task_done() skipped for the item whose handling raised."""

    done: int  # items the consumers had taken and handled (or failed)
    join_waiting_after: bool  # join() had not returned after `hang` seconds
    unfinished: int  # Queue.unfinished_tasks then
    released_after_task_done: bool  # join() returned once the missing call was made
    consumers_exited_after_pills: int


class RecipeQueueJoin(TypedDict):
    """snippets/recipe_queue_join.py."""

    experiment: str
    items: int
    consumers: int
    hang: float
    task_done: JoinPart
    forgotten: ForgottenPart
    env: NotRequired[Env]


# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {
    "recipe_thread_result": RecipeThreadResult,
    "recipe_stop_thread": RecipeStopThread,
    "recipe_queue_join": RecipeQueueJoin,
}
