"""The three executors of concurrent.futures on the same work, and what interpreters
share with each other.

Judged on ``snippets/subinterpreters.py``, which runs the same CPU-bound tasks, the
same tiny tasks and the same pool start-up through ThreadPoolExecutor,
ProcessPoolExecutor and InterpreterPoolExecutor (one worker per usable core), and
lets another interpreter change process-wide state. Shown on the futures page
beside the other two executors and on the subinterpreter page.

Registered on import (measured/claims/__init__.py imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_low

from measured.claims.modern import per_call, per_call_seconds
from measured.claims.registry import (
    SHAPE,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    not_shown,
    observed,
    runs_in_parallel,
)
from measured.run import stats
from measured.run.errors import as_message
from measured.run.shapes.modern import Subinterpreters

POOLS = ("threads", "processes", "interpreters")
NAMES = {
    "threads": "ThreadPoolExecutor",
    "processes": "ProcessPoolExecutor",
    "interpreters": "InterpreterPoolExecutor",
}
# One tiny task (work(0)) through a started interpreter pool against one through a
# thread pool: about 75-100 µs against 9-14 µs on the 3.13 backport here, some 8x
# (the task is pickled and run by source code in the other interpreter). Twice is
# "costs more per task" with room for a faster 3.14 pool, and fails if the two
# cost about the same.
INTERPRETER_OVER_THREAD_TASK_MIN = 2.0


def _unavailable(evidence: Evidence, statement: str) -> Claim | None:
    """Not shown where the run had no interpreters API (or predates this slice)."""
    result = evidence.result_as(Subinterpreters)
    if not result["available"]:
        return not_shown(statement, f"not measured here: {result['reason']}", SHAPE)
    return None


# --- the table and who wins ------------------------------------------------------


def memory(evidence: Evidence) -> dict[str, int | None]:
    """Bytes each pool added, the median over runs (None where the OS did not say)."""
    per_run = evidence.values(lambda r: r["memory"])
    out: dict[str, int | None] = {}
    for kind in POOLS:
        values = [m[kind] for m in per_run if m.get(kind) is not None]
        out[kind] = median_low(values) if values else None
    return out


def pools_table(evidence: Evidence) -> dict[str, dict[str, stats.Interval]]:
    """Per executor: seconds to start a pool (and stop it), per tiny task, for the
    CPU work, and the speedup over the serial loop, pooled with intervals."""
    return {
        kind: {
            "start": per_call_seconds(
                evidence, "pool_starts", "pool_starts_per_batch", kind
            ),
            "tiny": per_call_seconds(evidence, "tiny", "tiny_per_batch", kind),
            "cpu": evidence.timing("cpu", kind),
            "speedup": evidence.ratio("cpu", "serial", kind),
        }
        for kind in POOLS
    }


@dataclass(frozen=True)
class Winner:
    """The best executor on one measure, and by how much it beat the next one."""

    measure: str  # "start", "tiny", "cpu"
    best: str
    next: str
    by: stats.Interval  # next over best: how many times longer the next one took

    @property
    def decided(self) -> bool:
        """The whole interval lies above 1: the best one really was faster."""
        return self.by.low > 1.0


def winners(evidence: Evidence) -> list[Winner]:
    """Per measure, the fastest executor and its paired ratio to the runner-up."""
    table = pools_table(evidence)
    out = []
    for measure in ("start", "tiny", "cpu"):
        best, runner_up = sorted(POOLS, key=lambda k: table[k][measure].estimate)[:2]
        if measure == "cpu":
            by = evidence.ratio("cpu", runner_up, best)
        else:
            read = "pool_starts" if measure == "start" else measure
            by = per_call(evidence, read, f"{read}_per_batch", runner_up, best)
        out.append(Winner(measure, best, runner_up, by))
    return out


def interpreters_over_processes(evidence: Evidence) -> dict[str, stats.Interval]:
    """Per measure, how many times longer the interpreter pool took than the
    process pool, paired round by round (below 1: interpreters were faster)."""
    return {
        "start": per_call(
            evidence,
            "pool_starts",
            "pool_starts_per_batch",
            "interpreters",
            "processes",
        ),
        "tiny": per_call(
            evidence, "tiny", "tiny_per_batch", "interpreters", "processes"
        ),
        "cpu": evidence.ratio("cpu", "interpreters", "processes"),
    }


# --- claims ---------------------------------------------------------------------


@claim("subinterpreters")
def interpreter_pool_outruns_thread_pool(evidence: Evidence) -> Claim:
    """On a GIL build, an interpreter pool runs CPU work in parallel where a thread
    pool of the same size takes turns."""
    statement = "InterpreterPoolExecutor outruns ThreadPoolExecutor on CPU work."
    if none := _unavailable(evidence, statement):
        return none
    if not evidence.env["gil_enabled"]:
        return not_shown(
            statement,
            "this interpreter runs without the GIL, where threads run Python in "
            "parallel too; the statement is about a GIL build",
            SHAPE,
        )
    workers = evidence.result_as(Subinterpreters)["headline_workers"]

    def text(ev: Evidence) -> str:
        gain = ev.ratio("cpu", "threads", "interpreters").estimate
        return (
            f"**{gain:.2f}×** the speed of a thread pool, {workers} workers each, "
            f"on Python {ev.env['python']} ({ev.cores} cores)"
        )

    return runs_in_parallel(
        evidence,
        "cpu",
        "threads",
        "interpreters",
        workers=workers,
        label="interpreter pool vs thread pool",
        text=text,
        holds="InterpreterPoolExecutor ran the CPU work in parallel where threads "
        "took turns: {}.",
        missed="InterpreterPoolExecutor did NOT outrun the thread pool: {}.",
        reached="InterpreterPoolExecutor reached {}.",
    )


@claim("subinterpreters")
def interpreter_task_costs_more_than_thread_task(evidence: Evidence) -> Claim:
    """A tiny task costs more through an interpreter pool than through threads."""
    statement = "A tiny task costs more through interpreters than through threads."
    if none := _unavailable(evidence, statement):
        return none
    table = pools_table(evidence)
    ratio = per_call(evidence, "tiny", "tiny_per_batch", "interpreters", "threads")
    text = (
        f"{table['interpreters']['tiny'].estimate * 1e6:.0f} µs per tiny task, "
        f"**{ratio.estimate:.1f}×** a thread pool's "
        f"({table['threads']['tiny'].estimate * 1e6:.0f} µs)"
    )
    figure = Figure(
        "interpreter task over thread task",
        ratio,
        INTERPRETER_OVER_THREAD_TASK_MIN,
        "at least",
    )
    return judged(
        f"An interpreter pool took {text}.",
        [figure],
        missed=f"A tiny task did NOT cost much more through interpreters: {text}.",
    )


@claim("subinterpreters")
def interpreters_share_process_state(evidence: Evidence) -> Claim:
    """Interpreters share the process: its working directory and file descriptors;
    and only the main interpreter may set signal handlers."""
    statement = "Interpreters share the process's working directory and descriptors."
    if none := _unavailable(evidence, statement):
        return none
    seen = evidence.values(lambda r: r["process_wide"])
    # Python raises ValueError for signal.signal outside the main interpreter.
    refused = [s["signal_error"].startswith("ValueError") for s in seen]
    held = [
        s["cwd_shared"] and s["fd_shared"] and r
        for s, r in zip(seen, refused, strict=True)
    ]
    first = seen[0]
    if all(held):
        return observed(
            True,
            "Another interpreter's `os.chdir` moved this one's working directory, "
            "and it wrote to this one's pipe by descriptor number; setting a signal "
            f"handler there raised {as_message(first['signal_error'])}.",
            float(sum(held)),
        )
    other = seen[held.index(False)]
    return observed(
        False,
        "Interpreters did NOT behave as one process: working directory shared "
        f"{other['cwd_shared']}, descriptor shared {other['fd_shared']}, signal "
        f"handler there: {as_message(other['signal_error']) or 'allowed'}.",
        float(sum(held)),
    )


@claim("subinterpreters")
def interpreters_share_memoryview(evidence: Evidence) -> Claim:
    """A memoryview handed to another interpreter shares its bytes: a byte written
    there is read here (documented for 3.14's concurrent.interpreters)."""
    statement = "A memoryview handed to another interpreter shares its bytes."
    if none := _unavailable(evidence, statement):
        return none
    seen = evidence.values(lambda r: r["shared_buffer"])
    # The other interpreter writes 42 through the view.
    held = [b["passed"] and b["seen_here"] == 42 for b in seen]
    if all(held):
        return observed(
            True,
            "Another interpreter wrote 42 through a `memoryview` handed to it with "
            "`prepare_main`, and this one read 42 from its own buffer: the bytes "
            "are shared.",
            float(sum(held)),
        )
    other = seen[held.index(False)]
    what = (
        f"it was refused: `{other['error']}`"
        if not other["passed"]
        else f"this one read {other['seen_here']}, not 42"
    )
    return observed(
        False,
        "A `memoryview` handed to another interpreter did NOT share its bytes: "
        f"{what}.",
        float(sum(held)),
    )
