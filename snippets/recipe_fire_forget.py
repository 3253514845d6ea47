"""Fire-and-forget asyncio tasks: what goes wrong, and two fixes.

The event loop keeps only a weak reference to a task. Each case below records what
the ``asyncio`` logger printed (a handler captures its records):

- collected: a task nobody references, waiting on a future nobody else holds, is
  garbage-collected mid-flight: it never finishes, and the loop logs
  "Task was destroyed but it is pending!";
- lost: a forgotten task raises; the caller never sees the exception, which is only
  logged ("Task exception was never retrieved") when the task is collected;
- closed: a loop closed with a task still pending (``run_until_complete`` then
  ``close``) logs "Task was destroyed but it is pending!"; ``asyncio.run()``
  cancels such a task instead;
- kept: the fix, a set that holds every task, emptied by
  ``add_done_callback(tasks.discard)``: every task survives the collection;
- taskgroup: the other fix, ``asyncio.TaskGroup`` (3.11+): it waits for its tasks
  and raises their exception in the caller, in an ExceptionGroup.

Run it yourself from a clone:  python snippets/recipe_fire_forget.py
"""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_async as shape

JUDGED = ()  # no timed claim
TASKS = 3


class Captured(logging.Handler):
    """Every record of the asyncio logger: first line, and the exception's text."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage().splitlines()[0]
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" [{error!r}]"
        self.lines.append(line)

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        return lines


LOG = Captured()
finished: list[int] = []


async def wait_for_a_reply(n: int) -> None:
    """Waits on a future only this task holds (a reply that has not come yet)."""
    await asyncio.get_running_loop().create_future()
    finished.append(n)


async def boom() -> None:
    raise ValueError("failed in the background")


async def collected() -> shape.Collected:
    finished.clear()
    task = asyncio.create_task(wait_for_a_reply(0))  # fire and forget
    alive = weakref.ref(task)
    del task  # nothing but the loop's weak reference is left
    await asyncio.sleep(0)  # the task starts and suspends
    gc.collect()  # as the cyclic collector may, at any allocation
    return {"collected": alive() is None, "finished": len(finished)}


async def lost() -> shape.Lost:
    try:
        asyncio.create_task(boom())  # noqa: RUF006 - fire and forget, the bug
        await asyncio.sleep(0.01)  # the task runs and fails meanwhile
        caller_saw = "none"
    except Exception as error:  # pragma: no cover - it does not come here
        caller_saw = type(error).__name__
    gc.collect()
    return {"caller_saw": caller_saw}


async def background_job() -> None:
    await asyncio.sleep(10)


async def leave_a_task() -> asyncio.Task[None]:
    task = asyncio.create_task(background_job())
    await asyncio.sleep(0)
    return task


def closed() -> shape.Closed:
    loop = asyncio.new_event_loop()
    task = loop.run_until_complete(leave_a_task())
    loop.close()  # the task is still pending
    was_pending = not task.done()
    del task
    gc.collect()
    logged = LOG.take()
    task = asyncio.run(leave_a_task())  # asyncio.run() cancels what is left
    gc.collect()
    return {
        "pending_at_close": was_pending,
        "close_logged": logged,
        "run_cancelled": task.cancelled(),
        "run_logged": LOG.take(),
    }


async def kept() -> shape.Kept:
    finished.clear()
    tasks: set[asyncio.Task[None]] = set()
    for n in range(TASKS):
        task = asyncio.create_task(wait_for_a_reply(n))
        tasks.add(task)  # a strong reference...
        task.add_done_callback(tasks.discard)  # ...dropped once it is done
    await asyncio.sleep(0)
    gc.collect()
    alive = len(tasks)
    running = list(tasks)
    for task in running:
        task.cancel()  # the replies never come: end them
    await asyncio.gather(*running, return_exceptions=True)
    await asyncio.sleep(0)  # the done callbacks run
    return {"alive_after_gc": alive, "left_in_set": len(tasks)}


async def taskgroup() -> shape.Grouped:
    caught: list[str] = []
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(boom())
            group.create_task(asyncio.sleep(1))  # cancelled when boom() fails
    except ExceptionGroup as group_error:
        caught = [repr(e) for e in group_error.exceptions]
    return {"caller_caught": caught}


def main() -> None:
    logger = logging.getLogger("asyncio")
    logger.addHandler(LOG)
    logger.propagate = False  # the records go to LOG only
    gc_case = asyncio.run(collected())
    gc_case["logged"] = LOG.take()
    lost_case = asyncio.run(lost())
    lost_case["logged"] = LOG.take()
    closed_case = closed()
    kept_case = asyncio.run(kept())
    kept_case["logged"] = LOG.take()
    group_case = asyncio.run(taskgroup())
    group_case["logged"] = LOG.take()
    print(
        f"unreferenced task, then gc: collected {gc_case['collected']}, "
        f"finished {gc_case['finished']}; logged {gc_case['logged']}"
    )
    print(
        f"forgotten task that raised: the caller saw {lost_case['caller_saw']}; "
        f"logged {lost_case['logged']}"
    )
    print(
        f"loop closed with a pending task: logged {closed_case['close_logged']}; "
        f"asyncio.run() cancelled it: {closed_case['run_cancelled']}, "
        f"logged {closed_case['run_logged']}"
    )
    print(
        f"kept in a set: {kept_case['alive_after_gc']} of {TASKS} alive after gc, "
        f"{kept_case['left_in_set']} left in the set once done; "
        f"logged {kept_case['logged']}"
    )
    print(
        f"TaskGroup: the caller caught {group_case['caller_caught']}; "
        f"logged {group_case['logged']}"
    )
    result: shape.FireForget = {
        "experiment": "recipe_fire_forget",
        "tasks": TASKS,
        "collected": gc_case,
        "lost": lost_case,
        "closed": closed_case,
        "kept": kept_case,
        "taskgroup": group_case,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
