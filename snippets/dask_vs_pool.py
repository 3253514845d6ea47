"""Beyond one machine: the same work on a ProcessPoolExecutor and on Dask distributed.

Starts a Dask LocalCluster on 127.0.0.1 (one single-threaded worker process per
usable core, no dashboard) and a process pool of as many workers, both fully
started before any timing; runs the CPU-bound tasks serially (in one worker
process), on the pool and on the cluster, and batches of tiny tasks on both (each
round times every alternative once, in a new random order); then shuts the
cluster down and checks that every worker process it started has exited. Needs
``pip install "dask[distributed]"``.

    python snippets/dask_vs_pool.py
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # dask is imported for real in main(); the shape is for types only
    from dask.distributed import Client

    from measured.run.shapes.modern import DaskVsPool

TIMEOUT = 120  # seconds
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("cpu: serial / dask", "cpu: serial / pool", "tiny: dask / pool")
# Dask's time varies from round to round here (its scheduler shares the cores
# with the workers): more rounds for the CPU-bound comparison, [3rd, 10th] of 12
# ratios, also a 96 % CI.
CPU_ROUNDS = 12
TASKS_PER_WORKER = 1  # equal CPU-bound tasks, one for every worker
SIZE = 1_600_000  # loop iterations per task: about 80 ms on the build machine
TINY_TASKS = 50  # tiny tasks per map call, for the per-task overhead
# The pool's map of tiny tasks is quick and its time varies from map to map: one
# timing of the pool runs this many maps of TINY_TASKS (each exactly like Dask's
# one map), so that it lasts about as long as Dask's. Per task = timing / (maps x
# TINY_TASKS).
POOL_TINY_MAPS = 12
# Work here ran slower right after other work than after a pause: every timed
# call begins after the same short pause (untimed), whatever ran before it.
SETTLE = 0.01  # seconds


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


def tiny_pool(pool: ProcessPoolExecutor, maps: int = 1) -> list[int]:
    results: list[int] = []
    for _ in range(maps):
        results = list(pool.map(tiny, range(TINY_TASKS)))
    return results


class TinyOnDask:
    """One map of tiny tasks on Dask, its whole bookkeeping charged to Dask.

    Dropping a map's futures makes the scheduler (a thread of this process)
    release their tasks. Done right after the map, that work would run during
    whatever is timed next and slow it; here each call releases the previous
    map's tasks first, inside its own timing.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.held: list[object] = []

    def __call__(self) -> list[int]:
        self.held = []  # release the previous map's tasks now
        self.held = self.client.map(tiny, range(TINY_TASKS), pure=False)
        return self.client.gather(self.held)


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
    workers = cores  # the headline configuration, declared before any timing
    tasks = measure.tasks_for(workers, TASKS_PER_WORKER)
    sizes = [SIZE] * tasks
    expected = [work(SIZE) for _ in range(tasks)]
    with tempfile.TemporaryDirectory(prefix="dask-") as scratch:
        t0 = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only
            dashboard_address=None,
            local_directory=scratch,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        client.wait_for_workers(workers)
        cluster_start = time.perf_counter() - t0
        try:
            # Each worker is a child process (its Nanny lives in this process).
            started = sorted(client.run(os.getpid).values())
            # The serial baseline runs in a worker process of its own, one task
            # after another: in this process, Dask's scheduler and client threads
            # would take the GIL from it now and then and flatter every speedup.
            with (
                ProcessPoolExecutor(1) as one,
                ProcessPoolExecutor(workers) as pool,
            ):
                # Every worker starts now (prestart repeats until all answered).
                measure.prestart(one, 1, hold=0.05)
                measure.prestart(pool, workers, hold=0.05)
                assert run_pool(one, sizes) == expected
                assert run_pool(pool, sizes) == expected
                assert run_dask(client, sizes) == expected
                cpu = measure.time_rounds(
                    {
                        "serial": lambda: run_pool(one, sizes),
                        "pool": lambda: run_pool(pool, sizes),
                        "dask": lambda: run_dask(client, sizes),
                    },
                    rounds=CPU_ROUNDS,
                    settle=lambda: time.sleep(SETTLE),
                )
                small = measure.time_rounds(
                    {
                        "pool": lambda: tiny_pool(pool, POOL_TINY_MAPS),
                        "dask": TinyOnDask(client),
                    },
                    rounds=ROUNDS,
                    settle=lambda: time.sleep(SETTLE),
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

    tiny_per_timing = {"pool": POOL_TINY_MAPS * TINY_TASKS, "dask": TINY_TASKS}
    print(f"LocalCluster: {workers} worker processes on 127.0.0.1, 1 thread each")
    print(f"cluster start {cluster_start:6.2f} s   shutdown {shutdown:5.2f} s")
    print(f"{tasks} tasks x {SIZE:,} iterations, {CPU_ROUNDS} rounds")
    print(f"serial                 {cpu.timing('serial').estimate:6.3f} s")
    for kind, name in (("pool", "ProcessPoolExecutor"), ("dask", "Dask distributed")):
        print(
            f"{name:<22} {cpu.timing(kind).estimate:6.3f} s  "
            f"speedup {cpu.ratio('serial', kind).text('x')}"
        )
    print(f"tiny tasks, {TINY_TASKS} per map call, time per task:")
    for kind, name in (("pool", "ProcessPoolExecutor"), ("dask", "Dask distributed")):
        each = small.timing(kind).estimate / tiny_per_timing[kind]
        print(f"  {name:<20} {each * 1e6:8.0f} µs")
    print(f"worker processes left after shutdown: {len(left_behind)} of {len(started)}")
    result: DaskVsPool = {
        "experiment": "dask_vs_pool",
        "cores": cores,
        "headline_workers": workers,
        "tasks": tasks,
        "size": SIZE,
        "tiny_tasks": TINY_TASKS,
        "tiny_per_timing": tiny_per_timing,
        "settle_seconds": SETTLE,
        "cluster_start_seconds": cluster_start,
        "shutdown_seconds": shutdown,
        "cpu": cpu.to_dict(),
        "tiny": small.to_dict(),
        "started_pids": started,
        "left_behind": left_behind,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
