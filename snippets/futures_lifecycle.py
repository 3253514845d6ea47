"""Stop a running task, feed map() an endless input, recycle workers.

What Python 3.11 to 3.14 changed about a pool's workers, each observed:

- stop a running task: a thread cannot be stopped from outside, a process can.
  Process.terminate() and kill() work on every version; Process.interrupt()
  (3.14+, POSIX) sends SIGINT, so the task's `finally:` blocks run.
  ProcessPoolExecutor.terminate_workers() and kill_workers() (3.14+) stop a
  pool's running tasks (BrokenProcessPool) and cancel the queued ones not yet
  in its call queue.
- map() over a long input: without buffersize it takes every item before it
  returns (an endless input never returns); buffersize=n (3.14+) takes n items
  when called, and one more each time you ask for the next result, before
  waiting for it; so n+1 are in flight while you wait. A window of submit()
  calls does the same on any version.
- max_tasks_per_child (3.11+): a worker exits after n tasks and a fresh one
  replaces it; the fork start method refuses it.

A part this interpreter lacks prints "needs Python 3.14+" and measures nothing.

Run it yourself from a clone:  python snippets/futures_lifecycle.py
"""

from __future__ import annotations

import collections
import inspect
import itertools
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import coordination as shape

T = TypeVar("T")
FOREVER = 30.0  # seconds a stuck task would run; every stop comes long before
ITEMS = 1000  # the "long" input given to map()
WINDOW = 4  # buffersize, and the recipe's window, for older versions
TASKS, PER_CHILD = 6, 2  # tasks run on one worker recycled every PER_CHILD tasks


def stuck(report: Any) -> None:
    """A task that never ends by itself; it says when it is inside its try."""
    # A child started from a shell's background job inherits SIGINT ignored;
    # restoring Python's handler is what lets interrupt() raise KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        report.send("started")  # inside the try: a signal from now on is caught
        time.sleep(FOREVER)
    except KeyboardInterrupt:  # exit normally (exit code 0); uncaught, it is 1
        report.send("interrupted")  # evidence that the exception reached us
    finally:
        report.send("cleaned up")


def said(receiver: Any, timeout: float) -> str:
    """The next message on the pipe, or "" if none came (or its writer is gone)."""
    try:
        return receiver.recv() if receiver.poll(timeout) else ""
    except EOFError:
        return ""


def all_said(receiver: Any) -> list[str]:
    """Every message left on the pipe (the child has ended)."""
    messages = []
    while message := said(receiver, 0):
        messages.append(message)
    return messages


def stop_process(how: str, process_class: type[Any]) -> shape.ProcessStop:
    """Start `stuck` in a process, stop it with Process.<how>(), see what ran."""
    receiver, sender = multiprocessing.get_context().Pipe(duplex=False)
    process = process_class(target=stuck, args=(sender,))
    process.start()
    sender.close()
    started = said(receiver, 10) == "started"
    begin = time.perf_counter()
    getattr(process, how)()
    process.join(5)
    took = time.perf_counter() - begin
    if process.is_alive():  # the signal was ignored: end it, and say so
        process.kill()
        process.join()
        took = -1.0
    messages = all_said(receiver)
    receiver.close()
    return {
        "how": how,
        "started": started,
        "exitcode": process.exitcode,
        "interrupted": "interrupted" in messages,
        "cleaned_up": "cleaned up" in messages,
        "stopped_ms": took * 1000,
    }


def stop_pool(how: str, executor: type[ProcessPoolExecutor]) -> shape.PoolStop:
    """A one-worker pool running a stuck task, stopped with pool.<how>()."""
    pool = executor(1)
    worker = pool.submit(os.getpid).result()  # the worker is up and idle
    running = pool.submit(time.sleep, FOREVER)
    queued = [pool.submit(time.sleep, FOREVER) for _ in range(3)]
    time.sleep(0.1)  # the idle worker takes the first task at once
    begin = time.perf_counter()
    getattr(pool, how)()
    try:
        ended = type(running.exception(timeout=10)).__name__  # how it ended
    except TimeoutError:
        ended = "still running"
    took = time.perf_counter() - begin
    try:
        pool.submit(os.getpid)
        later = "accepted"
    except RuntimeError as error:
        later = type(error).__name__
    return {
        "how": how,
        "running_task": ended,
        "stopped_ms": took * 1000,
        "queued": [_state(f) for f in queued],
        "worker_gone": _gone(worker),
        "submit_after": later,
    }


def _state(future: Any) -> str:
    if future.cancelled():
        return "cancelled"
    error = future.exception(timeout=10)
    return type(error).__name__ if error else "ran"


def _gone(pid: int, deadline: float = 5.0) -> bool:
    """Whether process `pid` has exited and been reaped, within `deadline` s."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def window_map(
    pool: Executor, fn: Callable[[Any], T], items: Iterable[Any], size: int
) -> Iterator[T]:
    """map() with at most size+1 tasks in flight, on any Python version.

    A generator: it takes nothing until the first next(), then `size` items, and
    one more each time you ask for the next result, before waiting for it.
    Closed early (a break, an exception), it cancels the tasks not yet started.
    """
    rest = iter(items)
    window = collections.deque(pool.submit(fn, x) for x in itertools.islice(rest, size))
    try:
        while window:
            future = window.popleft()
            window.extend(pool.submit(fn, x) for x in itertools.islice(rest, 1))
            yield future.result()
    finally:
        for future in window:
            future.cancel()


def has_buffersize(executor: type[Executor] = ThreadPoolExecutor) -> bool:
    return "buffersize" in inspect.signature(executor.map).parameters


def pulled(
    way: str,
    mapper: Callable[[Executor, Iterable[int]], Iterator[int]],
    executor: type[Executor] = ThreadPoolExecutor,
) -> shape.MapPull:
    """How many input items `mapper` took before its first result came back."""
    taken = 0

    def items() -> Iterator[int]:  # counts what map() pulls from it
        nonlocal taken
        for item in range(ITEMS):
            taken += 1
            yield item

    with executor(2) as pool:  # type: ignore[call-arg]
        results = mapper(pool, items())
        at_return = taken
        first = next(results)
        at_first = taken
        rest = list(results)
    return {
        "way": way,
        "items": ITEMS,
        "pulled_at_return": at_return,
        "pulled_at_first_result": at_first,
        "all_in_order": [first, *rest] == list(range(ITEMS)),
    }


def map_input(executor: type[Executor] = ThreadPoolExecutor) -> shape.MapPart:
    ways = [
        pulled("map()", lambda pool, xs: pool.map(abs, xs), executor),
        pulled(
            "window_map()",
            lambda pool, xs: window_map(pool, abs, xs, WINDOW),
            executor,
        ),
    ]
    if has_buffersize(executor):
        ways.append(
            pulled(
                f"map(buffersize={WINDOW})",
                lambda pool, xs: pool.map(abs, xs, buffersize=WINDOW),  # 3.14+
                executor,
            )
        )
    return {"window": WINDOW, "buffersize": has_buffersize(executor), "ways": ways}


def worker_pid(_: int) -> int:
    return os.getpid()


def recycle() -> shape.RecyclePart:
    refused = ""
    fork_available = "fork" in multiprocessing.get_all_start_methods()
    if fork_available:
        fork = multiprocessing.get_context("fork")
        try:
            ProcessPoolExecutor(1, mp_context=fork, max_tasks_per_child=PER_CHILD)
        except ValueError as error:
            refused = str(error)
    # No mp_context: with max_tasks_per_child the pool uses spawn by default.
    with ProcessPoolExecutor(1, max_tasks_per_child=PER_CHILD) as pool:
        start_method = pool._mp_context.get_start_method()  # private: recorded only
        # Submit the next task only after the previous result: otherwise the pool
        # can hang once a worker is replaced (gh-115634). Fixed on CPython's main
        # branch and by backports merged in July 2026 to 3.14 (3.14.6+) and 3.13;
        # 3.11 and 3.12 keep it.
        pids = [pool.submit(worker_pid, task).result() for task in range(TASKS)]
    return {
        "tasks": TASKS,
        "per_child": PER_CHILD,
        "pids": pids,
        "fork_available": fork_available,
        "fork_refused": refused,
        "start_method": start_method,
    }


def stopping(
    process_class: type[Any] | None = None,
    executor: type[ProcessPoolExecutor] = ProcessPoolExecutor,
) -> shape.StopPart:
    process_class = process_class or multiprocessing.get_context().Process
    interrupt = hasattr(process_class, "interrupt")
    # interrupt() is documented for POSIX; its behaviour on Windows is undefined.
    posix = os.name == "posix"
    hows = ("terminate", "kill") + (("interrupt",) if interrupt and posix else ())
    processes = [stop_process(how, process_class) for how in hows]
    pools = hasattr(executor, "terminate_workers")
    pool_hows = ("terminate_workers", "kill_workers") if pools else ()
    return {
        "posix": posix,
        "interrupt": interrupt,
        "terminate_workers": pools,
        "processes": processes,
        "pools": [stop_pool(how, executor) for how in pool_hows],
    }


def main() -> None:
    s = stopping()
    for p in s["processes"]:
        print(
            f"Process.{p['how']}() on a stuck task: exit code {p['exitcode']}, "
            f"except KeyboardInterrupt ran: {p['interrupted']}, "
            f"its finally: block ran: {p['cleaned_up']} ({p['stopped_ms']:.0f} ms)"
        )
    if not s["interrupt"]:
        print("Process.interrupt(): needs Python 3.14+")
    for w in s["pools"]:
        print(
            f"pool.{w['how']}(): the running task ended with {w['running_task']} "
            f"after {w['stopped_ms']:.0f} ms, queued tasks {w['queued']}, worker "
            f"gone: {w['worker_gone']}, submit() afterwards: {w['submit_after']}"
        )
    if not s["terminate_workers"]:
        print("pool.terminate_workers(), kill_workers(): needs Python 3.14+")

    m = map_input()
    for way in m["ways"]:
        print(
            f"{way['way']:<18} over {way['items']} items pulled "
            f"{way['pulled_at_return']} before returning, "
            f"{way['pulled_at_first_result']} by its first result"
        )
    if not m["buffersize"]:
        print("map(buffersize=...): needs Python 3.14+")

    r = recycle()
    print(
        f"max_tasks_per_child={r['per_child']}, {r['tasks']} tasks on one worker, "
        f"start method {r['start_method']}, worker PIDs: {r['pids']}"
    )
    if r["fork_refused"]:
        print(f"with the fork start method: ValueError ({r['fork_refused']})")

    result: shape.FuturesLifecycle = {
        "experiment": "futures_lifecycle",
        "stop": s,
        "map": m,
        "recycle": r,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
