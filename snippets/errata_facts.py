"""Small facts the original article gets wrong, checked on this interpreter.

Not every claim needs a benchmark. "Thread has two methods" or "the two modules'
APIs match" are settled by asking Python itself: this script lists the public API
of threading.Thread and multiprocessing.Process, the synchronization primitives both
modules offer, and the concurrency tools in the standard library.

Run it yourself from a clone:  python snippets/errata_facts.py
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import threading
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.errata_facts import ErrataFacts

PRIMITIVES = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Condition")
PRIMITIVES += ("Barrier",)
STDLIB_TOOLS = (
    "threading",
    "multiprocessing",
    "concurrent.futures",
    "asyncio",
    "concurrent.interpreters",  # 3.14+
)


def public_api(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def main() -> None:
    thread_api = public_api(threading.Thread)
    process_api = public_api(multiprocessing.Process)
    primitives = [
        name
        for name in PRIMITIVES
        if hasattr(threading, name) and hasattr(multiprocessing, name)
    ]
    tools = [name for name in STDLIB_TOOLS if available(name)]
    print(f"threading.Thread: {len(thread_api)} public names: {', '.join(thread_api)}")
    print(
        f"multiprocessing.Process: {len(process_api)} public names: "
        f"{', '.join(process_api)}"
    )
    print(f"only on Process: {', '.join(sorted(set(process_api) - set(thread_api)))}")
    print(f"primitives in both modules: {', '.join(primitives)}")
    print(f"concurrency tools in this standard library: {', '.join(tools)}")
    result: ErrataFacts = {
        "experiment": "errata_facts",
        "thread_api": thread_api,
        "process_api": process_api,
        "primitives_in_both": primitives,
        "stdlib_tools": tools,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
