"""Claims over ``errata_facts``: API facts the original article states wrongly.

These are *checked*, not measured: they read what the standard library says about
itself (the public names of a class, which modules exist). Each holds only when it
holds in every run (every run reads the same interpreter, so they agree).
"""

from __future__ import annotations

from typing import Literal

from measured.claims.registry import CHECKED, Claim, Evidence, claim, observed
from measured.run.shapes.errata_facts import ErrataFacts

THREAD_API_BEYOND_START_JOIN = {"run", "is_alive", "name", "daemon", "ident"}
PROCESS_ONLY_API = {"terminate", "kill", "exitcode", "pid"}
# Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier: the seven
# primitives the experiment looks for in both modules.
PRIMITIVES_IN_BOTH_MIN = 7
# threading, multiprocessing, concurrent.futures, asyncio (3.14 adds one more).
STDLIB_TOOLS_MIN = 4


@claim("errata_facts", kind=CHECKED)
def thread_has_more_than_start_and_join(evidence: Evidence) -> Claim:
    needed = {"start", "join"} | THREAD_API_BEYOND_START_JOIN
    holds = all(
        needed <= api for api in evidence.values(lambda r: set(r["thread_api"]))
    )
    api = evidence.result_as(ErrataFacts)["thread_api"]
    names = ", ".join(f"`{n}`" for n in sorted(THREAD_API_BEYOND_START_JOIN))
    if holds:
        text = f"public names, among them {names} besides `start` and `join`."
    else:
        text = f"public names, but NOT all of {names} besides `start` and `join`."
    return observed(
        holds, f"`threading.Thread` has **{len(api)}** {text}", float(len(api))
    )


def _shared_and_only_process(result: ErrataFacts) -> tuple[set[str], set[str]]:
    thread, process = set(result["thread_api"]), set(result["process_api"])
    return thread & process, process - thread


@claim("errata_facts", kind=CHECKED)
def process_api_mirrors_thread_api(evidence: Evidence) -> Claim:
    def mirrors(result: ErrataFacts) -> bool:
        shared, only_process = _shared_and_only_process(result)
        return {"start", "join", "run", "is_alive"} <= shared and (
            only_process >= PROCESS_ONLY_API
        )

    holds = all(evidence.values(mirrors))
    shared, only_process = _shared_and_only_process(evidence.result_as(ErrataFacts))
    return observed(
        holds,
        f"`Process` shares **{len(shared)}** public names with `Thread` and adds "
        + ", ".join(f"`{n}`" for n in sorted(only_process))
        + (": similar, not identical." if holds else ": NOT the mirror stated."),
        float(len(shared)),
    )


def _every_run_lists(
    evidence: Evidence,
    key: Literal["primitives_in_both", "stdlib_tools"],
    minimum: int,
) -> tuple[bool, list[str]]:
    """Whether every run listed at least ``minimum`` names under ``key``, and the
    first run's list."""
    holds = min(evidence.values(lambda r: len(r[key]))) >= minimum
    return holds, evidence.result_as(ErrataFacts)[key]


@claim("errata_facts", kind=CHECKED)
def primitives_exist_in_both_modules(evidence: Evidence) -> Claim:
    holds, found = _every_run_lists(
        evidence, "primitives_in_both", PRIMITIVES_IN_BOTH_MIN
    )
    only = "" if holds else f"Only {len(found)} of {PRIMITIVES_IN_BOTH_MIN}: "
    return observed(
        holds,
        f"{only}**{len(found)}** synchronization primitives exist in both "
        f"`threading` and `multiprocessing`: {', '.join(found)}.",
        float(len(found)),
    )


@claim("errata_facts", kind=CHECKED)
def stdlib_has_more_than_two_tools(evidence: Evidence) -> Claim:
    holds, tools = _every_run_lists(evidence, "stdlib_tools", STDLIB_TOOLS_MIN)
    return observed(
        holds,
        f"This standard library offers **{len(tools)}** concurrency tools"
        + ("" if holds else f", NOT the {STDLIB_TOOLS_MIN} stated")
        + ": "
        + ", ".join(f"`{t}`" for t in tools)
        + ".",
        float(len(tools)),
    )
