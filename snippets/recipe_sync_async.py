"""Calling async code from sync code and from another thread, and the two errors.

- nested: ``asyncio.run()`` called inside a coroutine (what a notebook cell does:
  Jupyter already runs an event loop) raises RuntimeError;
- to_thread: the same ``asyncio.run()`` handed to another thread with
  ``asyncio.to_thread`` works: that thread has no running loop;
- closed: the loop ``asyncio.run()`` used is closed once it returns; scheduling
  anything on it afterwards raises RuntimeError("Event loop is closed");
- background: a loop running forever in a background thread; plain (sync) code in
  the main thread hands it coroutines with ``asyncio.run_coroutine_threadsafe``,
  which returns a ``concurrent.futures.Future``, and callbacks with
  ``loop.call_soon_threadsafe``. The script records the thread each step ran in.

Run it yourself from a clone:  python snippets/recipe_sync_async.py
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_async as shape

JUDGED = ()  # no timed claim
WAIT = 5.0  # seconds to wait for a result that should come at once


async def double(x: int) -> tuple[int, int]:
    """A small coroutine: which thread it ran in, and its result."""
    await asyncio.sleep(0.01)
    return threading.get_ident(), x * 2


async def fail() -> None:
    await asyncio.sleep(0)
    raise ValueError("raised in the loop's thread")


def error_of(call: Callable[[], Any]) -> dict[str, str]:
    """What ``call()`` raised, as type and message ("none" if nothing)."""
    try:
        call()
    except Exception as error:
        return {"type": type(error).__name__, "message": str(error)}
    return {"type": "none", "message": ""}


def with_coroutine(call: Callable[[Coroutine[Any, Any, Any]], Any]) -> dict[str, str]:
    """What ``call(coro)`` raised; the coroutine is closed if it never started."""
    coro = double(1)
    try:
        return error_of(lambda: call(coro))
    finally:
        coro.close()  # not "never awaited": closed on purpose


async def nested_run() -> dict[str, str]:
    """asyncio.run() while a loop is running in this thread."""
    return with_coroutine(asyncio.run)


async def run_in_a_thread() -> int:
    """The fix inside a running loop: run the other loop in a worker thread."""
    _, value = await asyncio.to_thread(asyncio.run, double(21))
    return value


async def the_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def closed_loop() -> dict[str, dict[str, str]]:
    """Each way of scheduling work on the loop asyncio.run() has closed."""
    loop = asyncio.run(the_loop())
    return {
        "loop.call_soon": error_of(lambda: loop.call_soon(print)),
        "loop.call_soon_threadsafe": error_of(lambda: loop.call_soon_threadsafe(print)),
        "loop.create_task": with_coroutine(loop.create_task),
        "loop.run_until_complete": with_coroutine(loop.run_until_complete),
        "asyncio.run_coroutine_threadsafe": with_coroutine(
            lambda coro: asyncio.run_coroutine_threadsafe(coro, loop)
        ),
    }


def background_loop() -> shape.BackgroundLoop:
    """A loop in a background thread, fed from sync code in this thread."""
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, name="event-loop")
    runner.start()
    try:
        future = asyncio.run_coroutine_threadsafe(double(21), loop)
        ran_in, value = future.result(timeout=WAIT)  # blocks this thread only
        got_in = threading.get_ident()
        failing = asyncio.run_coroutine_threadsafe(fail(), loop)
        raised = error_of(lambda: failing.result(timeout=WAIT))
        called = threading.Event()
        called_in: list[int] = []

        def callback() -> None:
            called_in.append(threading.get_ident())
            called.set()

        loop.call_soon_threadsafe(callback)
        called.wait(WAIT)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(WAIT)
        loop.close()
    return {
        "future_type": f"{type(future).__module__}.{type(future).__qualname__}",
        "is_concurrent_future": isinstance(future, concurrent.futures.Future),
        "value": value,
        "coroutine_in_loop_thread": ran_in == runner.ident,
        "result_in_calling_thread": got_in == threading.main_thread().ident,
        "exception": raised,
        "callback_in_loop_thread": called_in == [runner.ident],
        "loop_thread_ended": not runner.is_alive(),
    }


def main() -> None:
    nested = asyncio.run(nested_run())
    from_thread = asyncio.run(run_in_a_thread())
    closed = closed_loop()
    background = background_loop()
    raised = f"{nested['type']}({nested['message']!r})"
    print(f"asyncio.run() inside a running loop: {raised}")
    print(f"asyncio.to_thread(asyncio.run, double(21)) inside it: {from_thread}")
    print("after asyncio.run() returned, on its loop:")
    for name, error in closed.items():
        print(f"  {name + '()':<36} {error['type']}({error['message']!r})")
    print("a loop in a background thread, fed from sync code:")
    print(f"  run_coroutine_threadsafe() returned a {background['future_type']}")
    print(
        f"  result() gave {background['value']} in the calling thread: "
        f"{background['result_in_calling_thread']}; the coroutine ran in the loop's "
        f"thread: {background['coroutine_in_loop_thread']}"
    )
    error = background["exception"]
    print(f"  a coroutine's exception came back from result(): {error['type']}")
    print(
        f"  call_soon_threadsafe() ran its callback in the loop's thread: "
        f"{background['callback_in_loop_thread']}; loop thread ended: "
        f"{background['loop_thread_ended']}"
    )
    result: shape.SyncAsync = {
        "experiment": "recipe_sync_async",
        "nested": nested,
        "to_thread_value": from_thread,
        "closed": closed,
        "background": background,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
