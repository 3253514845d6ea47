"""Subinterpreters: many interpreters, each with its own GIL, in one process.

Needs Python 3.14 (concurrent.interpreters) or 3.13 with the PEP 734 backport
(pip install interpreters-pep-734). Elsewhere it says so and measures nothing.
It creates an interpreter, runs code in it and gets a result back through a
queue; times creating one against starting a thread and a process; runs the same
CPU-bound work in threads and in an InterpreterPoolExecutor; and shows what can
be shared and which extension modules refuse to load.

    python3.14 snippets/subinterpreters.py
"""

from __future__ import annotations

import importlib
import importlib.util
import multiprocessing
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

from measured import measure

TIMEOUT = 90  # seconds
TASKS = 8
SIZE = 400_000
START_REPEATS = 10
# A C extension with legacy single-phase init: it cannot be isolated per interpreter.
LEGACY_EXTENSION = "_testsinglephase"


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def noop() -> None:
    """Started and joined, to time the start."""


def load_api() -> tuple[ModuleType, type] | None:
    """(interpreters module, InterpreterPoolExecutor), from 3.14 or the backport."""
    try:
        from concurrent import interpreters
        from concurrent.futures import InterpreterPoolExecutor
    except ImportError:
        try:
            from interpreters_backport import interpreters
            from interpreters_backport.concurrent.futures import (
                InterpreterPoolExecutor,
            )
        except ImportError:
            return None
    return interpreters, InterpreterPoolExecutor


def importable_work():
    """``work`` as a pickle can find it from another interpreter.

    Run as a script, this module is ``__main__``, and every interpreter has its own
    ``__main__``. Importing the file under its own name gives a ``work`` that a
    worker interpreter can import, the way a spawned process does.
    """
    folder = str(Path(__file__).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(Path(__file__).stem).work


def hello(interpreters: ModuleType) -> str:
    """Create, run code, get a result back through a queue, close."""
    queue = interpreters.create_queue()
    interp = interpreters.create()
    try:
        # The 3.13 backport needs the queue module loaded before a queue crosses.
        interp.exec(f"import {type(queue).__module__}")
        interp.prepare_main(results=queue, n=SIZE)
        interp.exec(
            "import sys\n"
            "total = sum(i * i % 7 for i in range(n))\n"
            "results.put(f'interpreter {sys.implementation.name} says {total}')\n"
        )
        return queue.get(timeout=10)
    finally:
        interp.close()


def start_interpreter(interpreters: ModuleType) -> None:
    interpreters.create().close()


def start_thread() -> None:
    thread = threading.Thread(target=noop)
    thread.start()
    thread.join()


def start_process() -> None:
    process = multiprocessing.Process(target=noop)
    process.start()
    process.join()


def shareable(interpreters: ModuleType) -> dict[str, bool]:
    """Which objects cross between interpreters as they are (no pickling)."""
    samples = {
        "int": 1,
        "str": "text",
        "bytes": b"raw",
        "tuple of ints": (1, 2),
        "None": None,
        "list": [1, 2],
        "dict": {"a": 1},
        "Queue": interpreters.create_queue(),
    }
    return {name: interpreters.is_shareable(obj) for name, obj in samples.items()}


def legacy_import(interpreters: ModuleType) -> dict[str, str]:
    """The error a non-isolated extension raises in a subinterpreter."""
    if importlib.util.find_spec(LEGACY_EXTENSION) is None:
        return {"error_type": "", "message": f"{LEGACY_EXTENSION} is not built here"}
    interp = interpreters.create()
    try:
        interp.exec(f"import {LEGACY_EXTENSION}")
    except interpreters.ExecutionFailed as failed:
        # An ImportError line that says the module does not support subinterpreters.
        lines = [line for line in str(failed).splitlines() if "Error: " in line]
        kind, _, message = (lines[-1] if lines else str(failed)).partition(": ")
        return {"error_type": kind.strip(), "message": message.strip()}
    finally:
        interp.close()
    return {"error_type": "", "message": f"import {LEGACY_EXTENSION} worked"}


def main() -> None:
    cores = measure.usable_cores()
    api = load_api()
    if api is None:
        reason = (
            f"Python {sys.version.split()[0]} has no concurrent.interpreters "
            "(3.14+) and the interpreters-pep-734 backport (3.13) is not installed"
        )
        print(f"Subinterpreters not available: {reason}.")
        measure.emit(
            {"experiment": "subinterpreters", "available": False, "reason": reason}
        )
        return
    interpreters, InterpreterPoolExecutor = api
    source = interpreters.__name__.split(".")[0]
    message = hello(interpreters)
    starts = measure.time_interleaved(
        {
            "interpreter": lambda: start_interpreter(interpreters),
            "thread": start_thread,
            "process": start_process,
        },
        repeats=START_REPEATS,
    )
    work_fn = importable_work()
    expected = [work(SIZE)] * TASKS
    with (
        ThreadPoolExecutor(cores) as threads,
        InterpreterPoolExecutor(cores) as subinterpreters,
    ):
        for pool in (threads, subinterpreters):
            assert list(pool.map(work_fn, [SIZE] * TASKS)) == expected
        timings = measure.time_interleaved(
            {
                "serial": lambda: [work(SIZE) for _ in range(TASKS)],
                "threads": lambda: list(threads.map(work_fn, [SIZE] * TASKS)),
                "interpreters": lambda: list(
                    subinterpreters.map(work_fn, [SIZE] * TASKS)
                ),
            }
        )
    serial = timings["serial"]
    speedups = {
        kind: measure.speedup(serial, timings[kind])
        for kind in ("threads", "interpreters")
    }
    sharing = shareable(interpreters)
    legacy = legacy_import(interpreters)

    print(f"API from {source} on Python {sys.version.split()[0]}, {cores} cores")
    print(f"hello: {message}")
    for kind, timing in starts.items():
        print(f"create + close one {kind:<11} {timing.median * 1e3:8.2f} ms")
    print(f"{TASKS} tasks x {SIZE:,} iterations, {cores} workers per pool")
    print(f"serial               {serial.median:6.3f} s")
    for kind, gain in speedups.items():
        name = {"threads": "ThreadPool", "interpreters": "InterpreterPool"}[kind]
        print(f"{name:<20} {timings[kind].median:6.3f} s  speedup {gain:4.2f}x")
    print("shareable as is: " + ", ".join(k for k, v in sharing.items() if v))
    print("not shareable:   " + ", ".join(k for k, v in sharing.items() if not v))
    print(f"import {LEGACY_EXTENSION} in a subinterpreter:")
    print(f"  {legacy['error_type'] or 'no error'}, {legacy['message']}")
    measure.emit(
        {
            "experiment": "subinterpreters",
            "available": True,
            "source": source,
            "cores": cores,
            "hello": message,
            "start_seconds": {k: t.to_dict() for k, t in starts.items()},
            "timings": {k: t.to_dict() for k, t in timings.items()},
            "speedup": speedups,
            "shareable": sharing,
            "legacy_import": legacy,
        }
    )


if __name__ == "__main__":
    main()
