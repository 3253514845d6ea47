"""Pass several arguments to a pool's map: three ways, one answer, in processes.

A task function that takes three arguments, run in a two-worker process pool:

1. ``executor.map(f, xs, ys, zs)``: map takes one iterable per parameter and
   zips them, like the built-in ``map``;
2. ``Pool.starmap(f, rows)``: each row is a tuple of arguments;
3. ``executor.map(partial(f, scale=k), xs, ys)``: ``functools.partial`` fixes the
   arguments that do not change, and pickles as long as ``f`` is a top-level def.

Every form's results are compared with the same loop run here, in this process.
One trap is exercised too: ``Pool.map(f, xs, ys)`` treats ``ys`` as its
``chunksize`` argument, so it raises before any task runs.

Why a lambda cannot be the task in a process pool is run in snippets/pickling.py.

Run it yourself from a clone:  python snippets/recipe_map_args.py
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_pools import MapArgs, Raised

JUDGED = ()  # no timed claim: every claim reads what the pools returned
WORKERS = 2
XS = list(range(8))
YS = [10, 20, 30, 40, 50, 60, 70, 80]
SCALE = 3  # the argument that is the same for every task


def combine(x: int, y: int, scale: int) -> int:
    """The task: defined with def at module top level, so a worker can import it."""
    return (x + y) * scale


def main() -> None:
    expected = [combine(x, y, SCALE) for x, y in zip(XS, YS, strict=True)]
    with ProcessPoolExecutor(WORKERS) as executor:
        worker_pids = sorted({executor.submit(os.getpid).result() for _ in range(4)})
        by_map = list(executor.map(combine, XS, YS, itertools.repeat(SCALE)))
        by_partial = list(executor.map(partial(combine, scale=SCALE), XS, YS))
    with multiprocessing.Pool(WORKERS) as pool:
        rows = [(x, y, SCALE) for x, y in zip(XS, YS, strict=True)]
        by_starmap = pool.starmap(combine, rows)
        trap: Raised
        try:
            pool.map(combine, XS, YS)  # type: ignore[arg-type]  # the trap
        except Exception as error:  # the very exception a caller would see
            trap = {"type": type(error).__name__, "message": str(error)}
        else:
            trap = {"type": "", "message": "no error"}

    forms = {
        "executor.map(f, xs, ys, repeat(k))": by_map,
        "Pool.starmap(f, rows)": by_starmap,
        "executor.map(partial(f, scale=k), xs, ys)": by_partial,
    }
    print(f"parent PID {os.getpid()}, worker PIDs {worker_pids}")
    print(f"expected (a plain loop here): {expected}")
    for form, got in forms.items():
        same = "same" if got == expected else "DIFFERENT"
        print(f"  {form:<44} {got}  {same}")
    print(f"Pool.map(f, xs, ys): {trap['type']} ({trap['message']!r})")

    result: MapArgs = {
        "experiment": "recipe_map_args",
        "workers": WORKERS,
        "parent_pid": os.getpid(),
        "worker_pids": worker_pids,
        "expected": expected,
        "forms": forms,
        "pool_map_two_iterables": trap,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
