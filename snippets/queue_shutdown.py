"""Ending a producer/consumer: a sentinel on every version, Queue.shutdown() on 3.13+.

Three ways to tell consumer threads that no more work will come:

- sentinel:  the producer puts one STOP object per consumer after the work; each
             consumer returns when it takes one (works on every version);
- shutdown() (3.13+): the producer calls queue.shutdown() after the work; the
             consumers still get every item already queued, then get() raises
             queue.ShutDown and they return; put() raises it too from then on;
- shutdown(immediate=True) (3.13+): the queue drops what it still holds, get()
             raises ShutDown at once, and join() no longer waits for the dropped
             items.

Every thread is joined with a timeout, so a consumer that never ends is counted,
not waited for.

Run it yourself from a clone:  python snippets/queue_shutdown.py
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import lifecycle as shape

TIMEOUT = 60
ITEMS, CONSUMERS = 1_000, 3
WAIT = 5.0  # seconds to wait for a thread that should end at once
STOP = object()  # the sentinel: a unique object no real item can equal
HAS_SHUTDOWN = hasattr(queue.Queue, "shutdown")  # Python 3.13+, gh-96471


def consume_until_sentinel(work: queue.Queue[Any], got: list[int]) -> None:
    while (item := work.get()) is not STOP:
        got.append(item)  # list.append is thread-safe in CPython


def consume_until_shutdown(
    work: queue.Queue[Any], got: list[int], errors: list[str]
) -> None:
    while True:
        try:
            item = work.get()
        except queue.ShutDown as error:  # Python 3.13+: shut down and empty
            errors.append(type(error).__name__)
            return
        got.append(item)


def run_consumers(target: Any, *args: Any) -> list[threading.Thread]:
    threads = [threading.Thread(target=target, args=args) for _ in range(CONSUMERS)]
    for thread in threads:
        thread.start()
    return threads


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
    threads = run_consumers(consume_until_shutdown, work, got, errors)
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
    consumer = threading.Thread(target=consume_until_shutdown, args=(work, got, errors))
    consumer.start()
    # join() waits for a task_done() per item; the dropped items count as done.
    waiter = threading.Thread(target=work.join)
    waiter.start()
    joined([consumer, waiter])
    return {
        "queued": queued,
        "left": left,
        "consumed": len(got),
        "get_error": errors[0] if errors else "none",
        "join_returned": not waiter.is_alive(),
    }


def main() -> None:
    sentinel = with_sentinel()
    shutdown = with_shutdown() if HAS_SHUTDOWN else None
    immediate = with_immediate_shutdown() if HAS_SHUTDOWN else None

    print(f"{ITEMS:,} items, {CONSUMERS} consumer threads")
    print(
        f"sentinel:   {sentinel['distinct']:,} distinct items taken, "
        f"{sentinel['exited']} of {CONSUMERS} consumers returned"
    )
    if shutdown is None or immediate is None:
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

    result: shape.QueueShutdown = {
        "experiment": "queue_shutdown",
        "items": ITEMS,
        "consumers": CONSUMERS,
        "has_shutdown": HAS_SHUTDOWN,
        "sentinel": sentinel,
        "shutdown": shutdown,
        "immediate": immediate,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
