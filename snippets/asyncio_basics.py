"""asyncio: one thread, one event loop, many coroutines taking turns at each await.

- TASKS coroutines record which process and which OS thread run them;
- gather: TASKS coroutines that each wait NAP seconds, timed in rounds against a
  single coroutine's wait (each round times both, in a random order);
- TaskGroup: one task fails, its siblings are cancelled, the error surfaces;
- asyncio.timeout: a slow await is cut off; when, is timed in every round;
- Semaphore: at most LIMIT of BOUNDED_TASKS coroutines inside at once.

Run it yourself from a clone:  python snippets/asyncio_basics.py
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import coordination as shape

TIMEOUT = 60
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("gather/rounds: gather / one wait",)
TASKS = 1_000
NAP = 0.05  # seconds each coroutine waits
DEADLINE = 0.05  # seconds asyncio.timeout allows a 10 s sleep
LIMIT = 10
BOUNDED_TASKS = 50


async def where_am_i() -> tuple[int, int]:
    await asyncio.sleep(0)  # give the others a turn
    return os.getpid(), threading.get_ident()


async def nap() -> None:
    await asyncio.sleep(NAP)  # stand-in for waiting on a socket


async def one_thread() -> shape.OneThread:
    places = await asyncio.gather(*(where_am_i() for _ in range(TASKS)))
    return {
        "tasks": TASKS,
        "processes": len({pid for pid, _ in places}),
        "threads": len({tid for _, tid in places}),
        "threads_alive": threading.active_count(),
    }


async def fail_soon() -> None:
    await asyncio.sleep(0.01)
    raise ConnectionError("upstream closed the connection")


async def task_group() -> shape.TaskGroupPart:
    siblings: list[asyncio.Task[None]] = []
    caught = ""
    try:
        async with asyncio.TaskGroup() as group:
            siblings = [group.create_task(asyncio.sleep(10)) for _ in range(3)]
            group.create_task(fail_soon())
    except* ConnectionError as errors:
        caught = "; ".join(repr(e) for e in errors.exceptions)
    return {
        "caught": caught,
        "siblings_cancelled": sum(t.cancelled() for t in siblings),
        "siblings": len(siblings),
    }


async def timeout() -> str:
    try:
        async with asyncio.timeout(DEADLINE):
            await asyncio.sleep(10)
        return "finished"
    except TimeoutError as error:
        return type(error).__name__


async def bounded() -> shape.AsyncSemaphorePart:
    slots = asyncio.Semaphore(LIMIT)
    inside, peak = 0, 0

    async def fetch() -> None:
        nonlocal inside, peak
        async with slots:
            inside += 1  # no lock needed: nothing else runs until the next await
            peak = max(peak, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(fetch() for _ in range(BOUNDED_TASKS)))
    return {"peak": peak, "limit": LIMIT, "tasks": BOUNDED_TASKS}


def main() -> None:
    o = asyncio.run(one_thread())
    print(
        f"{o['tasks']:,} coroutines ran in {o['processes']} process and "
        f"{o['threads']} thread ({o['threads_alive']} thread alive in the program)"
    )

    async def one_nap() -> None:
        await nap()

    async def all_nap() -> None:
        await asyncio.gather(*(nap() for _ in range(TASKS)))

    rounds = measure.time_rounds(
        {
            "one wait": lambda: asyncio.run(one_nap()),
            "gather": lambda: asyncio.run(all_nap()),
        },
        rounds=ROUNDS,
    )
    gathered: shape.GatherPart = {
        "tasks": TASKS,
        "nap": NAP,
        "rounds": rounds.to_dict(),
    }
    took, one = rounds.timing("gather"), rounds.timing("one wait")
    print(
        f"gather: {TASKS:,} coroutines each waiting {NAP} s took "
        f"{took.estimate:.3f} s in all; one coroutine's wait took "
        f"{one.estimate:.3f} s (medians of {took.n} rounds)"
    )

    g = asyncio.run(task_group())
    print(
        f"TaskGroup: caught {g['caught']}; {g['siblings_cancelled']} of "
        f"{g['siblings']} sibling tasks were cancelled"
    )

    outcomes: list[str] = []
    cutoff = measure.time_rounds(
        {"timeout": lambda: outcomes.append(asyncio.run(timeout()))},
        rounds=ROUNDS,
        warmup=0,  # each round is the same fresh asyncio.run: one outcome per round
    )
    timed_out: shape.AsyncTimeoutPart = {
        "deadline": DEADLINE,
        "outcomes": outcomes,
        "rounds": cutoff.to_dict(),
    }
    after = cutoff.timing("timeout")
    print(
        f"asyncio.timeout({DEADLINE}) around a 10 s sleep: "
        f"{', '.join(sorted(set(outcomes)))} after {after.estimate * 1000:.1f} ms "
        f"(median of {after.n} rounds)"
    )

    s = asyncio.run(bounded())
    print(
        f"Semaphore({s['limit']}): {s['tasks']} coroutines, at most "
        f"{s['peak']} inside at once"
    )
    result: shape.AsyncioBasics = {
        "experiment": "asyncio_basics",
        "one_thread": o,
        "gather": gathered,
        "task_group": g,
        "timeout": timed_out,
        "semaphore": s,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
