"""Beyond one machine: the same work on a ProcessPoolExecutor and on Dask distributed.

Starts a Dask LocalCluster on 127.0.0.1 (one single-threaded worker process per
core, no dashboard), runs the CPU-bound tasks and a batch of tiny tasks on it and
on a process pool, then shuts the cluster down and checks that every worker
process it started has exited. Needs ``pip install "dask[distributed]"``.

    python snippets/dask_vs_pool.py
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from measured import measure

if TYPE_CHECKING:  # imported for real in main(): importing this file stays cheap
    from dask.distributed import Client

TIMEOUT = 120  # seconds
TASKS = 8
SIZE = 400_000
TINY_TASKS = 100  # for the per-task overhead
REPEATS = 5


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def tiny(n: int) -> int:
    return n


# The two versions of the same step: compare them line by line.
def run_pool(pool: ProcessPoolExecutor, sizes: list[int]) -> list[int]:
    return list(pool.map(work, sizes))


def run_dask(client: Client, sizes: list[int]) -> list[int]:
    return client.gather(client.map(work, sizes, pure=False))


def tiny_pool(pool: ProcessPoolExecutor) -> list[int]:
    return list(pool.map(tiny, range(TINY_TASKS)))


def tiny_dask(client: Client) -> list[int]:
    return client.gather(client.map(tiny, range(TINY_TASKS), pure=False))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead but not yet reaped by its parent.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def main() -> None:
    from dask.distributed import Client, LocalCluster

    cores = measure.usable_cores()
    sizes = [SIZE] * TASKS
    expected = [work(SIZE) for _ in range(TASKS)]
    with tempfile.TemporaryDirectory(prefix="dask-") as scratch:
        t0 = time.perf_counter()
        cluster = LocalCluster(
            n_workers=cores,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only
            dashboard_address=None,
            local_directory=scratch,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        cluster_start = time.perf_counter() - t0
        try:
            # Each worker is a child process (its Nanny lives in this process).
            started = sorted(client.run(os.getpid).values())
            with ProcessPoolExecutor(cores) as pool:
                assert run_pool(pool, sizes) == expected
                assert run_dask(client, sizes) == expected
                tiny_pool(pool)  # warm both up
                tiny_dask(client)
                timings = measure.time_interleaved(
                    {
                        "serial": lambda: [work(n) for n in sizes],
                        "pool": lambda: run_pool(pool, sizes),
                        "dask": lambda: run_dask(client, sizes),
                        "tiny pool": lambda: tiny_pool(pool),
                        "tiny dask": lambda: tiny_dask(client),
                    },
                    repeats=REPEATS,
                )
        finally:
            t0 = time.perf_counter()
            # Retire the workers first: closing the scheduler under live workers
            # makes their next heartbeat log a connection error.
            cluster.scale(0)
            deadline = time.monotonic() + 10
            while client.scheduler_info()["workers"] and time.monotonic() < deadline:
                time.sleep(0.05)
            client.close()
            cluster.close()
            shutdown = time.perf_counter() - t0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    left_behind = [pid for pid in started if alive(pid)]

    serial = timings["serial"]
    speedup = {k: measure.speedup(serial, timings[k]) for k in ("pool", "dask")}
    per_task = {k: timings[f"tiny {k}"].median / TINY_TASKS for k in ("pool", "dask")}
    print(f"LocalCluster: {cores} worker processes on 127.0.0.1, 1 thread each")
    print(f"cluster start {cluster_start:6.2f} s   shutdown {shutdown:5.2f} s")
    print(f"{TASKS} tasks x {SIZE:,} iterations")
    print(f"serial                 {serial.median:6.3f} s")
    for kind, name in (("pool", "ProcessPoolExecutor"), ("dask", "Dask distributed")):
        print(
            f"{name:<22} {timings[kind].median:6.3f} s  speedup {speedup[kind]:4.2f}x"
        )
    print(f"{TINY_TASKS} tiny tasks, overhead per task:")
    for kind, name in (("pool", "ProcessPoolExecutor"), ("dask", "Dask distributed")):
        print(f"  {name:<20} {per_task[kind] * 1e6:8.0f} µs")
    print(f"worker processes left after shutdown: {len(left_behind)} of {len(started)}")
    measure.emit(
        {
            "experiment": "dask_vs_pool",
            "cores": cores,
            "tasks": TASKS,
            "size": SIZE,
            "tiny_tasks": TINY_TASKS,
            "cluster_start_seconds": cluster_start,
            "shutdown_seconds": shutdown,
            "timings": {k: t.to_dict() for k, t in timings.items()},
            "speedup": speedup,
            "per_task_seconds": per_task,
            "started_pids": started,
            "left_behind": left_behind,
        }
    )


if __name__ == "__main__":
    main()
