"""A worker process that dies breaks the whole pool: BrokenProcessPool, for real.

A task that *raises* is reported on its own future; the pool carries on. A task
whose worker process *dies* (here ``os._exit(1)``, as a segfault or the kernel's
out-of-memory killer would) breaks the pool: every pending future fails with
BrokenProcessPool and the pool refuses new work. The cure is a new pool.

Run it yourself from a clone:  python snippets/broken_pool.py
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.coordination import AfterCrash, AfterException, BrokenPool

TIMEOUT = 60


def slow_square(n: int) -> int:
    time.sleep(0.2)
    return n * n


def fail(n: int) -> int:
    raise ValueError(f"bad input {n}")


def die(n: int) -> int:
    time.sleep(0.05)  # let the caller queue its other tasks first (µs of work)
    os._exit(1)  # the process vanishes: no exception, no cleanup, no reply


def outcome(future: Any) -> str:
    error = future.exception(timeout=10)
    return "ok" if error is None else type(error).__name__


def submit_or_refusal(pool: ProcessPoolExecutor, n: int) -> Any:
    """Queue a task; if the pool broke already, submit() itself raises."""
    try:
        return pool.submit(slow_square, n)
    except BrokenProcessPool as error:
        return error


def main() -> None:
    with ProcessPoolExecutor(2) as pool:
        raised = pool.submit(fail, 1)
        after_raise = pool.submit(slow_square, 3)
        after_exception: AfterException = {
            "raising_task": outcome(raised),
            "next_task": outcome(after_raise),
            "next_result": after_raise.result(),
        }
    print(
        f"a task raised: its future -> {after_exception['raising_task']}; "
        f"the next task -> {after_exception['next_task']} "
        f"({after_exception['next_result']}): the pool carries on"
    )

    pool = ProcessPoolExecutor(2)
    try:
        crashed = pool.submit(die, 0)
        pending = [submit_or_refusal(pool, n) for n in range(4)]
        states = [
            type(f).__name__ if isinstance(f, BrokenProcessPool) else outcome(f)
            for f in pending
        ]
        message = str(crashed.exception(timeout=10))
        try:
            pool.submit(slow_square, 5)
            refused = "accepted"
        except BrokenProcessPool as error:
            refused = type(error).__name__
    finally:
        pool.shutdown(wait=True)
    after_crash: AfterCrash = {
        "crashed_task": outcome(crashed),
        "message": message,
        "pending_tasks": states,
        "new_submit": refused,
    }
    print(f"a worker called os._exit(1): its future -> {outcome(crashed)}")
    print(f"  message: {message}")
    print(f"  the 4 tasks submitted with it -> {states}")
    print(f"  submit() afterwards -> raised {refused}")

    with ProcessPoolExecutor(2) as fresh:
        again = fresh.submit(slow_square, 7).result()
    print(f"a new pool works: slow_square(7) -> {again}")
    result: BrokenPool = {
        "experiment": "broken_pool",
        "after_exception": after_exception,
        "after_crash": after_crash,
        "new_pool": {"result": again},
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
