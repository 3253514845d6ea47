"""How many cores the machine delivered to a pool's workers, from their own pace.

The load meter (measured.run.load) reads the kernel's CPU-time counters. On a
virtual machine whose host takes a core away without reporting steal time, those
counters still show two busy cores while the work runs at the pace of one and a
bit: a shared CI machine once gave a process pool 1.2x over serial with every
core "free". Only the work itself can show that.

So an experiment times each task where it runs. In one round, the serial
alternative's tasks give the pace of one core at that moment; a pool worker whose
tasks took longer ran at a fraction of it (its *pace*, at most 1). The cores the
machine delivered in that round are the workers' paces added up; a worker that
got no task counts as a whole core, because giving it none was the pool's doing,
not the machine's, and the claim must still be able to fail for it. The run's
figure is the median over its rounds.

The runner and the claims treat it like free cores: a run whose workers got
less than stats.FREE_SHARE of the cores they needed is a busy run (another run
is added; a timed verdict rests on the other runs, or is not shown). It is
decided from the pace alone, before and whatever any claim says.

Standard library only: experiments import it on any interpreter.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
# One task: (the process that ran it, how long it took there, in seconds).
Task = tuple[int, float]
FIELD = "delivered_cores"


def timed(fn: Callable[[Any], T], arg: Any) -> tuple[T, int, float]:
    """``fn(arg)``, with the pid that ran it and its duration (run in the worker)."""
    start = time.perf_counter()
    value = fn(arg)
    return value, os.getpid(), time.perf_counter() - start


class Log:
    """Every task of every call of each alternative, in call order (warm-up first)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[list[Task]]] = {}

    def record(self, name: str, results: Iterable[tuple[T, int, float]]) -> list[T]:
        """Keep one call's tasks under ``name``; return the values alone."""
        values, tasks = [], []
        for value, pid, seconds in results:
            values.append(value)
            tasks.append((pid, seconds))
        self.calls.setdefault(name, []).append(tasks)
        return values

    def rounds(self, name: str, warmup: int) -> list[list[Task]]:
        """The timed rounds' calls of ``name`` (measure.time_rounds calls each
        alternative once per warm-up round first, then once per round)."""
        return self.calls.get(name, [])[warmup:]


def in_round(reference: Sequence[Task], pool: Sequence[Task], workers: int) -> float:
    """Cores the machine delivered to ``pool``'s workers in one round.

    ``reference``: the same tasks run alone (one core's pace at that moment).
    """
    one_core = statistics.median(seconds for _, seconds in reference)
    by_worker: dict[int, list[float]] = {}
    for pid, seconds in pool:
        by_worker.setdefault(pid, []).append(seconds)
    paces = [
        min(1.0, one_core / max(statistics.fmean(times), 1e-12))
        for times in by_worker.values()
    ]
    return sum(paces) + max(0, workers - len(paces))


def record(
    log: Log, reference: str, pool: str, workers: int, warmup: int
) -> dict[str, Any]:
    """The result's ``delivered_cores`` entry: per round, and the run's median."""
    per_round = [
        in_round(alone, together, workers)
        for alone, together in zip(
            log.rounds(reference, warmup), log.rounds(pool, warmup), strict=True
        )
    ]
    return {
        "cores": round(statistics.median(per_round), 3),
        "per_round": [round(value, 3) for value in per_round],
        "reference": reference,
        "pool": pool,
        "workers": workers,
    }


def delivered(result: Mapping[str, Any]) -> float | None:
    """The run's delivered cores, if its experiment measured them."""
    entry = result.get(FIELD)
    if isinstance(entry, Mapping) and isinstance(entry.get("cores"), int | float):
        return float(entry["cores"])
    return None


def free_cores(machine: Mapping[str, Any], result: Mapping[str, Any]) -> float | None:
    """Free cores during a run: the fewer of the meter's and the workers' pace's."""
    known = [
        float(v)
        for v in (machine.get("free_cores"), delivered(result))
        if isinstance(v, int | float)
    ]
    return min(known) if known else None
