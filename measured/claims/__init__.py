"""The claims the guide makes, and the one rule that judges them.

- ``registry``: evidence (every run of an experiment), verdicts (holds, misses, not
  shown), the decision helpers and the registry of claim functions;
- ``margins``: every margin, one per statement;
- ``rule``: the rule in words, rendered from the constants;
- one module of claims per part of the guide: ``part1`` (threads, the GIL,
  processes, performance), ``coordination`` (sharing, synchronization, futures,
  asyncio), ``modern`` (the interpreter matrix, free-threading, subinterpreters,
  start methods, Dask), ``errata_facts`` (API facts the original article gets
  wrong).

Importing this package registers every claim: the part modules import the
registry (never this package), so there is no import cycle.
"""

from __future__ import annotations

# Each part's module registers its claims when it is imported.
from measured.claims import (  # noqa: F401
    coordination,
    errata_facts,
    futures_lifecycle,
    modern,
    part1,
)
from measured.claims.registry import *  # noqa: F403
