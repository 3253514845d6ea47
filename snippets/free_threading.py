"""Free-threaded Python: do threads scale, are containers safe, what turns the GIL on?

Runs on any CPython 3.11+. On a free-threaded build (python3.14t) with the GIL off,
threads run pure-Python work in parallel; on a GIL build they take turns. Then:
many threads append to one list and bump one dict counter, with and without a
Lock; and, on a free-threaded build only, child processes show what PYTHON_GIL and
an extension module that never declared free-threading support do to the GIL.

    python3.14t snippets/free_threading.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from measured import measure

TIMEOUT = 90  # seconds
TASKS = 8
SIZE = 400_000
RACE_THREADS = 4
RACE_ROUNDS = 50_000  # increments per thread
# A CPython test module with legacy single-phase init that does not declare
# free-threading support, like many third-party C extensions in the wild.
LEGACY_EXTENSION = "_testsinglephase"


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def run_serial() -> list[int]:
    return [work(SIZE) for _ in range(TASKS)]


def run_threads(pool: ThreadPoolExecutor) -> list[int]:
    return list(pool.map(work, [SIZE] * TASKS))


def append_many(barrier: threading.Barrier, shared: list[int]) -> None:
    barrier.wait()  # start together, so the threads really overlap
    for i in range(RACE_ROUNDS):
        shared.append(i)


def bump(barrier: threading.Barrier, counts: dict[str, int]) -> None:
    barrier.wait()
    for _ in range(RACE_ROUNDS):
        counts["hits"] += 1  # read, add, write: three steps, no lock


def bump_locked(
    barrier: threading.Barrier, counts: dict[str, int], lock: threading.Lock
) -> None:
    barrier.wait()
    for _ in range(RACE_ROUNDS):
        with lock:
            counts["hits"] += 1


def in_threads(target: Callable[..., None], *args: object) -> None:
    """Run ``target(barrier, *args)`` in RACE_THREADS threads at once."""
    barrier = threading.Barrier(RACE_THREADS)
    threads = [
        threading.Thread(target=target, args=(barrier, *args))
        for _ in range(RACE_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def containers() -> dict[str, int]:
    expected = RACE_THREADS * RACE_ROUNDS
    shared: list[int] = []
    in_threads(append_many, shared)
    counts = {"hits": 0}
    in_threads(bump, counts)
    locked = {"hits": 0}
    in_threads(bump_locked, locked, threading.Lock())
    return {
        "expected": expected,
        "appends_lost": expected - len(shared),
        "unlocked_lost": expected - counts["hits"],
        "locked_lost": expected - locked["hits"],
    }


def child(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def gil_controls() -> dict[str, object]:
    """What switches the GIL back on in a free-threaded build (child processes)."""
    ask = "import sys; print(sys._is_gil_enabled())"
    legacy = (
        "import sys; before = sys._is_gil_enabled()\n"
        f"import {LEGACY_EXTENSION}\n"
        "print(before, sys._is_gil_enabled())"
    )
    loaded = child(legacy)
    forced_off = child(legacy, PYTHON_GIL="0")
    return {
        "default": child(ask).stdout.strip() == "True",
        "PYTHON_GIL=1": child(ask, PYTHON_GIL="1").stdout.strip() == "True",
        "PYTHON_GIL=0": child(ask, PYTHON_GIL="0").stdout.strip() == "True",
        "legacy_available": loaded.returncode == 0,
        "legacy_before_after": loaded.stdout.split(),
        "legacy_warning": next(
            (line for line in loaded.stderr.splitlines() if "Warning" in line), ""
        ),
        "legacy_with_PYTHON_GIL=0": forced_off.stdout.split(),
    }


def main() -> None:
    cores = measure.usable_cores()
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    gil = measure.gil_enabled()
    workers = list(range(1, cores + 1))
    expected = run_serial()
    pools = {w: ThreadPoolExecutor(w) for w in workers}
    try:
        for pool in pools.values():
            assert run_threads(pool) == expected, "wrong result"
        timings = measure.time_interleaved(
            {
                "serial": run_serial,
                **{
                    f"{w} threads": (lambda pool=pool: run_threads(pool))
                    for w, pool in pools.items()
                },
            }
        )
    finally:
        for pool in pools.values():
            pool.shutdown()
    serial = timings["serial"]
    rows = [
        {
            "workers": w,
            "timing": timings[f"{w} threads"].to_dict(),
            "speedup": measure.speedup(serial, timings[f"{w} threads"]),
        }
        for w in workers
    ]
    best = max(rows, key=lambda row: row["speedup"])
    race = containers()
    controls = gil_controls() if free_threaded else None

    build = "free-threaded" if free_threaded else "GIL"
    print(
        f"CPython {sys.version.split()[0]} ({build} build), GIL "
        f"{'enabled' if gil else 'disabled'}, {cores} cores"
    )
    print(f"serial    {serial.median:6.3f} s  (one thread: the single-thread speed)")
    for row in rows:
        threads = f"{row['workers']} thread{'s' if row['workers'] > 1 else ' '}"
        print(
            f"{threads} {row['timing']['median']:6.3f} s  "
            f"speedup {row['speedup']:4.2f}x"
        )
    print(f"{RACE_THREADS} threads x {RACE_ROUNDS:,} operations on shared objects:")
    print(f"  list.append            lost {race['appends_lost']:>7,}")
    print(f"  counts['hits'] += 1    lost {race['unlocked_lost']:>7,}")
    print(f"  same, under a Lock     lost {race['locked_lost']:>7,}")
    if controls is None:
        print("GIL controls: not applicable, this build always has the GIL")
    else:
        print(f"GIL enabled by default: {controls['default']}")
        print(f"GIL enabled with PYTHON_GIL=1: {controls['PYTHON_GIL=1']}")
        print(f"GIL enabled with PYTHON_GIL=0: {controls['PYTHON_GIL=0']}")
        if controls["legacy_available"]:
            before, after = controls["legacy_before_after"]
            print(f"import {LEGACY_EXTENSION}: GIL enabled {before} -> {after}")
            print(f"  {controls['legacy_warning']}")
            print(
                "  with PYTHON_GIL=0: "
                f"{' -> '.join(controls['legacy_with_PYTHON_GIL=0'])}"
            )
        else:
            print(f"{LEGACY_EXTENSION} is not part of this build")
    measure.emit(
        {
            "experiment": "free_threading",
            "tasks": TASKS,
            "size": SIZE,
            "cores": cores,
            "serial": serial.to_dict(),
            "rows": rows,
            "best": {"workers": best["workers"], "speedup": best["speedup"]},
            "race": {"threads": RACE_THREADS, "rounds": RACE_ROUNDS, **race},
            "gil_controls": controls,
            "legacy_extension": LEGACY_EXTENSION,
        }
    )


if __name__ == "__main__":
    main()
