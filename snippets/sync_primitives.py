"""The threading toolbox at work, and a deadlock caught by a timeout.

Each part checks what the primitive promises and records what it observed:

- RLock:      the owner may re-acquire it; a plain Lock would block forever
              (acquire with a timeout shows it);
- Semaphore:  at most LIMIT of WORKERS threads inside at once;
- Event:      waiting threads all wake when it is set;
- Condition:  a consumer sleeps until the producer says the data is ready;
- Barrier:    nobody passes until all parties arrive;
- queue.Queue: producers hand work to consumers, every item exactly once;
- deadlock:   two threads take two locks in opposite orders; acquire(timeout=...)
              detects it, and a fixed global order removes it.

Run it yourself from a clone:  python snippets/sync_primitives.py
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from measured import measure

TIMEOUT = 60
WORKERS = 10
LIMIT = 3
HOLD = 0.02  # seconds a worker spends inside the semaphore
DEADLOCK_TIMEOUT = 0.2  # how long a thread waits for its second lock


def run_threads(target: Any, args_list: list[tuple[Any, ...]]) -> None:
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def rlock_demo() -> dict[str, bool]:
    rlock = threading.RLock()
    with rlock, rlock:  # the owner re-enters: fine
        reentered = True
    lock = threading.Lock()
    with lock:
        # The same thread asking again: without a timeout this would hang forever.
        second = lock.acquire(timeout=0.05)
    return {"rlock_reentered": reentered, "lock_second_acquire": second}


def semaphore_demo() -> dict[str, Any]:
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

    timing = measure.time_call(
        lambda: run_threads(worker, [()] * WORKERS), repeats=3, warmup=0
    )
    return {"peak_inside": peak, "timing": timing.to_dict()}


def event_demo() -> dict[str, Any]:
    ready = threading.Event()
    woke: list[float] = []
    guard = threading.Lock()

    def waiter() -> None:
        ready.wait(timeout=5)
        with guard:
            woke.append(time.perf_counter())

    threads = [threading.Thread(target=waiter) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    asleep = len(woke)  # nobody passes before the event is set
    set_at = time.perf_counter()
    ready.set()
    for thread in threads:
        thread.join()
    return {
        "woken_before_set": asleep,
        "woken": len(woke),
        "max_wake_ms": max(t - set_at for t in woke) * 1000,
    }


def condition_demo() -> dict[str, Any]:
    condition = threading.Condition()
    items: list[int] = []
    received: list[int] = []

    def consumer() -> None:
        with condition:
            # wait_for re-checks the predicate after every wake-up.
            condition.wait_for(lambda: len(items) >= 3, timeout=5)
            received.extend(items)

    thread = threading.Thread(target=consumer)
    thread.start()
    for i in range(3):
        with condition:
            items.append(i)
            condition.notify()
    thread.join()
    return {"received": received}


def barrier_demo() -> dict[str, Any]:
    parties = 4
    barrier = threading.Barrier(parties)
    passed: list[float] = []
    guard = threading.Lock()

    def runner(delay: float) -> None:
        time.sleep(delay)  # arrive at different times
        barrier.wait(timeout=5)
        with guard:
            passed.append(time.perf_counter())

    start = time.perf_counter()
    run_threads(runner, [(0.01 * i,) for i in range(parties)])
    return {
        "parties": parties,
        "first_pass_ms": (min(passed) - start) * 1000,
        "last_arrival_ms": 0.01 * (parties - 1) * 1000,
    }


def queue_demo() -> dict[str, Any]:
    work: queue.Queue[int | None] = queue.Queue(maxsize=100)
    seen: list[int] = []
    guard = threading.Lock()
    items, consumers = 10_000, 4

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


def deadlock_demo() -> dict[str, Any]:
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
    result: dict[str, Any] = {"experiment": "sync_primitives"}
    result["rlock"] = rlock_demo()
    print(
        f"RLock: owner re-entered: {result['rlock']['rlock_reentered']}; "
        f"plain Lock, second acquire by its owner: "
        f"{result['rlock']['lock_second_acquire']} (timed out, would hang forever)"
    )
    result["semaphore"] = sem = semaphore_demo()
    print(
        f"Semaphore({LIMIT}): {WORKERS} workers, at most {sem['peak_inside']} inside "
        f"at once; {sem['timing']['median'] * 1000:.0f} ms for "
        f"{WORKERS} x {HOLD * 1000:.0f} ms of held time"
    )
    result["event"] = ev = event_demo()
    print(
        f"Event: {ev['woken_before_set']} of 5 waiters passed before set(); "
        f"{ev['woken']} woke after, the last {ev['max_wake_ms']:.1f} ms after set()"
    )
    result["condition"] = cond = condition_demo()
    print(f"Condition: the consumer woke once all items were there: {cond['received']}")
    result["barrier"] = bar = barrier_demo()
    print(
        f"Barrier({bar['parties']}): the last party arrived at "
        f"{bar['last_arrival_ms']:.0f} ms; the first one passed at "
        f"{bar['first_pass_ms']:.0f} ms"
    )
    result["queue"] = q = queue_demo()
    print(
        f"queue.Queue: {q['items']:,} items put, {q['delivered']:,} taken, "
        f"{q['distinct']:,} distinct"
    )
    result["deadlock"] = dl = deadlock_demo()
    gave_up = dl["opposite_order_got_second_lock"].count(False)
    print(
        f"Deadlock, locks taken in opposite orders: {gave_up} of 2 threads gave up "
        f"after acquire(timeout={DEADLOCK_TIMEOUT}) -> deadlock detected (its release "
        f"let the other finish)"
    )
    print(
        f"Same locks, one global order: second lock acquired "
        f"{dl['same_order_got_second_lock']}"
    )
    result.update(limit=LIMIT, workers=WORKERS, deadlock_timeout=DEADLOCK_TIMEOUT)
    measure.emit(result)


if __name__ == "__main__":
    main()
