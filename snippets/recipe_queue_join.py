"""Queue.join() and task_done(): wait until every item has been handled.

A producer puts ITEMS items on a queue.Queue; CONSUMERS threads handle them. One
item is bad: handling it raises ValueError, which the consumer catches.

- careful consumers call task_done() in a `finally:` block, for every item
  taken, bad or not. The producer puts every item, then starts the consumers and
  calls join(), which returns once every item has been handled (the script counts
  them before the consumers start and when join() returns).
  The consumers are still blocked in get() afterwards: join() waits for the
  work, not for the threads. One sentinel (a "poison pill") per consumer then
  ends them.
- careless consumers call task_done() only after an item was handled well, so
  the bad item is never marked done and join() would wait forever. Here join()
  runs in a helper thread, which is still waiting HANG seconds after every item
  was handled; the queue's
  unfinished_tasks counts the missing call. The script then makes that call
  itself, which releases join().

Every thread is a daemon joined with a timeout, so nothing can hang the script.

Run it yourself from a clone:  python snippets/recipe_queue_join.py
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_threads as shape

ITEMS, CONSUMERS = 200, 2
BAD = 13  # the item whose handling raises ValueError
WORK = 0.0002  # seconds of (sleeping) work per item
HANG = 0.2  # seconds to wait on a join() that should not return
WAIT = 5.0  # at most this long for anything that should end
STOP = object()  # the sentinel: a unique object no real item can equal


def handle(item: int) -> int:
    time.sleep(WORK)
    if item == BAD:
        raise ValueError(f"cannot handle {item}")
    return item


def careful(work: queue.Queue[Any], done: list[int]) -> None:
    while True:
        item = work.get()
        try:
            if item is STOP:
                return
            handle(item)
        except ValueError:
            pass  # a real program logs it
        finally:
            done.append(item)  # list.append is thread-safe in CPython
            work.task_done()  # for every item taken, whatever happened


def careless(work: queue.Queue[Any], done: list[int]) -> None:
    while (item := work.get()) is not STOP:
        try:
            handle(item)
        except ValueError:
            done.append(item)
            continue  # the bug: this item is never marked done
        done.append(item)
        work.task_done()


def start(target: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def stop(work: queue.Queue[Any], consumers: list[threading.Thread]) -> int:
    """One poison pill per consumer; how many consumers then returned."""
    for _ in consumers:
        work.put(STOP)
    for consumer in consumers:
        consumer.join(WAIT)
    return sum(not consumer.is_alive() for consumer in consumers)


def items_done(done: list[Any]) -> int:
    return sum(item is not STOP for item in done)


def with_task_done() -> shape.JoinPart:
    work: queue.Queue[Any] = queue.Queue()
    done: list[Any] = []
    for item in range(ITEMS):
        work.put(item)
    at_start = items_done(done)  # 0: no consumer has started yet
    consumers = [start(careful, work, done) for _ in range(CONSUMERS)]
    work.join()  # returns once task_done() was called for every item put
    at_return = items_done(done)
    alive = sum(consumer.is_alive() for consumer in consumers)
    return {
        "done_when_consumers_started": at_start,
        "done_when_join_returned": at_return,
        "unfinished_after": work.unfinished_tasks,
        "consumers_alive_after_join": alive,
        "consumers_exited_after_pills": stop(work, consumers),
    }


def with_forgotten_task_done() -> shape.ForgottenPart:
    work: queue.Queue[Any] = queue.Queue()
    done: list[Any] = []
    consumers = [start(careless, work, done) for _ in range(CONSUMERS)]
    for item in range(ITEMS):
        work.put(item)
    waiter = start(work.join)  # join() in a helper thread, to see it wait
    deadline = time.monotonic() + WAIT
    while items_done(done) < ITEMS and time.monotonic() < deadline:
        time.sleep(0.001)  # until every item has been taken and handled
    waiter.join(HANG)
    waiting = waiter.is_alive()
    unfinished = work.unfinished_tasks
    handled = items_done(done)
    work.task_done()  # the missing call, made here: join() can return now
    waiter.join(WAIT)
    return {
        "done": handled,
        "join_waiting_after": waiting,
        "unfinished": unfinished,
        "released_after_task_done": not waiter.is_alive(),
        "consumers_exited_after_pills": stop(work, consumers),
    }


def main() -> None:
    fine = with_task_done()
    forgot = with_forgotten_task_done()

    print(f"{ITEMS} items, {CONSUMERS} consumer threads, item {BAD} raises ValueError")
    print("task_done() in finally:, for every item:")
    print(
        f"  items done when the consumers started: "
        f"{fine['done_when_consumers_started']}, when join() returned: "
        f"{fine['done_when_join_returned']}"
    )
    print(
        f"  consumers still blocked in get() after join(): "
        f"{fine['consumers_alive_after_join']} of {CONSUMERS}; after one poison "
        f"pill each, {fine['consumers_exited_after_pills']} returned"
    )
    print("task_done() forgotten for the bad item:")
    print(
        f"  items done: {forgot['done']}; join() still waiting {HANG:g} s after "
        f"that: {forgot['join_waiting_after']}; unfinished_tasks: "
        f"{forgot['unfinished']}"
    )
    print(
        f"  join() returned after the missing task_done(): "
        f"{forgot['released_after_task_done']}"
    )

    result: shape.RecipeQueueJoin = {
        "experiment": "recipe_queue_join",
        "items": ITEMS,
        "consumers": CONSUMERS,
        "hang": HANG,
        "task_done": fine,
        "forgotten": forgot,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
