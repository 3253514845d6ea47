"""Processes x NumPy's own threads: a pool of processes, each running a BLAS matmul.

NumPy's matrix product runs in its BLAS library (OpenBLAS in NumPy's wheels), which
starts its own threads, by default one per CPU. A pool of one process per core,
each running a matmul, then asks for cores x cores threads. This script times the
same tasks on two pools of one process per usable core, both started with the
spawn start method, so each worker imports NumPy afresh:

- BLAS default:  the workers' environment as this process's;
- BLAS 1 thread: OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 set in os.environ
                 while the pool starts its workers (a worker reads them when it
                 imports NumPy; setting them after that changes nothing). This
                 works for spawn only: a forkserver worker gets the environment
                 its server started with, a forked one the parent's BLAS.

Each worker reports the BLAS threads it runs with (read from the loaded OpenBLAS
library itself, as threadpoolctl does; None if it cannot tell). Each round times
both pools once, in a new random order. Without NumPy the script says so and
measures nothing.

Run it yourself from a clone:  python snippets/recipe_oversubscription.py
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_processes import RecipeOversubscription

try:
    import numpy
except ImportError:  # optional: the page says NumPy was not measured
    numpy = None

TIMEOUT = 90
ROUNDS = 7  # fixed in advance
JUDGED = ("timings: BLAS default / BLAS 1 thread",)
TASKS_PER_WORKER = 6  # a timed call long enough that one run can decide
SIZE = 400  # one (SIZE x SIZE) @ (SIZE x SIZE) float64 product per task
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
MATRIX = numpy.random.default_rng(1).random((SIZE, SIZE)) if numpy else None


def blas_threads() -> int | None:
    """The loaded OpenBLAS's thread count, asked of the library (Linux only)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in paths:
        lib = ctypes.CDLL(path)
        for symbol in (
            "openblas_get_num_threads",
            "openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads",
        ):
            if hasattr(lib, symbol):
                return int(getattr(lib, symbol)())
    return None


def worker_setup(_: int) -> tuple[int, int | None, str]:
    """(pid, BLAS threads, OPENBLAS_NUM_THREADS as the worker saw it)."""
    time.sleep(0.05)  # hold the worker, so that every worker answers
    return os.getpid(), blas_threads(), os.environ.get("OPENBLAS_NUM_THREADS", "")


def matmul(_: int) -> float:
    assert MATRIX is not None
    return float((MATRIX @ MATRIX)[0, 0])


def start_pool(workers: int, env: dict[str, str]) -> ProcessPoolExecutor:
    """A spawn pool whose workers start with ``env`` added to this environment."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn")
        )
        measure.prestart(pool, workers, hold=0.05)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return pool


def main() -> None:
    if numpy is None:
        print("needs NumPy, not measured here")
        measure.emit({"experiment": "recipe_oversubscription", "numpy": None})
        return
    cores = measure.usable_cores()
    workers = cores  # one process per usable core, fixed before timing
    tasks = measure.tasks_for(workers, TASKS_PER_WORKER)
    setups: dict[str, list[Any]] = {}
    pools = {
        "BLAS default": start_pool(workers, {}),
        "BLAS 1 thread": start_pool(workers, ONE_THREAD),
    }
    try:
        for name, pool in pools.items():
            seen = {s[0]: s for s in pool.map(worker_setup, range(4 * workers))}
            setups[name] = [[threads, env] for _, threads, env in seen.values()]
        calls = {
            name: (lambda pool=pool: list(pool.map(matmul, range(tasks))))
            for name, pool in pools.items()
        }
        rounds = measure.time_rounds(calls, rounds=ROUNDS, warmup=1)
    finally:
        for pool in pools.values():
            pool.shutdown()
    print(
        f"{workers} spawned processes, {tasks} matmuls of {SIZE}x{SIZE} per call, "
        f"{cores} usable cores, NumPy {numpy.__version__}, this process's BLAS "
        f"threads: {blas_threads()}"
    )
    for name in pools:
        print(
            f"{name:<14} {rounds.timing(name).estimate * 1000:6.1f} ms   "
            f"(workers' BLAS threads, OPENBLAS_NUM_THREADS: {setups[name]})"
        )
    print(
        "BLAS default / BLAS 1 thread: "
        f"{rounds.ratio('BLAS default', 'BLAS 1 thread').text('x')}"
    )
    result: RecipeOversubscription = {
        "experiment": "recipe_oversubscription",
        "numpy": numpy.__version__,
        "cores": cores,
        "workers": workers,
        "tasks": tasks,
        "size": SIZE,
        "parent_blas_threads": blas_threads(),
        "worker_blas": setups,
        "timings": rounds.to_dict(),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
