"""Ctrl-C with a pool, threads or asyncio: a real SIGINT sent to real programs.

Each variant is a small program run in a child process of its own process group,
as a terminal runs a command. Once its work is running it prints "ready", and each
process-pool worker prints "started" from its initializer; when this script has
read all of them, it sends SIGINT to the whole group, as Ctrl-C in a terminal does
(the workers of a process pool get it too), and looks at what happens: how long
the program takes to exit, its exit status, how many tracebacks it prints (counted,
not shown), how many tasks still ran after the interrupt, and whether any of its
processes is left.

- pool / threads: a plain ``with`` block around the executor (the process pool's
  initializer only says "started"). What a plain process pool does depends on
  where the SIGINT finds each worker: it runs the rest of its queue, loses
  workers (each prints a traceback of its own) or hangs. So it runs POOL_RUNS
  times, side by side;
- pool_clean / threads_clean: workers ignore SIGINT (a process pool's initializer),
  the main thread catches KeyboardInterrupt and calls
  ``shutdown(cancel_futures=True)``, then exits with status 130;
- asyncio: ``asyncio.run`` as it is; asyncio_clean catches KeyboardInterrupt.

POSIX only (signals, process groups).
Run it yourself from a clone:  python snippets/recipe_ctrl_c.py
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_interrupts import CtrlC, Variant

TIMEOUT = 60
JUDGED = ()  # no ratio: every claim is an observation
WORKERS = 2
TASKS = 12  # queued tasks of TASK_SECONDS each: 0.3 s of work for 2 workers
TASK_SECONDS = 0.05
READY_SECONDS = 10.0  # the child starts Python, then its pool
EXIT_SECONDS = 2.0  # a variant still running then is killed and counted as hung
GONE_SECONDS = 2.0  # how long its processes get to disappear after it exits
POOL_RUNS = 3  # runs of the plain process pool, side by side (fixed, not tuned)
# Its queue holds at most 0.3 s of work after Ctrl-C, and hung or finished both
# mean "did not stop", so a shorter wait changes no verdict and keeps a hang cheap.
POOL_EXIT_SECONDS = 1.0
VARIANTS = (
    "pool_clean",
    "threads",
    "threads_clean",
    "asyncio",
    "asyncio_clean",
)


# --- the programs that get Ctrl-C -------------------------------------------------


def say(word: str) -> None:
    """One line in one write: threads and processes print to the same pipe."""
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def task(n: int) -> int:
    say("task")  # one line per task that starts
    time.sleep(TASK_SECONDS)
    return n


def started() -> None:
    """The plain process pool's initializer: it only tells the watcher."""
    say("started")


def ignore_sigint() -> None:
    """A process pool's initializer: only the parent handles Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    say("started")  # from here on, this worker is protected


def run_all(pool: Executor) -> None:
    futures = [pool.submit(task, n) for n in range(TASKS)]
    futures[0].result()
    say("ready")
    for future in futures:
        future.result()


def naive(pool: Executor) -> None:
    with pool:
        run_all(pool)


def clean(pool: Executor) -> None:
    try:
        run_all(pool)
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)  # drop the queued tasks
        sys.exit(130)  # the shell's status for "ended by Ctrl-C"
    pool.shutdown()


async def sleeper() -> None:
    try:
        await asyncio.sleep(60)
    finally:
        say("cleanup")  # runs when asyncio.run cancels the task


async def async_main() -> None:
    tasks = [asyncio.create_task(sleeper()) for _ in range(WORKERS)]
    await asyncio.sleep(0)
    say("ready")
    await asyncio.gather(*tasks)


def async_clean() -> None:
    try:
        asyncio.run(async_main())
    except KeyboardInterrupt:
        sys.exit(130)


def child(variant: str) -> None:
    signal.alarm(TIMEOUT)  # never outlive this script, whatever happens to it
    # Ctrl-C as a program started from a terminal gets it. A program started as a
    # background job of a script (`cmd &`) inherits SIGINT ignored, and Python then
    # keeps it ignored: every variant would run on as if no Ctrl-C came.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if variant == "pool":
        naive(ProcessPoolExecutor(WORKERS, initializer=started))
    elif variant == "pool_clean":
        clean(ProcessPoolExecutor(WORKERS, initializer=ignore_sigint))
    elif variant == "threads":
        naive(ThreadPoolExecutor(WORKERS))
    elif variant == "threads_clean":
        clean(ThreadPoolExecutor(WORKERS))
    elif variant == "asyncio":
        asyncio.run(async_main())
    else:
        async_clean()


# --- sending Ctrl-C and watching ----------------------------------------------------


def group_alive(pgid: int) -> bool:
    """True while any process of the group still runs.

    A zombie does not count: it has exited and waits only for its parent to read
    its status. An orphan's new parent may reap late (a build's runner adopts
    orphans and reaps them when the script ends): under spawn the resource tracker
    outlives the program by a moment and then lingers as such a zombie.
    """
    if sys.platform == "linux":  # /proc tells a zombie apart
        return any(_runs_in(stat, pgid) for stat in Path("/proc").glob("[0-9]*/stat"))
    try:  # elsewhere, signal 0 checks, sends nothing (zombies count as running)
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _runs_in(stat: Path, pgid: int) -> bool:
    """Linux: the process of /proc/PID/stat is in group ``pgid`` and no zombie."""
    try:
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat.read_text().rpartition(")")[2].split()
    except OSError:  # it ended while we looked
        return False
    return int(fields[2]) == pgid and fields[0] != "Z"


def gone_after(pgid: int) -> float | None:
    """Seconds until no process of the group is left, or None (they were killed)."""
    start = time.perf_counter()
    while time.perf_counter() - start < GONE_SECONDS:
        if not group_alive(pgid):
            return time.perf_counter() - start
        time.sleep(0.005)
    os.killpg(pgid, signal.SIGKILL)
    return None


def workers_of(variant: str) -> int:
    """How many "started" lines the watcher waits for: one per process worker."""
    return WORKERS if variant.startswith("pool") else 0


def interrupt(variant: str, exit_seconds: float = EXIT_SECONDS) -> Variant:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", variant],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: readline() reads no further than "ready"
        start_new_session=True,  # its own process group, like a terminal's job
    )
    assert proc.stdout is not None
    try:
        ready, _, _ = select.select([proc.stdout], [], [], READY_SECONDS)
        before = ""
        while ready and not (  # the tasks that started before it
            "ready\n" in before and before.count("started") == workers_of(variant)
        ):
            line = proc.stdout.readline().decode()
            if not line:
                proc.wait()
                why = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"{variant}: ended early {before!r}:\n{why}")
            before += line
        if not ready:
            raise RuntimeError(f"{variant}: the child did not start in time")
        sent = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        try:
            outb, errb = proc.communicate(timeout=exit_seconds)
            exited: float | None = time.perf_counter() - sent
        except subprocess.TimeoutExpired:
            exited = None
            os.killpg(proc.pid, signal.SIGKILL)
            outb, errb = proc.communicate()
    finally:
        if proc.poll() is None:  # never leave the child behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    after, err = outb.decode(), errb.decode()
    return {
        "variant": variant,
        "exit_seconds": exited,
        "returncode": proc.returncode,
        "tracebacks": err.count("Traceback (most recent call last)"),
        # a worker process's own traceback starts in multiprocessing's _bootstrap;
        # one that Ctrl-C caught still inside its initializer (after it wrote its
        # "started" line, before it returned) is logged by the pool's worker code
        # as "Exception in initializer", with no _bootstrap frame
        "worker_tracebacks": err.count(", in _bootstrap\n")
        + err.count("Exception in initializer:"),
        "stderr_lines": len(err.splitlines()),
        "tasks_before": before.count("task"),
        "tasks_after": after.count("task"),
        "cleanups": after.count("cleanup"),
        "left_seconds": gone_after(proc.pid),
    }


def plain_pools() -> list[Variant]:
    """POOL_RUNS plain process pools, side by side: a hang costs its wait once."""
    runs: list[Variant] = []

    def watch() -> None:
        runs.append(interrupt("pool", POOL_EXIT_SECONDS))

    watchers = [threading.Thread(target=watch) for _ in range(POOL_RUNS)]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join()
    if len(runs) != POOL_RUNS:
        raise RuntimeError("a plain pool's watcher failed (see its exception above)")
    return runs


def main() -> None:
    start = time.perf_counter()
    variants = plain_pools() + [interrupt(name) for name in VARIANTS]
    print(f"Ctrl-C (SIGINT to the process group), {TASKS} queued tasks of")
    print(f"{TASK_SECONDS * 1000:.0f} ms on {WORKERS} workers, or 2 sleeping tasks:\n")
    print(
        f"{'variant':<14} {'exit s':>6} {'status':>6} {'tracebacks':>10} "
        f"{'of workers':>10} {'tasks after':>11} {'cleanups':>8} {'all gone':>8}"
    )
    for v in variants:
        took = "hung" if v["exit_seconds"] is None else f"{v['exit_seconds']:.2f}"
        gone = "no" if v["left_seconds"] is None else "yes"
        print(
            f"{v['variant']:<14} {took:>6} {v['returncode']:>6} "
            f"{v['tracebacks']:>10} {v['worker_tracebacks']:>10} "
            f"{v['tasks_after']:>11} {v['cleanups']:>8} {gone:>8}"
        )
    pools = [v for v in variants if v["variant"] == "pool"]
    hung = [v for v in pools if v["exit_seconds"] is None]
    ran = [v for v in pools if v["tasks_before"] + v["tasks_after"] == TASKS]
    whole = [v for v in ran if v not in hung]
    lost = [v for v in pools if v["worker_tracebacks"] and v not in hung + whole]
    print(
        f"\nplain process pool, {len(pools)} runs: {len(whole)} ran the whole queue, "
        f"{len(lost)} lost workers, {len(hung)} hung "
        f"(killed after {POOL_EXIT_SECONDS:g} s)"
    )
    print(f"\ntime {time.perf_counter() - start:.2f} s")
    result: CtrlC = {
        "experiment": "recipe_ctrl_c",
        "workers": WORKERS,
        "tasks": TASKS,
        "task_seconds": TASK_SECONDS,
        "pool_runs": POOL_RUNS,
        "pool_exit_seconds": POOL_EXIT_SECONDS,
        "variants": variants,
    }
    measure.emit(result)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
