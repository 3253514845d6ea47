"""Worker memory that grows in a long-running pool, and a pool inside a pool.

1. A task that leaks: each call keeps LEAK_MB more in a module-level list, the
   way a cache that never empties does. Run TASKS times on a one-worker pool,
   each task reports its worker's PID and resident memory (RSS) when it ends:
   - ``multiprocessing.Pool(1)``: one worker runs every task, its RSS climbs;
   - ``multiprocessing.Pool(1, maxtasksperchild=n)``: a fresh worker every n
     tasks, so the RSS falls back each time;
   - ``ProcessPoolExecutor(1, max_tasks_per_child=n)`` (Python 3.11+), the same;
     without ``mp_context`` it uses spawn (fork refuses the option). Tasks go one
     at a time: queued work can hang this pool when a worker is replaced
     (gh-115634, on 3.11 and 3.12 among others).
2. A task that starts its own pool: in a ``multiprocessing.Pool`` worker (a
   daemonic process) it fails; in a ``ProcessPoolExecutor`` worker, which is not
   daemonic, the inner pool runs.

Run it yourself from a clone:  python snippets/recipe_worker_recycle.py
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_pools import Nested, Recycled, WorkerRecycle

JUDGED = ()  # no timed claim: PIDs, memory and errors are observed
TASKS, PER_CHILD = 6, 2  # tasks on a one-worker pool, replaced every PER_CHILD
LEAK_MB = 8
KEPT: list[bytes] = []  # what the leaking task never lets go of


def rss_mb() -> float:
    """This process's resident memory now (Linux), or its peak elsewhere."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB; bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def leaky_task(_: int) -> tuple[int, float]:
    KEPT.append(b"x" * (LEAK_MB * 2**20))  # written, so really resident
    return os.getpid(), rss_mb()


def run_leaks(pool_kind: str, per_child: int | None) -> Recycled:
    if pool_kind == "Pool":
        with multiprocessing.Pool(1, maxtasksperchild=per_child) as pool:
            done = [pool.apply(leaky_task, (i,)) for i in range(TASKS)]
        option = "maxtasksperchild"
    else:  # the next task only after the previous result (gh-115634)
        with ProcessPoolExecutor(1, max_tasks_per_child=per_child) as executor:
            done = [executor.submit(leaky_task, i).result() for i in range(TASKS)]
        option = "max_tasks_per_child"
    return {
        "pool": pool_kind,
        "option": option,
        "per_child": per_child,
        "pids": [pid for pid, _ in done],
        "rss_mb": [rss for _, rss in done],
    }


def square(x: int) -> int:
    return x * x


def am_i_daemonic(_: int) -> bool:
    return multiprocessing.current_process().daemon


def inner_pool(n: int) -> int:
    """A task that starts a pool of its own."""
    with multiprocessing.Pool(2) as pool:
        return sum(pool.map(square, range(n)))


def nested(outer: str) -> Nested:
    make = multiprocessing.Pool if outer == "Pool" else ProcessPoolExecutor
    with make(2) as pool:
        if isinstance(pool, ProcessPoolExecutor):
            daemon = pool.submit(am_i_daemonic, 0).result()
            call = pool.submit(inner_pool, 4).result
        else:
            daemon = pool.apply(am_i_daemonic, (0,))
            call = pool.apply_async(inner_pool, (4,)).get
        try:
            value = call(30)
        except Exception as error:  # raised in the worker, re-raised here
            return {
                "outer": outer,
                "worker_daemon": daemon,
                "ok": False,
                "value": 0,
                "type": type(error).__name__,
                "message": str(error),
            }
    return {
        "outer": outer,
        "worker_daemon": daemon,
        "ok": True,
        "value": value,
        "type": "",
        "message": "",
    }


def main() -> None:
    runs = [
        run_leaks("Pool", None),
        run_leaks("Pool", PER_CHILD),
        run_leaks("ProcessPoolExecutor", PER_CHILD),
    ]
    print(f"{TASKS} tasks on one worker, each keeps {LEAK_MB} MB more:")
    for r in runs:
        option = f"{r['option']}={r['per_child']}" if r["per_child"] else "no limit"
        pids = sorted(set(r["pids"]), key=r["pids"].index)
        names = {pid: chr(ord("A") + k) for k, pid in enumerate(pids)}
        workers = "".join(names[p] for p in r["pids"])
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"])
        print(f"  {r['pool']}, {option}")
        print(f"    worker per task {workers}; RSS after each task (MB): {rss}")

    outers = [nested("Pool"), nested("ProcessPoolExecutor")]
    expected = sum(square(x) for x in range(4))
    print("\nA task that starts multiprocessing.Pool(2) inside:")
    for n in outers:
        got = (
            f"inner pool ran, sum {n['value']}"
            if n["ok"]
            else f"{n['type']} ({n['message']!r})"
        )
        print(f"  in a {n['outer']} worker (daemon={n['worker_daemon']}): {got}")

    result: WorkerRecycle = {
        "experiment": "recipe_worker_recycle",
        "tasks": TASKS,
        "per_child": PER_CHILD,
        "leak_mb": LEAK_MB,
        "runs": runs,
        "nested": outers,
        "nested_expected": expected,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
