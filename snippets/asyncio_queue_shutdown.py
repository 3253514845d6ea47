"""Ending an asyncio producer/consumer: a sentinel, or asyncio.Queue.shutdown() (3.13+).

The asyncio twin of queue_shutdown.py, with consumer tasks instead of threads:

- sentinel:  one STOP object per consumer after the work (every version);
- shutdown() (3.13+): consumers still get every item already queued, then
             ``await queue.get()`` raises asyncio.QueueShutDown; put() raises it too;
- shutdown(immediate=True) (3.13+): the queue drops what it holds, get() raises
             QueueShutDown at once, and join() no longer waits for the dropped items;
- blocked (3.13+): shutdown() while every consumer is already suspended in
             ``await queue.get()`` on an empty queue, and while a put() waits on a
             full queue (maxsize=1): each of them raises QueueShutDown.

Every wait has a timeout (asyncio.wait), so a consumer that never ends is counted
and cancelled, not waited for.

Run it yourself from a clone:  python snippets/asyncio_queue_shutdown.py
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import lifecycle as shape

TIMEOUT = 60
ITEMS, CONSUMERS = 1_000, 3
WAIT = 5.0  # seconds to wait for a task that should end at once
STOP = object()  # the sentinel: a unique object no real item can equal
HAS_SHUTDOWN = hasattr(asyncio.Queue, "shutdown")  # Python 3.13+, gh-96471


async def consume_until_sentinel(work: asyncio.Queue[Any], got: list[int]) -> None:
    while (item := await work.get()) is not STOP:
        got.append(item)


async def consume_until_shutdown(
    work: asyncio.Queue[Any], got: list[int], errors: list[str], mine: list[int]
) -> None:
    """Take items until get() raises QueueShutDown; ``mine`` counts this one's."""
    mine.append(0)
    slot = len(mine) - 1
    while True:
        try:
            item = await work.get()
        except asyncio.QueueShutDown as error:  # Python 3.13+: shut down and empty
            errors.append(type(error).__name__)
            return
        got.append(item)
        mine[slot] += 1


def consumers(
    work: asyncio.Queue[Any], got: list[int], errors: list[str], mine: list[int]
) -> list[asyncio.Task[Any]]:
    return [
        asyncio.create_task(consume_until_shutdown(work, got, errors, mine))
        for _ in range(CONSUMERS)
    ]


async def finished(tasks: list[asyncio.Task[Any]]) -> int:
    """How many of ``tasks`` ended within WAIT seconds (the others are cancelled)."""
    done, pending = await asyncio.wait(tasks, timeout=WAIT)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return len(done)


async def with_sentinel() -> shape.SentinelPart:
    work: asyncio.Queue[Any] = asyncio.Queue()
    got: list[int] = []
    tasks = [
        asyncio.create_task(consume_until_sentinel(work, got)) for _ in range(CONSUMERS)
    ]
    for item in range(ITEMS):
        await work.put(item)
    for _ in tasks:
        await work.put(STOP)  # one each: a consumer that takes one stops taking
    exited = await finished(tasks)
    return {"consumed": len(got), "distinct": len(set(got)), "exited": exited}


async def with_shutdown() -> shape.ShutdownPart:
    work: asyncio.Queue[Any] = asyncio.Queue()
    got: list[int] = []
    errors: list[str] = []
    mine: list[int] = []
    tasks = consumers(work, got, errors, mine)
    for item in range(ITEMS):
        await work.put(item)
    work.shutdown()  # no more puts; gets drain what is queued, then raise
    exited = await finished(tasks)
    try:
        await work.put(ITEMS)
        put_after = "none"
    except asyncio.QueueShutDown as error:
        put_after = type(error).__name__
    return {
        "consumed": len(got),
        "distinct": len(set(got)),
        "exited": exited,
        "errors": sorted(errors),
        "put_after": put_after,
        "per_consumer": mine,
    }


async def with_immediate_shutdown() -> shape.ImmediatePart:
    work: asyncio.Queue[Any] = asyncio.Queue()
    for item in range(ITEMS):
        work.put_nowait(item)  # nobody has taken any yet, nor called task_done()
    queued = work.qsize()
    work.shutdown(immediate=True)
    left = work.qsize()
    got: list[int] = []
    errors: list[str] = []
    consumer = asyncio.create_task(consume_until_shutdown(work, got, errors, []))
    # join() waits for a task_done() per item; the dropped items count as done.
    waiter = asyncio.create_task(work.join())
    await finished([consumer])
    joined = await finished([waiter]) == 1
    return {
        "queued": queued,
        "left": left,
        "consumed": len(got),
        "get_error": errors[0] if errors else "none",
        "join_returned": joined,
    }


async def put_one(work: asyncio.Queue[Any]) -> str:
    try:
        await work.put(ITEMS)  # suspends: the queue is full
    except asyncio.QueueShutDown as error:
        return type(error).__name__
    return "none"


async def with_blocked_shutdown() -> shape.BlockedPart:
    """shutdown() while the consumers, and a put(), are already suspended."""
    idle: asyncio.Queue[Any] = asyncio.Queue()  # empty: every get() suspends
    got: list[int] = []
    errors: list[str] = []
    mine: list[int] = []
    tasks = consumers(idle, got, errors, mine)
    full: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)
    full.put_nowait(0)
    putter = asyncio.create_task(put_one(full))
    # One turn of the loop: each new task runs until its get() (or put()) suspends.
    await asyncio.sleep(0)
    # Queue._getters / _putters hold one future per suspended caller: CPython's own
    # record that they are blocked, looked at rather than assumed.
    waiting = sum(not f.done() for f in idle._getters)  # type: ignore[attr-defined]
    put_waiting = any(not f.done() for f in full._putters)  # type: ignore[attr-defined]
    idle.shutdown()  # wakes every suspended get(): the queue is empty, so they raise
    full.shutdown()  # wakes the suspended put(): it raises
    exited = await finished(tasks)
    await finished([putter])
    return {
        "waiting": waiting,
        "per_consumer": mine,
        "errors": sorted(errors),
        "exited": exited,
        "put_waiting": put_waiting,
        # Cancelled by finished(): the put() never woke up.
        "put_error": "still blocked" if putter.cancelled() else putter.result(),
    }


async def experiment() -> shape.QueueShutdown:
    return {
        "experiment": "asyncio_queue_shutdown",
        "items": ITEMS,
        "consumers": CONSUMERS,
        "has_shutdown": HAS_SHUTDOWN,
        "sentinel": await with_sentinel(),
        "shutdown": await with_shutdown() if HAS_SHUTDOWN else None,
        "immediate": await with_immediate_shutdown() if HAS_SHUTDOWN else None,
        "blocked": await with_blocked_shutdown() if HAS_SHUTDOWN else None,
    }


def main() -> None:
    result = asyncio.run(experiment())
    sentinel, shutdown, immediate, blocked = (
        result["sentinel"],
        result["shutdown"],
        result["immediate"],
        result["blocked"],
    )
    print(f"{ITEMS:,} items, {CONSUMERS} consumer tasks")
    print(
        f"sentinel:   {sentinel['distinct']:,} distinct items taken, "
        f"{sentinel['exited']} of {CONSUMERS} consumers returned"
    )
    if shutdown is None or immediate is None or blocked is None:
        print("shutdown(): needs Python 3.13+ (asyncio.Queue has no shutdown here)")
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
            f"shutdown() with {blocked['waiting']} consumers suspended in get(): "
            f"items each got {blocked['per_consumer']}, "
            f"{blocked['exited']} returned on {', '.join(blocked['errors'])}; "
            f"a put() suspended on a full queue raised {blocked['put_error']}"
        )
    measure.emit(result)


if __name__ == "__main__":
    main()
