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
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {
    "shm_tracking": ShmTracking,
    "queue_shutdown": QueueShutdown,
    "asyncio_queue_shutdown": QueueShutdown,
}
