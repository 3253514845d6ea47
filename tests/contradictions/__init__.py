"""For every registered claim, a recorded input that contradicts it.

A claim that cannot fail is a defect. Each function here takes the real evidence
of the claim's experiment (the runs this build made, copied) and changes what was
measured so that the claim's statement becomes false: processes as slow as the
serial loop, a lock that lost updates, an error type that did not occur.
``tests/test_claims.py`` walks the claim registry and requires, for every claim,
one such input that makes it *miss* (``holds is False``). Where the statement is
about a machine this one is not (a free-threaded build, say), the contradiction
relabels the environment too, so the claim's logic is still exercised here.

Contradictions live in one module per claims module, registered with
:func:`contradicts`; importing this package imports them all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from measured.claims import Evidence, RunData

Contradiction = Callable[[Evidence], Evidence]


@dataclass(frozen=True)
class Recorded:
    claim: str
    make: Contradiction


# claim function name -> the input that contradicts it
CONTRADICTIONS: dict[str, Recorded] = {}


def contradicts(*claims: str) -> Callable[[Contradiction], Contradiction]:
    """Record ``make`` as the contradicting input of each named claim."""

    def register(make: Contradiction) -> Contradiction:
        for name in claims:
            if name in CONTRADICTIONS:
                raise ValueError(f"{name} already has a contradiction")
            CONTRADICTIONS[name] = Recorded(name, make)
        return make

    return register


# --- editing evidence -----------------------------------------------------------


def copied(evidence: Evidence) -> Evidence:
    return Evidence([copy.deepcopy(run) for run in evidence.runs])


def each_result(evidence: Evidence, edit: Callable[[dict[str, Any]], None]) -> Evidence:
    """A copy of ``evidence`` with ``edit(result)`` applied to every run's result."""
    out = copied(evidence)
    for run in out.runs:
        edit(run.result)
    return out


def with_env(evidence: Evidence, **env: Any) -> Evidence:
    """A copy with environment fields replaced in every run (cores=1, say)."""

    def edit(result: dict[str, Any]) -> None:
        result["env"].update(env)
        if "cores" in env and "cores" in result:
            result["cores"] = env["cores"]

    return each_result(evidence, edit)


def with_machine(evidence: Evidence, **machine: Any) -> Evidence:
    """A copy whose runs all saw this machine state (free_cores=1.0, say)."""
    runs = [
        RunData(copy.deepcopy(run.result), {**run.machine, **machine})
        for run in evidence.runs
    ]
    return Evidence(runs)


def at_full_pace(evidence: Evidence) -> Evidence:
    """A copy whose pool workers ran at full pace in every round (measured.run.pace).

    The machine then gave the pool every core, so what a contradiction changes
    after this is Python's doing: the claim must miss, never be "not shown (busy)"
    because the build's own runs happened to lag.
    """

    def edit(result: dict[str, Any]) -> None:
        entry = result.get("delivered_cores")
        if isinstance(entry, dict):
            full = float(entry["workers"])
            entry["cores"] = full
            entry["per_round"] = [full] * len(entry["per_round"])

    return each_result(evidence, edit)


def set_samples(
    evidence: Evidence,
    read: Callable[[dict[str, Any]], dict[str, Any]],
    name: str,
    make: Callable[[list[float], dict[str, list[float]]], Iterable[float]],
) -> Evidence:
    """Replace one alternative's per-round seconds in a rounds record of every run.

    ``make(old, samples)`` gets the alternative's old seconds and every
    alternative's seconds, and returns the new seconds (as many as before).
    """

    def edit(result: dict[str, Any]) -> None:
        record = read(result)
        old = list(record["samples"][name])
        new = [float(x) for x in make(old, record["samples"])]
        assert len(new) == len(old), "a contradiction keeps the number of rounds"
        record["samples"][name] = new

    return each_result(evidence, edit)


def like(other: str, factor: float = 1.0) -> Callable[..., list[float]]:
    """New seconds: another alternative's, times ``factor`` (per round, paired)."""
    return lambda _old, samples: [x * factor for x in samples[other]]


def samples_like(
    claim: str,
    read: Callable[[dict[str, Any]], dict[str, Any]],
    name: str,
    other: str,
    factor: float = 1.0,
) -> None:
    """Record, as ``claim``'s contradiction, its evidence with ``name``'s seconds
    replaced by ``other``'s times ``factor``: a speedup that did not happen (a pool
    as slow as the loop), or a gap that was not there."""
    contradicts(claim)(
        lambda evidence: set_samples(evidence, read, name, like(other, factor))
    )


def scaled(factor: float) -> Callable[..., list[float]]:
    """New seconds: the old ones times ``factor``."""
    return lambda old, _samples: [x * factor for x in old]


# Registers every module's contradictions (they need the helpers above).
from . import (  # noqa: E402, F401
    asyncio_debugging,
    coordination_futures,
    coordination_sharing,
    executors,
    lifecycle,
    modern,
    part1,
    recipes_async,
    recipes_interrupts,
    recipes_pools,
    recipes_processes,
    recipes_threads,
)
