"""The threading toolbox at work, and a deadlock caught by a timeout.

Each part checks what the primitive promises and records what it observed:

- RLock:      the owner may re-acquire it; a plain Lock asked again by its owner
              would block forever (acquire with a timeout shows it: False);
- Semaphore:  at most LIMIT of WORKERS threads inside at once;
- Event:      waiting threads all wake when it is set;
- Condition:  a consumer finds no data, sleeps, and wakes when the producer has
              put it there (every check of its predicate is recorded);
- Barrier:    nobody passes until all parties arrive (the times each party
              arrived and passed are recorded as they happen);
- queue.Queue: producers hand work to consumers, every item exactly once;
- deadlock:   two threads take two locks in opposite orders; acquire(timeout=...)
              detects it, and a fixed global order removes it.

Run it yourself from a clone:  python snippets/sync_primitives.py
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import coordination as shape

TIMEOUT = 60
WORKERS = 10
LIMIT = 3
HOLD = 0.02  # seconds a worker spends inside the semaphore
WAITERS = 5  # threads waiting on the Event
PARTIES = 4  # threads meeting at the Barrier
ITEMS, CONSUMERS = 10_000, 4  # queue.Queue
REENTRY_TIMEOUT = 0.05  # how long the owner waits to re-acquire its own lock
DEADLOCK_TIMEOUT = 0.2  # how long a thread waits for its second lock


def run_threads(target: Any, args_list: list[tuple[Any, ...]]) -> None:
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def second_acquire(lock: Any) -> shape.SecondAcquire:
    """The owner asks for ``lock`` again: what acquire(timeout=...) returns, and
    how long it waited before returning."""
    with lock:
        start = time.perf_counter()
        got = lock.acquire(timeout=REENTRY_TIMEOUT)
        waited = time.perf_counter() - start
        if got:
            lock.release()
    return {"second_acquire": got, "waited_s": waited}


def rlock_demo() -> shape.RLockPart:
    return {
        "RLock": second_acquire(threading.RLock()),
        "Lock": second_acquire(threading.Lock()),
        "timeout_s": REENTRY_TIMEOUT,
    }


def semaphore_demo() -> shape.SemaphorePart:
    slots = threading.Semaphore(LIMIT)
    guard = threading.Lock()
    inside, peak = 0, 0

    def worker() -> None:
        nonlocal inside, peak
        with slots:
            with guard:
                inside += 1
                peak = max(peak, inside)
            time.sleep(HOLD)  # the bounded resource: a connection, a file, ...
            with guard:
                inside -= 1

    start = time.perf_counter()
    run_threads(worker, [()] * WORKERS)
    return {"peak_inside": peak, "seconds": time.perf_counter() - start}


def event_demo() -> shape.EventPart:
    ready = threading.Event()
    woke: list[float] = []
    guard = threading.Lock()

    def waiter() -> None:
        ready.wait(timeout=5)
        with guard:
            woke.append(time.perf_counter())

    threads = [threading.Thread(target=waiter) for _ in range(WAITERS)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    asleep = len(woke)  # nobody passes before the event is set
    set_at = time.perf_counter()
    ready.set()
    for thread in threads:
        thread.join()
    return {
        "waiters": WAITERS,
        "woken_before_set": asleep,
        "woken": len(woke),
        "max_wake_ms": max(t - set_at for t in woke) * 1000,
    }


def condition_demo() -> shape.ConditionPart:
    condition = threading.Condition()
    items: list[int] = []
    received: list[int] = []
    checks: list[bool] = []  # the predicate's answer at every check, in order
    inside = threading.Event()

    def ready() -> bool:
        checks.append(len(items) >= 3)
        return checks[-1]

    def consumer() -> None:
        with condition:
            inside.set()  # the producer can take the lock only once we wait
            # wait_for checks the predicate first, then after every wake-up.
            condition.wait_for(ready, timeout=5)
            received.extend(items)

    thread = threading.Thread(target=consumer)
    thread.start()
    inside.wait(timeout=5)
    sent = list(range(3))
    for i in sent:
        with condition:  # free only while the consumer waits (or after it left)
            items.append(i)
            condition.notify()
    thread.join()
    return {
        "sent": sent,
        "received": received,
        "predicate_checks": checks,  # [False, ..., True]: it waited, then woke
    }


def barrier_demo() -> shape.BarrierPart:
    barrier = threading.Barrier(PARTIES)
    arrived: list[float] = []
    passed: list[float] = []
    guard = threading.Lock()

    def runner(delay: float) -> None:
        time.sleep(delay)  # arrive at different times
        with guard:
            arrived.append(time.perf_counter())  # just before waiting
        barrier.wait(timeout=5)
        now = time.perf_counter()  # just after passing
        with guard:
            passed.append(now)

    start = time.perf_counter()
    run_threads(runner, [(0.01 * i,) for i in range(PARTIES)])
    # Milliseconds since the threads were started, as observed.
    return {
        "parties": PARTIES,
        "arrived_ms": sorted((t - start) * 1000 for t in arrived),
        "passed_ms": sorted((t - start) * 1000 for t in passed),
    }


def queue_demo() -> shape.QueueDemo:
    work: queue.Queue[int | None] = queue.Queue(maxsize=100)
    seen: list[int] = []
    guard = threading.Lock()
    items, consumers = ITEMS, CONSUMERS

    def consumer() -> None:
        while (item := work.get()) is not None:
            with guard:
                seen.append(item)
            work.task_done()
        work.task_done()

    threads = [threading.Thread(target=consumer) for _ in range(consumers)]
    for thread in threads:
        thread.start()
    for i in range(items):
        work.put(i)
    for _ in threads:
        work.put(None)  # one sentinel per consumer: each stops after its own
    work.join()
    for thread in threads:
        thread.join()
    return {
        "items": items,
        "consumers": consumers,
        "delivered": len(seen),
        "distinct": len(set(seen)),
    }


def transfer(
    first: threading.Lock, second: threading.Lock, start: threading.Barrier | None
) -> bool:
    with first:
        if start is not None:
            start.wait()  # both threads now hold their first lock: a sure deadlock
        got = second.acquire(timeout=DEADLOCK_TIMEOUT)  # never a bare acquire()
        if got:
            second.release()
        return got


def deadlock_demo() -> shape.DeadlockPart:
    a, b = threading.Lock(), threading.Lock()
    got: dict[str, list[bool]] = {"opposite": [], "same": []}
    # Opposite orders: thread 1 takes a then b, thread 2 takes b then a. The barrier
    # makes the bad interleaving certain instead of rare.
    start = threading.Barrier(2, timeout=5)
    run_threads(
        lambda first, second: got["opposite"].append(transfer(first, second, start)),
        [(a, b), (b, a)],
    )
    # One global order (always a before b): the second thread waits for a, then
    # finds b free. No barrier here: it would wait for a thread that waits for a.
    run_threads(
        lambda first, second: got["same"].append(transfer(first, second, None)),
        [(a, b), (a, b)],
    )
    return {
        "opposite_order_got_second_lock": got["opposite"],
        "same_order_got_second_lock": got["same"],
    }


def main() -> None:
    r = rlock_demo()
    for kind in ("RLock", "Lock"):
        print(
            f"{kind}: its owner's second acquire(timeout={REENTRY_TIMEOUT}) returned "
            f"{r[kind]['second_acquire']} after {r[kind]['waited_s'] * 1000:.1f} ms"
        )
    sem = semaphore_demo()
    print(
        f"Semaphore({LIMIT}): {WORKERS} workers, at most {sem['peak_inside']} inside "
        f"at once; all done after {sem['seconds'] * 1000:.0f} ms"
    )
    ev = event_demo()
    print(
        f"Event: {ev['woken_before_set']} of {ev['waiters']} waiters passed before "
        f"set(); {ev['woken']} woke after, the last {ev['max_wake_ms']:.1f} ms after "
        "set()"
    )
    cond = condition_demo()
    checks = cond["predicate_checks"]
    print(
        f"Condition: the consumer's predicate was {checks[0]} at its first check, so "
        f"it waited; it checked {len(checks)} times and took {cond['received']}"
    )
    bar = barrier_demo()
    print(
        f"Barrier({bar['parties']}): parties arrived at "
        f"{', '.join(f'{t:.1f}' for t in bar['arrived_ms'])} ms; passed at "
        f"{', '.join(f'{t:.1f}' for t in bar['passed_ms'])} ms"
    )
    q = queue_demo()
    print(
        f"queue.Queue: {q['items']:,} items put, {q['delivered']:,} taken, "
        f"{q['distinct']:,} distinct"
    )
    dl = deadlock_demo()
    gave_up = dl["opposite_order_got_second_lock"].count(False)
    threads = len(dl["opposite_order_got_second_lock"])
    print(
        f"Deadlock, locks taken in opposite orders: {gave_up} of {threads} threads "
        f"gave up after acquire(timeout={DEADLOCK_TIMEOUT}) -> deadlock detected; "
        f"second lock acquired {dl['opposite_order_got_second_lock']}"
    )
    print(
        f"Same locks, one global order: second lock acquired "
        f"{dl['same_order_got_second_lock']}"
    )
    result: shape.SyncPrimitives = {
        "experiment": "sync_primitives",
        "rlock": r,
        "semaphore": sem,
        "event": ev,
        "condition": cond,
        "barrier": bar,
        "queue": q,
        "deadlock": dl,
        "limit": LIMIT,
        "workers": WORKERS,
        "deadlock_timeout": DEADLOCK_TIMEOUT,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
