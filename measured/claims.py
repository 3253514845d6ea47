"""Claims the guide makes, checked against an experiment's JSON result.

One function per claim, registered with ``@claim("<experiment id>")``. Pages print
``Claim.statement``; tests assert ``Claim.holds``; the reproduce command and the
errata ledger find every claim of an experiment through :func:`for_experiment`.
``Claim.figure`` is the claim's headline number (a speedup, say) so a reader's run
can be compared with the published one.
``holds`` is None when this machine cannot show the claim (one core, say): the page
then says so and the test skips with the same reason. Margins are for a noisy,
shared 2-core machine: generous enough not to flake, tight enough to catch a
wrong claim (threads scaling on a GIL build, processes not scaling at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROCESSES_MIN_SPEEDUP = 1.4  # on >= 2 cores; ideal on 2 cores is 2.0
THREADS_MAX_SPEEDUP_WITH_GIL = 1.3  # ideal is 1.0: one thread runs Python at a time
# Why a parallel-speedup claim cannot be shown on this machine.
ONE_CORE = "this machine has one usable core, so nothing can run in parallel"


@dataclass(frozen=True)
class Claim:
    holds: bool | None  # None: this machine cannot show it (see reason)
    statement: str
    reason: str = ""
    figure: float | None = None  # the headline number the claim rests on


Check = Callable[[dict[str, Any]], Claim]
# experiment id -> the claim functions that read its result
REGISTRY: dict[str, list[Check]] = {}


def claim(experiment: str) -> Callable[[Check], Check]:
    """Register a claim function as one of ``experiment``'s claims."""

    def register(check: Check) -> Check:
        REGISTRY.setdefault(experiment, []).append(check)
        return check

    return register


def for_experiment(experiment: str) -> list[Check]:
    return list(REGISTRY.get(experiment, []))


def evaluate(
    experiment: str, result: dict[str, Any], *, strict: bool = True
) -> list[dict[str, Any]]:
    """Every registered claim of ``experiment``, judged on ``result``.

    ``strict=False`` (a reader's run) records a claim that cannot read the result as
    an ``error`` instead of raising: the other claims and experiments still count.
    """
    judged = []
    for check in for_experiment(experiment):
        try:
            outcome = check(result)
        except Exception as exc:
            if strict:
                raise
            judged.append({"claim": check.__name__, "holds": None, "error": repr(exc)})
            continue
        judged.append(
            {
                "claim": check.__name__,
                "holds": outcome.holds,
                "statement": outcome.statement,
                "reason": outcome.reason,
                "figure": outcome.figure,
            }
        )
    return judged


def _best(result: dict[str, Any], kind: str) -> tuple[int, float]:
    best = result["best"][kind]
    return best["workers"], best["speedup"]


@claim("cpu_bound")
def processes_scale(result: dict[str, Any]) -> Claim:
    """Processes run pure-Python CPU work in parallel on a multi-core machine."""
    cores = result["cores"]
    workers, gain = _best(result, "processes")
    figure = f"**{gain:.2f}×** with {workers} worker processes on {cores} cores"
    if cores < 2:
        return Claim(
            None,
            f"Processes reached {figure}.",
            ONE_CORE,
            gain,
        )
    holds = gain >= PROCESSES_MIN_SPEEDUP
    verdict = "ran the work in parallel" if holds else "did NOT speed the work up"
    return Claim(
        holds,
        f"Processes {verdict}: {figure} (ideal {min(workers, cores)}.00×).",
        figure=gain,
    )


@claim("cpu_bound")
def threads_do_not_scale_with_gil(result: dict[str, Any]) -> Claim:
    """On a GIL build, threads give no speedup for pure-Python CPU work."""
    workers, gain = _best(result, "threads")
    figure = f"**{gain:.2f}×** at best ({workers} threads)"
    if not result["env"]["gil_enabled"]:
        return Claim(
            None,
            f"Threads reached {figure} with the GIL disabled.",
            "this interpreter runs without the GIL, so threads may scale",
            gain,
        )
    holds = gain <= THREADS_MAX_SPEEDUP_WITH_GIL
    verdict = "gave no speedup" if holds else "unexpectedly sped the work up"
    return Claim(
        holds,
        f"Threads {verdict}: {figure}, because the GIL lets one "
        "thread at a time run Python bytecode.",
        figure=gain,
    )


# Claims of guide part 1, "Sharing and coordination", "Modern CPython" and the
# errata ledger live in modules of their own; importing them here registers them
# with the rest.
from . import (  # noqa: E402, F401
    claims_coordination,
    claims_errata,
    claims_modern,
    claims_part1,
)
