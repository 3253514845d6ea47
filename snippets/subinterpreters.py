"""Subinterpreters: many interpreters, each with its own GIL, in one process.

Needs Python 3.14 (concurrent.interpreters) or 3.13 with the PEP 734 backport
(pip install interpreters-pep-734). Elsewhere it says so and measures nothing.
It creates an interpreter, runs code in it and gets a result back through a
queue; times creating one against starting a thread; runs the same CPU-bound work
serially and in an InterpreterPoolExecutor of one worker per usable core (the
headline, fixed before anything is timed; the pool starts its workers first); and
shows what can be shared, whether a memoryview really shares its bytes with another
interpreter, and which extension modules refuse to load. Each round
times every alternative once, in a new random order. (Threads and processes on
the same work: snippets/gil_across_versions.py.)

    python3.14 snippets/subinterpreters.py
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.modern import LegacyImport, SharedBuffer, Subinterpreters

TIMEOUT = 90  # seconds
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
TASKS_PER_WORKER = 2  # equal tasks, the same share for every worker
SIZE = 400_000  # loop iterations per task: about 25 ms on the build machine
# Starts are timed in batches that last tens of milliseconds: a thread starts in
# well under a millisecond, an interpreter in several.
STARTS_PER_BATCH = {"thread": 400, "interpreter": 4}
# Thread starts here ran twice as fast after a pause as right after other work:
# every batch of starts begins after the same short pause (untimed).
START_SETTLE = 0.01  # seconds
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


def start_interpreters(interpreters: ModuleType, count: int) -> None:
    for _ in range(count):
        interpreters.create().close()


def start_threads(count: int) -> None:
    for _ in range(count):
        thread = threading.Thread(target=noop)
        thread.start()
        thread.join()


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


def shared_buffer(interpreters: ModuleType) -> SharedBuffer:
    """A memoryview handed to another interpreter shares its bytes (3.14 docs):
    the other interpreter writes a byte through it; does this one see it?"""
    data = bytearray(1)
    interp = interpreters.create()
    try:
        interp.prepare_main(view=memoryview(data))
        interp.exec("view[0] = 42")
    except Exception as error:  # the backport may refuse: record how
        return {"passed": False, "seen_here": data[0], "error": repr(error)}
    finally:
        interp.close()
    return {"passed": True, "seen_here": data[0], "error": ""}


def legacy_import(interpreters: ModuleType) -> LegacyImport:
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
    workers = cores  # the headline configuration, declared before any timing
    tasks = measure.tasks_for(workers, TASKS_PER_WORKER)
    api = load_api()
    if api is None:
        reason = (
            f"Python {sys.version.split()[0]} has no concurrent.interpreters "
            "(3.14+) and the interpreters-pep-734 backport (3.13) is not installed"
        )
        print(f"Subinterpreters not available: {reason}.")
        unavailable: Subinterpreters = {
            "experiment": "subinterpreters",
            "available": False,
            "reason": reason,
        }
        measure.emit(unavailable)
        return
    interpreters, InterpreterPoolExecutor = api
    source = interpreters.__name__.split(".")[0]
    per_batch = STARTS_PER_BATCH
    message = hello(interpreters)
    starts = measure.time_rounds(
        {
            "thread": lambda: start_threads(per_batch["thread"]),
            "interpreter": lambda: start_interpreters(
                interpreters, per_batch["interpreter"]
            ),
        },
        rounds=ROUNDS,
        settle=lambda: time.sleep(START_SETTLE),
    )
    work_fn = importable_work()

    def serial() -> list[int]:
        return [work(SIZE) for _ in range(tasks)]

    expected = serial()
    with InterpreterPoolExecutor(workers) as pool:
        # Every worker starts now (prestart repeats until all answered).
        measure.prestart(pool, workers, hold=0.05)
        assert list(pool.map(work_fn, [SIZE] * tasks)) == expected
        cpu = measure.time_rounds(
            {
                "serial": serial,
                "interpreters": lambda: list(pool.map(work_fn, [SIZE] * tasks)),
            },
            rounds=ROUNDS,
        )
    sharing = shareable(interpreters)
    buffer = shared_buffer(interpreters)
    legacy = legacy_import(interpreters)

    print(f"API from {source} on Python {sys.version.split()[0]}, {cores} cores")
    print(f"hello: {message}")
    for kind, count in per_batch.items():
        each = starts.timing(kind).estimate / count
        print(f"create + close one {kind:<11} {each * 1e3:8.3f} ms")
    print(
        f"{tasks} tasks x {SIZE:,} iterations, {workers} interpreters in the pool, "
        f"{ROUNDS} rounds"
    )
    print(f"serial               {cpu.timing('serial').estimate:6.3f} s")
    print(
        f"InterpreterPool      {cpu.timing('interpreters').estimate:6.3f} s  "
        f"speedup {cpu.ratio('serial', 'interpreters').text('x')}"
    )
    print("shareable as is: " + ", ".join(k for k, v in sharing.items() if v))
    print("not shareable:   " + ", ".join(k for k, v in sharing.items() if not v))
    if buffer["passed"]:
        print(
            f"a memoryview handed to another interpreter: it wrote 42, this one "
            f"reads {buffer['seen_here']}"
        )
    else:
        print(f"a memoryview handed to another interpreter: {buffer['error']}")
    print(f"import {LEGACY_EXTENSION} in a subinterpreter:")
    print(f"  {legacy['error_type'] or 'no error'}, {legacy['message']}")
    result: Subinterpreters = {
        "experiment": "subinterpreters",
        "available": True,
        "source": source,
        "cores": cores,
        "tasks": tasks,
        "size": SIZE,
        "headline_workers": workers,
        "hello": message,
        "starts": starts.to_dict(),
        "starts_per_batch": per_batch,
        "start_settle_seconds": START_SETTLE,
        "cpu": cpu.to_dict(),
        "shareable": sharing,
        "shared_buffer": buffer,
        "legacy_import": legacy,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
