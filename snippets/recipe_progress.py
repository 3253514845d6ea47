"""A progress bar over parallel work: threads, processes and asyncio tasks.

The bar advances when a task finishes, so the loop must take tasks in the order
they finish:

- threads: ``concurrent.futures.as_completed`` over the futures of ``submit``;
- processes: ``multiprocessing.Pool.imap_unordered`` (``as_completed`` works the
  same for a ``ProcessPoolExecutor``);
- asyncio: ``asyncio.as_completed`` over the tasks.

The bar is ``rich.progress`` (``pip install rich``). Task ``i`` sleeps longer the
earlier it was submitted, so the order tasks finish in is not the order they were
submitted in. After each finished task the script records which task it was and
what the bar's count read.

Run it yourself from a clone:  python snippets/recipe_progress.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_pools import ProgressRun, RecipeProgress

JUDGED = ()  # no timed claim: the claims read the order and the bar's counts
TASKS = 6
STEP = 0.03  # seconds: task i sleeps (TASKS - i) * STEP, the first the longest
PROCESS_WORKERS = 2


def nap(i: int) -> int:
    """Task i: sleeps longer the earlier it comes; returns its own index."""
    time.sleep((TASKS - i) * STEP)
    return i


async def anap(i: int) -> int:
    await asyncio.sleep((TASKS - i) * STEP)
    return i


def new_bar() -> Progress:
    """A bar that writes to stdout; a file or a pipe gets its final state only."""
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        console=Console(file=sys.stdout, width=60),
    )


def with_threads(progress: Progress) -> ProgressRun:
    bar = progress.add_task("threads", total=TASKS)
    finished, counts = [], []
    with ThreadPoolExecutor(TASKS) as pool:
        futures = [pool.submit(nap, i) for i in range(TASKS)]
        for future in as_completed(futures):
            finished.append(future.result())
            progress.advance(bar)
            counts.append(int(progress.tasks[bar].completed))
    return {"way": "threads", "finished": finished, "counts": counts}


def with_processes(progress: Progress) -> ProgressRun:
    bar = progress.add_task("processes", total=TASKS)
    finished, counts = [], []
    with multiprocessing.Pool(PROCESS_WORKERS) as pool:
        for i in pool.imap_unordered(nap, range(TASKS)):
            finished.append(i)
            progress.advance(bar)
            counts.append(int(progress.tasks[bar].completed))
    return {"way": "processes", "finished": finished, "counts": counts}


async def with_asyncio(progress: Progress) -> ProgressRun:
    bar = progress.add_task("asyncio", total=TASKS)
    finished, counts = [], []
    tasks = [asyncio.create_task(anap(i)) for i in range(TASKS)]
    for next_done in asyncio.as_completed(tasks):
        finished.append(await next_done)
        progress.advance(bar)
        counts.append(int(progress.tasks[bar].completed))
    return {"way": "asyncio", "finished": finished, "counts": counts}


def main() -> None:
    with new_bar() as progress:
        runs = [
            with_threads(progress),
            with_processes(progress),
            asyncio.run(with_asyncio(progress)),
        ]
    print(f"submitted: {list(range(TASKS))}; task i sleeps ({TASKS} - i) x {STEP} s")
    for run in runs:
        print(
            f"{run['way']:<10} finished in the order {run['finished']}, "
            f"bar count after each: {run['counts']}"
        )

    result: RecipeProgress = {
        "experiment": "recipe_progress",
        "tasks": TASKS,
        "process_workers": PROCESS_WORKERS,
        "runs": runs,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
