"""Ending a producer/consumer: a sentinel on every version, Queue.shutdown() on 3.13+.

Three ways to tell consumer threads that no more work will come:

- sentinel:  the producer puts one STOP object per consumer after the work; each
             consumer returns when it takes one (works on every version);
- shutdown() (3.13+): the producer calls queue.shutdown() after the work; the
             consumers still get every item already queued, then get() raises
             queue.ShutDown and they return; put() raises it too from then on;
- shutdown(immediate=True) (3.13+): the queue drops what it still holds, get()
             raises ShutDown at once, and join() no longer waits for the dropped
             items;
- blocked (3.13+): shutdown() while every consumer already waits in get() on an
             empty queue, and while a put() waits on a full queue (maxsize=1):
             each of them raises ShutDown.

Every thread is a daemon joined with a timeout, so a consumer that never ends is
counted, not waited for, and cannot keep the script from exiting.

Run it yourself from a clone:  python snippets/queue_shutdown.py
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import lifecycle as shape

TIMEOUT = 60
ITEMS, CONSUMERS = 1_000, 3
WAIT = 5.0  # seconds to wait for a thread that should end at once
POLL = 0.001  # seconds between looks at whether the threads are blocked yet
STOP = object()  # the sentinel: a unique object no real item can equal
HAS_SHUTDOWN = hasattr(queue.Queue, "shutdown")  # Python 3.13+, gh-96471


def consume_until_sentinel(work: queue.Queue[Any], got: list[int]) -> None:
    while (item := work.get()) is not STOP:
        got.append(item)  # list.append is thread-safe in CPython


def consume_until_shutdown(
    work: queue.Queue[Any], got: list[int], errors: list[str], mine: list[int]
) -> None:
    """Take items until get() raises ShutDown; ``mine`` counts this consumer's."""
    mine.append(0)
    slot = len(mine) - 1  # list.append is atomic: each consumer gets its own slot
    while True:
        try:
            item = work.get()
        except queue.ShutDown as error:  # Python 3.13+: shut down and empty
            errors.append(type(error).__name__)
            return
        got.append(item)
        mine[slot] += 1


def start(target: Any, *args: Any) -> threading.Thread:
    # A daemon: a thread that never ends is counted by joined(), and the script
    # still exits, so the result records it instead of the runner's timeout.
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def run_consumers(target: Any, *args: Any) -> list[threading.Thread]:
    return [start(target, *args) for _ in range(CONSUMERS)]


def blocked_in(condition: threading.Condition, count: int) -> int:
    """How many threads wait on ``condition``, once ``count`` do or WAIT passed.

    Condition._waiters (one lock per waiting thread) is CPython's own record of
    who is blocked: the experiment looks instead of sleeping and hoping.
    """
    waiters = condition._waiters  # type: ignore[attr-defined]
    deadline = time.monotonic() + WAIT
    while len(waiters) < count and time.monotonic() < deadline:
        time.sleep(POLL)
    return len(waiters)


def joined(threads: list[threading.Thread]) -> int:
    """How many of ``threads`` ended within WAIT seconds."""
    for thread in threads:
        thread.join(WAIT)
    return sum(not thread.is_alive() for thread in threads)


def with_sentinel() -> shape.SentinelPart:
    work: queue.Queue[Any] = queue.Queue()
    got: list[int] = []
    threads = run_consumers(consume_until_sentinel, work, got)
    for item in range(ITEMS):
        work.put(item)
    for _ in threads:
        work.put(STOP)  # one each: a consumer that takes one stops taking
    exited = joined(threads)
    return {"consumed": len(got), "distinct": len(set(got)), "exited": exited}


def with_shutdown() -> shape.ShutdownPart:
    work: queue.Queue[Any] = queue.Queue()
    got: list[int] = []
    errors: list[str] = []
    mine: list[int] = []
    threads = run_consumers(consume_until_shutdown, work, got, errors, mine)
    for item in range(ITEMS):
        work.put(item)
    work.shutdown()  # no more puts; gets drain what is queued, then raise
    exited = joined(threads)
    try:
        work.put(ITEMS)
        put_after = "none"
    except queue.ShutDown as error:
        put_after = type(error).__name__
    return {
        "consumed": len(got),
        "distinct": len(set(got)),
        "exited": exited,
        "errors": sorted(errors),
        "put_after": put_after,
        "per_consumer": mine,
    }


def with_immediate_shutdown() -> shape.ImmediatePart:
    work: queue.Queue[Any] = queue.Queue()
    for item in range(ITEMS):
        work.put(item)  # nobody has taken any yet, nor called task_done()
    queued = work.qsize()
    work.shutdown(immediate=True)
    left = work.qsize()
    got: list[int] = []
    errors: list[str] = []
    consumer = start(consume_until_shutdown, work, got, errors, [])
    # join() waits for a task_done() per item; the dropped items count as done.
    waiter = start(work.join)
    joined([consumer, waiter])
    return {
        "queued": queued,
        "left": left,
        "consumed": len(got),
        "get_error": errors[0] if errors else "none",
        "join_returned": not waiter.is_alive(),
    }


def put_one(work: queue.Queue[Any], outcome: list[str]) -> None:
    try:
        work.put(ITEMS)  # blocks: the queue is full
        outcome.append("none")
    except queue.ShutDown as error:
        outcome.append(type(error).__name__)


def with_blocked_shutdown() -> shape.BlockedPart:
    """shutdown() while the consumers, and a put(), are already blocked."""
    idle: queue.Queue[Any] = queue.Queue()  # empty: every get() blocks
    got: list[int] = []
    errors: list[str] = []
    mine: list[int] = []
    threads = run_consumers(consume_until_shutdown, idle, got, errors, mine)
    waiting = blocked_in(idle.not_empty, CONSUMERS)
    full: queue.Queue[Any] = queue.Queue(maxsize=1)
    full.put(0)
    outcome: list[str] = []
    putter = start(put_one, full, outcome)
    put_waiting = blocked_in(full.not_full, 1) == 1
    idle.shutdown()  # wakes every blocked get(): the queue is empty, so they raise
    full.shutdown()  # wakes the blocked put(): it raises
    exited = joined(threads)
    joined([putter])
    return {
        "waiting": waiting,
        "per_consumer": mine,
        "errors": sorted(errors),
        "exited": exited,
        "put_waiting": put_waiting,
        "put_error": outcome[0] if outcome else "still blocked",
    }


def main() -> None:
    sentinel = with_sentinel()
    shutdown = with_shutdown() if HAS_SHUTDOWN else None
    immediate = with_immediate_shutdown() if HAS_SHUTDOWN else None
    blocked = with_blocked_shutdown() if HAS_SHUTDOWN else None

    print(f"{ITEMS:,} items, {CONSUMERS} consumer threads")
    print(
        f"sentinel:   {sentinel['distinct']:,} distinct items taken, "
        f"{sentinel['exited']} of {CONSUMERS} consumers returned"
    )
    if shutdown is None or immediate is None or blocked is None:
        print("shutdown(): needs Python 3.13+ (queue.Queue has no shutdown here)")
    else:
        print(
            f"shutdown(): {shutdown['distinct']:,} distinct items taken, "
            f"{shutdown['exited']} of {CONSUMERS} consumers returned on "
            f"{', '.join(shutdown['errors'])}; put() afterwards raised "
            f"{shutdown['put_after']}"
        )
        print(
            f"shutdown(immediate=True) with {immediate['queued']:,} items queued: "
            f"{immediate['left']} left, get() raised {immediate['get_error']}, "
            f"join() returned: {immediate['join_returned']}"
        )
        print(
            f"shutdown() with {blocked['waiting']} consumers blocked in get(): "
            f"items each got {blocked['per_consumer']}, "
            f"{blocked['exited']} returned on {', '.join(blocked['errors'])}; "
            f"a put() blocked on a full queue raised {blocked['put_error']}"
        )

    result: shape.QueueShutdown = {
        "experiment": "queue_shutdown",
        "items": ITEMS,
        "consumers": CONSUMERS,
        "has_shutdown": HAS_SHUTDOWN,
        "sentinel": sentinel,
        "shutdown": shutdown,
        "immediate": immediate,
        "blocked": blocked,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
