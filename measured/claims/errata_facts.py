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


# --- observed once: a socket sent, locals per thread, a thread's error ---------------


@claim("errata_facts")
def open_socket_can_be_sent_to_a_process(evidence: Evidence) -> Claim:
    def sent(result: ErrataFacts) -> bool:
        found = result["socket_sent"]
        return found["error"] is None and found["writer_pid"] == found["child_pid"]

    holds = all(evidence.values(sent))
    found = evidence.result_as(ErrataFacts)["socket_sent"]
    if holds:
        text = (
            "An open socket sent over a `multiprocessing` pipe reached a child "
            f"that was already running: the child (PID **{found['child_pid']}**) "
            "wrote through it."
        )
    else:
        text = (
            "An open socket could NOT be sent to a running child "
            f"({found['error'] or 'nothing came back through it'})."
        )
    return observed(holds, text, float(found["writer_pid"] or 0))


@claim("errata_facts")
def each_thread_keeps_its_own_locals(evidence: Evidence) -> Claim:
    def own(result: ErrataFacts) -> bool:
        return all(c["counted"] == c["asked"] for c in result["thread_locals"])

    holds = all(evidence.values(own))
    counts = evidence.result_as(ErrataFacts)["thread_locals"]
    shown = ", ".join(f"{c['counted']:,} of {c['asked']:,}" for c in counts)
    return observed(
        holds,
        f"**{len(counts)}** threads ran the same function at once, each counting in "
        f"a local variable: {shown}"
        + (" (each its own)." if holds else ": NOT each its own."),
        float(len(counts)),
    )


@claim("errata_facts")
def thread_error_is_reported_not_raised(evidence: Evidence) -> Claim:
    def reported(result: ErrataFacts) -> bool:
        found = result["thread_error"]
        return (
            found["excepthook_saw"] == ["ValueError"]
            and not found["join_raised"]
            and found["other_ran"]
        )

    holds = all(evidence.values(reported))
    found = evidence.result_as(ErrataFacts)["thread_error"]
    seen = ", ".join(f"`{name}`" for name in found["excepthook_saw"]) or "nothing"
    if holds:
        text = (
            f"A thread that raised was reported to `threading.excepthook` ({seen}); "
            "`join()` returned without raising and the other thread ran to the end."
        )
    else:
        text = (
            f"A thread that raised was NOT reported as stated: excepthook saw {seen}, "
            f"join() raised: {found['join_raised']}, other thread ran: "
            f"{found['other_ran']}."
        )
    return observed(holds, text, float(len(found["excepthook_saw"])))
