"""Fork only once finished threads have really gone (for experiments that fork).

``Thread.join()`` and ``Executor.shutdown()`` return when the Python side of a
thread is done; the OS thread may live a few microseconds longer. Python 3.12+
counts OS threads before ``os.fork()`` and warns ("This process is multi-threaded,
use of fork() may lead to deadlocks in the child"). An experiment that ran threads
and forks next calls :func:`settle_threads` first. Standard library only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_TASKS = Path("/proc/self/task")  # one entry per OS thread (Linux)


def os_threads() -> int | None:
    """OS threads of this process, or None where the OS does not say (not Linux)."""
    try:
        return len(os.listdir(_TASKS))
    except OSError:
        return None


def settle_threads(timeout: float = 2.0) -> bool:
    """Wait until this process runs one OS thread; False if others are still alive."""
    deadline = time.monotonic() + timeout
    while (count := os_threads()) is not None and count > 1:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return True
