"""Ending an asyncio producer/consumer: a sentinel, or asyncio.Queue.shutdown() (3.13+).

The asyncio twin of queue_shutdown.py, with consumer tasks instead of threads:

- sentinel:  one STOP object per consumer after the work (every version);
- shutdown() (3.13+): consumers still get every item already queued, then
             ``await queue.get()`` raises asyncio.QueueShutDown; put() raises it too;
- shutdown(immediate=True) (3.13+): the queue drops what it holds, get() raises
             QueueShutDown at once, and join() no longer waits for the dropped items.

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
    work: asyncio.Queue[Any], got: list[int], errors: list[str]
) -> None:
    while True:
        try:
            item = await work.get()
        except asyncio.QueueShutDown as error:  # Python 3.13+: shut down and empty
            errors.append(type(error).__name__)
            return
        got.append(item)


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
    tasks = [
        asyncio.create_task(consume_until_shutdown(work, got, errors))
        for _ in range(CONSUMERS)
    ]
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
    consumer = asyncio.create_task(consume_until_shutdown(work, got, errors))
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


async def experiment() -> shape.QueueShutdown:
    return {
        "experiment": "asyncio_queue_shutdown",
        "items": ITEMS,
        "consumers": CONSUMERS,
        "has_shutdown": HAS_SHUTDOWN,
        "sentinel": await with_sentinel(),
        "shutdown": await with_shutdown() if HAS_SHUTDOWN else None,
        "immediate": await with_immediate_shutdown() if HAS_SHUTDOWN else None,
    }


def main() -> None:
    result = asyncio.run(experiment())
    sentinel, shutdown, immediate = (
        result["sentinel"],
        result["shutdown"],
        result["immediate"],
    )
    print(f"{ITEMS:,} items, {CONSUMERS} consumer tasks")
    print(
        f"sentinel:   {sentinel['distinct']:,} distinct items taken, "
        f"{sentinel['exited']} of {CONSUMERS} consumers returned"
    )
    if shutdown is None or immediate is None:
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
    measure.emit(result)


if __name__ == "__main__":
    main()
