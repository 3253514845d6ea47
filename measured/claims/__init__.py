"""The claims the guide makes, and the one rule that judges them.

- ``registry``: evidence (every run of an experiment), verdicts (holds, misses, not
  shown), the decision helpers and the registry of claim functions;
- ``margins``: every margin, one per statement;
- ``rule``: the rule in words, rendered from the constants;
- one module of claims per part of the guide: ``part1`` (threads, the GIL,
  processes, performance), ``coordination`` (sharing, synchronization, futures,
  asyncio), ``modern`` (the interpreter matrix, free-threading, subinterpreters,
  start methods, Dask), ``executors`` (the three executors of concurrent.futures
  side by side, and what interpreters share), ``errata_facts`` (API facts the
  original article gets wrong), ``lifecycle`` (ending things cleanly:
  shared-memory tracking, queue shutdown; shown on Sharing, Synchronization and
  asyncio), ``futures_lifecycle`` (stopping a running task, map's input,
  recycled workers), ``asyncio_debugging`` (where a stuck loop waits, eager
  tasks).

Importing this package registers every claim: the part modules import the
registry (never this package), so there is no import cycle.
"""

from __future__ import annotations

# Each part's module registers its claims when it is imported.
from measured.claims import (  # noqa: F401
    asyncio_debugging,
    coordination,
    errata_facts,
    executors,
    futures_lifecycle,
    lifecycle,
    modern,
    part1,
    recipes_async,
    recipes_interrupts,
    recipes_pools,
    recipes_processes,
    recipes_threads,
)
from measured.claims.registry import *  # noqa: F403
