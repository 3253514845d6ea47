"""A thread's return value and exception: lost with a plain Thread, kept by a Future.

- a plain threading.Thread: join() returns None and nothing keeps what the target
  returned (a weak reference to the returned object is dead once the thread has
  ended);
- an exception in its target goes to threading.excepthook, which prints it on
  stderr; join() returns normally, so the caller never sees it, and the other
  threads of the program go on;
- the fix: submit the function to a ThreadPoolExecutor, whose Future's result()
  returns the value and raises the exception again in the caller; or let the
  thread put what happened on a queue.Queue.

Run it yourself from a clone:  python snippets/recipe_thread_result.py
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_threads as shape

N = 7  # the input; compute(N) returns N * N, fail(N) raises ValueError
OTHERS = 2  # threads that run beside the one that fails
OTHER_WORK = 0.03  # seconds each of them still works once the failure happened
WAIT = 5.0  # at most this long for the failure to happen
returned: list[weakref.ref[Answer]] = []  # a weak reference to each returned object


class Answer:
    """What compute() returns: an object we can hold a weak reference to."""

    def __init__(self, value: int) -> None:
        self.value = value


def compute(n: int) -> Answer:
    answer = Answer(n * n)
    returned.append(weakref.ref(answer))  # does not keep it alive
    return answer


def fail(n: int) -> Answer:
    raise ValueError(f"bad input {n}")


def other_work(failed: threading.Event, finished: list[float]) -> None:
    failed.wait(WAIT)  # working until the other thread has died ...
    time.sleep(OTHER_WORK)  # ... and on after that
    finished.append(time.perf_counter())  # list.append is thread-safe in CPython


def plain_return() -> shape.PlainReturn:
    thread = threading.Thread(target=compute, args=(N,))
    thread.start()
    joined = thread.join()  # always None
    kept = returned[-1]() is not None  # still alive: somebody holds the value
    return {"join_returned": repr(joined), "value_kept": kept}


def plain_failure() -> shape.PlainFailure:
    """One thread fails while others work; what sees the exception, and when."""
    hooked: list[tuple[str, float]] = []
    printed = io.StringIO()
    failed = threading.Event()
    alive_at_failure: list[int] = []
    others: list[threading.Thread] = []

    def hook(args: Any) -> None:
        hooked.append((args.exc_type.__name__, time.perf_counter()))
        alive_at_failure.append(sum(thread.is_alive() for thread in others))
        with contextlib.redirect_stderr(printed):  # keep what it prints, to show it
            threading.__excepthook__(args)  # the default hook: prints the traceback
        failed.set()

    finished: list[float] = []
    threading.excepthook = hook
    try:
        others += [
            threading.Thread(
                target=other_work, args=(failed, finished), name=f"other-{i}"
            )
            for i in range(OTHERS)
        ]
        failing = threading.Thread(target=fail, args=(N,), name="failing")
        for thread in [*others, failing]:
            thread.start()
        try:
            failing.join()
            join_raised = "none"
        except Exception as error:  # never: join() does not raise the thread's error
            join_raised = type(error).__name__
        failed_alive = failing.is_alive()
        for thread in others:
            thread.join()
    finally:
        threading.excepthook = threading.__excepthook__
    lines = printed.getvalue().strip().splitlines()
    failed_at = hooked[0][1] if hooked else float("inf")
    return {
        "hook_got": [name for name, _ in hooked],
        "printed_first": lines[0] if lines else "",
        "printed_last": lines[-1] if lines else "",
        "join_raised": join_raised,
        "failed_alive": failed_alive,
        "others": OTHERS,
        "others_alive_at_failure": alive_at_failure[0] if alive_at_failure else 0,
        "others_finished": len(finished),
        "others_finished_after_failure": sum(t > failed_at for t in finished),
    }


def with_future() -> shape.FutureFix:
    hooked: list[str] = []
    threading.excepthook = lambda args: hooked.append(args.exc_type.__name__)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            good = pool.submit(compute, N)
            bad = pool.submit(fail, N)
            answer = good.result()  # the value the function returned
            try:
                bad.result()  # raises the function's exception, here
                raised, message = "none", ""
            except ValueError as error:
                raised, message = type(error).__name__, str(error)
    finally:
        threading.excepthook = threading.__excepthook__
    return {
        "value": answer.value,
        "same_object": returned[-1]() is answer,
        "raised": raised,
        "message": message,
        "hook_calls": len(hooked),
    }


def into_queue(fn: Any, n: int, out: queue.Queue[tuple[str, Any]]) -> None:
    """The thread's target: put what happened on the queue, value or exception."""
    try:
        out.put(("value", fn(n)))
    except Exception as error:
        out.put(("error", error))


def with_queue() -> shape.QueueFix:
    out: queue.Queue[tuple[str, Any]] = queue.Queue()
    threads = [
        threading.Thread(target=into_queue, args=(fn, N, out)) for fn in (compute, fail)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = dict(out.get() for _ in threads)
    raised = "none"
    try:
        raise outcomes["error"]  # the caller raises it again, with its traceback
    except ValueError as error:
        raised = type(error).__name__
    return {"value": outcomes["value"].value, "raised": raised}


def main() -> None:
    plain = plain_return()
    failure = plain_failure()
    future = with_future()
    via_queue = with_queue()

    print(f"plain Thread, target returned compute({N}):")
    print(f"  join() returned {plain['join_returned']}")
    print(f"  the returned object still exists: {plain['value_kept']}")
    print(f"plain Thread, target raised ValueError, {OTHERS} other threads working:")
    print(f"  threading.excepthook got: {', '.join(failure['hook_got']) or 'nothing'}")
    print(f"  it printed on stderr: {failure['printed_first']}")
    last = failure["printed_last"].split(":", 1)[0]  # the type, not the whole line
    print(f"  ... and a traceback, whose last line names {last}")
    print(f"  join() raised: {failure['join_raised']}")
    print(
        f"  other threads running when it failed: "
        f"{failure['others_alive_at_failure']} of {failure['others']}; "
        f"finished after it: {failure['others_finished_after_failure']}"
    )
    print("Future from ThreadPoolExecutor:")
    print(
        f"  result() returned {future['value']} "
        f"(the very object returned: {future['same_object']})"
    )
    print(
        f"  result() of the failing call raised {future['raised']} "
        f"(message {future['message']!r})"
    )
    print(f"  threading.excepthook calls: {future['hook_calls']}")
    print("queue.Queue filled by the thread:")
    print(f"  value {via_queue['value']}; the caller raised {via_queue['raised']}")

    result: shape.RecipeThreadResult = {
        "experiment": "recipe_thread_result",
        "n": N,
        "plain": plain,
        "failure": failure,
        "future": future,
        "queue": via_queue,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
