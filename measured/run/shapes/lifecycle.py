"""Result shapes of the experiments on ending things cleanly (claims/lifecycle.py).

Who removes a shared-memory segment (``shm_tracking``), and how a producer tells its
consumers that no more work will come (``queue_shutdown``, ``asyncio_queue_shutdown``).
A part that needs Python 3.13+ is ``None`` on an older interpreter.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env


class TrackingCase(TypedDict):
    exists_after: bool  # the segment, once the program and its tracker had exited
    warning: str  # the program's resource-tracker leak warning, "" if none
    # Attach cases only (None for the forgotten ones): what the creator, this
    # script, still can do once the attaching program has exited.
    creator_still_reads: bool | None  # its own mapping still reads
    creator_unlink_error: str | None  # what its unlink() raised, "none"


class ShmTracking(TypedDict):
    """snippets/shm_tracking.py: who unlinks a segment, with and without tracking."""

    experiment: str
    has_track: bool  # SharedMemory(track=...) exists (Python 3.13+)
    attach: TrackingCase
    attach_untracked: TrackingCase | None
    forgotten: TrackingCase
    forgotten_untracked: TrackingCase | None
    env: NotRequired[Env]


class SentinelPart(TypedDict):
    consumed: int  # items the consumers took, in all
    distinct: int  # of which distinct
    exited: int  # consumers that returned


class ShutdownPart(SentinelPart):
    errors: list[str]  # the exception each consumer's get() raised to end it
    put_after: str  # the exception put() raised after shutdown()
    per_consumer: list[int]  # items each consumer took


class BlockedPart(TypedDict):
    """shutdown() called while every consumer waits in get() on an empty queue, and
    while a put() waits on a full maxsize=1 queue."""

    waiting: int  # consumers seen blocked in get() when shutdown() was called
    per_consumer: list[int]  # items each consumer got (there were none to get)
    errors: list[str]  # the exception each blocked get() raised
    exited: int  # consumers that returned
    put_waiting: bool  # the put() was seen blocked when shutdown() was called
    put_error: str  # what the blocked put() raised: "none" if it returned,
    # "still blocked" if it had not woken WAIT seconds after shutdown()


class ImmediatePart(TypedDict):
    queued: int  # items waiting when shutdown(immediate=True) was called
    left: int  # items still in the queue right after it
    consumed: int  # items a consumer got after it
    get_error: str  # the exception that get() raised
    join_returned: bool  # join() returned although no task_done() was called


class QueueShutdown(TypedDict):
    """snippets/queue_shutdown.py and asyncio_queue_shutdown.py: ending consumers."""

    experiment: str
    items: int
    consumers: int
    has_shutdown: bool  # Queue.shutdown() exists (Python 3.13+)
    sentinel: SentinelPart
    shutdown: ShutdownPart | None
    immediate: ImmediatePart | None
    blocked: BlockedPart | None
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {
    "shm_tracking": ShmTracking,
    "queue_shutdown": QueueShutdown,
    "asyncio_queue_shutdown": QueueShutdown,
}
