"""Claims over ``errata_facts``: facts the original article states wrongly.

These are *checked*, not measured: nothing is timed. Most read what the standard
library says about itself (the public names of a class, which modules exist); three
do a thing once and look at what happened (a socket sent, a thread's locals, a
thread's error). Each holds only when it holds in every run.
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
        f"This standard library offers **{len(tools)}** concurrency modules"
        + ("" if holds else f", NOT the {STDLIB_TOOLS_MIN} stated")
        + ": "
        + ", ".join(f"`{t}`" for t in tools)
        + ".",
        float(len(tools)),
    )


# --- done once and looked at: a socket sent, a thread's locals, a thread's error ------
# Checked, not measured: nothing is timed. Each is a behaviour done once; the figure
# is 1.0 when it held in every run, else 0.0.

TRACEBACK_HEAD = "Traceback (most recent call last)"
THREAD_ERROR = "ValueError: a worker thread failed"


def _flag(holds: bool) -> float:
    return 1.0 if holds else 0.0


@claim("errata_facts", kind=CHECKED)
def open_socket_can_be_sent_to_a_process(evidence: Evidence) -> Claim:
    def sent(result: ErrataFacts) -> bool:
        found = result["socket_sent"]
        return found["error"] is None and found["writer_pid"] == found["child_pid"]

    holds = all(evidence.values(sent))
    found = evidence.result_as(ErrataFacts)["socket_sent"]
    if holds:
        text = (
            "An open socket sent over a `multiprocessing` pipe reached a child "
            "that was already running: the child wrote its own PID through it."
        )
    else:
        text = (
            "An open socket could NOT be sent to a running child "
            f"({found['error'] or 'the child did not write its PID through it'})."
        )
    return observed(holds, text, _flag(holds))


def _locals_reachable(result: ErrataFacts) -> bool:
    """Each thread's local was read from outside as its own value, the change made
    through it reached the thread, and the module-level list got every thread."""
    held = result["thread_locals"]
    rows = held["threads"]
    return (
        bool(rows)
        and all(r["local_read"] == r["thread"] and r["saw_change"] for r in rows)
        and held["shared_list"] == sorted(r["thread"] for r in rows)
    )


@claim("errata_facts", kind=CHECKED)
def thread_locals_are_reachable_from_other_threads(evidence: Evidence) -> Claim:
    holds = all(evidence.values(_locals_reachable))
    held = evidence.result_as(ErrataFacts)["thread_locals"]
    n = len(held["threads"])
    if holds:
        text = (
            f"While **{n}** threads ran the same function, the main thread read each "
            "one's local variable from its frame (`sys._current_frames()`): each held "
            "its own value, and an item appended through that reference showed up in "
            "the thread. A module-level list got an entry from every thread: one "
            "address space."
        )
    else:
        read = ", ".join(str(r["local_read"]) for r in held["threads"]) or "nothing"
        text = (
            f"Another thread's locals were NOT reachable as stated: of **{n}** "
            f"threads the main thread read {read}; changes seen: "
            + ", ".join(str(r["saw_change"]) for r in held["threads"])
            + f"; module-level list {held['shared_list']}."
        )
    return observed(holds, text, _flag(holds))


def _error_reported(result: ErrataFacts) -> tuple[bool, bool, bool]:
    """Default hook in place; it printed the traceback; the other thread finished."""
    found = result["thread_error"]
    printed = found["stderr"]
    return (
        found["default_hook"],
        TRACEBACK_HEAD in printed and THREAD_ERROR in printed.splitlines(),
        found["other_finished"],
    )


@claim("errata_facts", kind=CHECKED)
def thread_error_is_reported_not_raised(evidence: Evidence) -> Claim:
    holds = all(all(parts) for parts in evidence.values(_error_reported))
    result = evidence.result_as(ErrataFacts)
    hook, printed, other = _error_reported(result)
    # The exception's name, not its printed line: "ValueError:" in a page is how
    # the build spots a snippet's own error leaking into it (test_build).
    last = (result["thread_error"]["stderr"].strip().splitlines() or [""])[-1]
    raised = last.split(":")[0] or "nothing"
    if holds:
        text = (
            "A thread that raised had its traceback printed to `sys.stderr` by the "
            f"default `threading.excepthook` (ending with the `{raised}` it raised), "
            "and a thread let go "
            "only after the failure ran to the end."
        )
    else:
        text = (
            "A thread that raised was NOT reported as stated: default hook in place: "
            f"{hook}; traceback printed: {printed}; the other thread finished after "
            f"it: {other}."
        )
    return observed(holds, text, _flag(holds))
