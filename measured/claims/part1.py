"""Claims of guide part 1: threads, the GIL, processes and where the time goes.

Registered on import (``measured.claims`` imports this module at its end), one
function per conclusion a page states. Margins are for a noisy, shared 2-core
machine; speedup claims need at least 2 usable cores, and say so when there is one.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

from measured.claims import margins
from measured.claims.registry import (
    CHECKED,
    SHAPE,
    Claim,
    Evidence,
    Figure,
    Verdicts,
    claim,
    judged,
    not_shown,
    observed,
    parallel,
    ran_in_parallel,
    runs_in_parallel,
    speedup,
    takes_turns,
    took_turns,
)
from measured.run import spans, stats
from measured.run.shapes.common import RoundsRecord
from measured.run.shapes.part1 import (
    CpuBound,
    GilBlocking,
    GilRelease,
    IoBound,
    PayloadSize,
    Pickling,
    PoolSizing,
    ProcessesBasics,
    StartupCost,
    TaskSize,
    TaskSizeRow,
    ThreadsBasics,
    Timelines,
)

T = TypeVar("T")

IO_MIN_SPEEDUP = 5.0  # overlapped waits vs one after another (see io_bound)
TINY_MAX_SPEEDUP = 0.5  # processes with chunksize=1 on tiny tasks
CHUNK_MIN_GAIN = 5.0  # chunked vs chunksize=1 on tiny tasks


def _n(count: int, noun: str) -> str:
    """A count and its noun in the right number: "1 core", "2 cores",
    "1 worker process", "4 worker processes"."""
    if count == 1:
        return f"{count:,} {noun}"
    return f"{count:,} {noun}{'es' if noun.endswith('s') else 's'}"


def _results(evidence: Evidence, shape: type[T]) -> list[T]:
    """Every run's result, in run order, read as the experiment's declared shape."""
    return [run.result_as(shape) for run in evidence.single_runs()]


def _first_failing(
    evidence: Evidence, shape: type[T], ok: Callable[[T], bool]
) -> tuple[bool, T]:
    """Whether ``ok`` held in every run, and the run to quote: the first that failed,
    else the first run."""
    for result in _results(evidence, shape):
        if not ok(result):
            return False, result
    return True, evidence.result_as(shape)


# --- cpu_bound ------------------------------------------------------------------


def cpu_bound_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every pool configuration: pooled median time and speedup, with intervals."""
    result = evidence.result_as(CpuBound)
    rows = [{"kind": "serial", "workers": 1, "time": evidence.timing("cpu", "serial")}]
    for kind in ("threads", "processes"):
        for workers in result["workers"]:
            key = f"{kind} {workers}"
            rows.append(
                {
                    "kind": kind,
                    "workers": workers,
                    "time": evidence.timing("cpu", key),
                    "speedup": evidence.ratio("cpu", "serial", key),
                }
            )
    return rows


def _cpu_text(kind: str, noun: str) -> Callable[[Evidence], str]:
    def text(evidence: Evidence) -> str:
        workers, cores = (
            evidence.result_as(CpuBound)["headline_workers"],
            evidence.cores,
        )
        gain = evidence.ratio("cpu", "serial", f"{kind} {workers}").estimate
        return (
            f"**{gain:.2f}×** with {_n(workers, noun)} on {_n(cores, 'core')} "
            f"(ideal {min(workers, cores)}.00×)"
        )

    return text


def _headline_speedup(
    evidence: Evidence,
    rule: Callable[..., Claim],
    kind: str,
    noun: str,
    verdicts: Verdicts,
) -> Claim:
    """``rule`` (runs_in_parallel or takes_turns) on the headline pool of ``kind``
    against the serial loop."""
    workers = evidence.result_as(CpuBound)["headline_workers"]
    return rule(
        evidence,
        "cpu",
        "serial",
        f"{kind} {workers}",
        workers=workers,
        label=f"{kind} vs serial",
        text=_cpu_text(kind, noun),
        **verdicts,
    )


@claim("cpu_bound")
def processes_scale(evidence: Evidence) -> Claim:
    """Processes run pure-Python CPU work in parallel on a multi-core machine."""
    return _headline_speedup(
        evidence,
        runs_in_parallel,
        "processes",
        "worker process",
        ran_in_parallel("Processes"),
    )


@claim("cpu_bound")
def threads_do_not_scale_with_gil(evidence: Evidence) -> Claim:
    """On a GIL build, threads give no speedup for pure-Python CPU work.

    The margin allows up to GIL_THREADS_MAX_SPEEDUP, so the statement says that
    much: not "no speedup", but "at most this, short of what parallel needs".
    """
    return _headline_speedup(
        evidence, takes_turns, "threads", "thread", took_turns("Threads")
    )


@claim("cpu_bound")
def more_processes_than_cores_gain_nothing(evidence: Evidence) -> Claim:
    """For CPU-bound work, workers beyond the core count only queue for cores."""
    cores = evidence.cores
    at_cores, at_double = f"processes {cores}", f"processes {2 * cores}"
    gain = speedup(
        evidence,
        "cpu",
        at_cores,
        at_double,
        label=f"{2 * cores} vs {cores} processes",
        workers=2,  # doubling the workers can at most double the speed
    )
    text = (
        f"{2 * cores} worker processes against {cores}: "
        f"**{gain.interval.estimate:.2f}×** the speed"
    )
    # A busy core makes extra workers win a bigger share of the machine.
    kept = parallel(evidence, cores, f"{text}.", one_core_ok=True)
    if isinstance(kept, Claim):
        return kept
    figure = speedup(
        kept,
        "cpu",
        at_cores,
        at_double,
        label=f"{2 * cores} vs {cores} processes",
        workers=2,
        margin=margins.OVERSUBSCRIBED_MAX_GAIN,
        rule="at most",
    )
    # The margin allows a gain up to OVERSUBSCRIBED_MAX_GAIN: say that much.
    most = margins.OVERSUBSCRIBED_MAX_GAIN
    return judged(
        f"{text}. Twice as many processes as cores gained at most {most:g}× (the "
        "whole interval): the extra processes queued for the same cores.",
        [figure],
        missed=f"{text}. Twice as many processes as cores DID gain, more than "
        f"{most:g}× (the whole interval).",
    )


# --- threads_basics -------------------------------------------------------------


def _one_process(result: ThreadsBasics) -> bool:
    return len(result["pids"]) == 1 and result["native_ids"] == result["threads"]


@claim("threads_basics")
def threads_share_one_process(evidence: Evidence) -> Claim:
    """Threads of one process share its PID; each has its own native thread ID."""
    holds, r = _first_failing(evidence, ThreadsBasics, _one_process)
    n, pids, native = r["threads"], len(r["pids"]), r["native_ids"]
    seen = (
        f"**{n} threads** reported **{pids} process ID{'s' if pids != 1 else ''}** "
        f"and **{native}** different native thread IDs"
    )
    return observed(
        holds,
        f"{seen}: one process, several threads."
        if holds
        else f"{seen}: NOT one process with a thread ID per thread.",
        float(native),
    )


def _all_appends_landed(result: ThreadsBasics) -> bool:
    each = result["appends_per_thread"]
    found = result["found_per_thread"]
    return (
        len(found) == result["appending_threads"]
        and all(n == each for n in found)
        and result["shared_list_length"] == result["appends_expected"]
    )


@claim("threads_basics")
def threads_share_objects(evidence: Evidence) -> Claim:
    """Appends from every thread land in the one list object they share.

    About sharing only: these threads need not have run at the same moment (a
    short loop may finish within one switch interval), so this says nothing about
    appends racing; race_threads' list_append_loses_nothing does.
    """
    holds, r = _first_failing(evidence, ThreadsBasics, _all_appends_landed)
    got, found = r["shared_list_length"], r["found_per_thread"]
    threads = _n(r["appending_threads"], "thread")
    each = f"{r['appends_per_thread']:,}"
    seen = f"the list the main thread created ended with **{got:,}** items"
    if holds:
        seen += f": all {each} appended by each of the {threads}"
    else:
        counts = ", ".join(f"{n:,}" for n in found)
        seen += f", holding {counts} of the {each} each of the {threads} appended"
    return observed(
        holds,
        f"Every thread appended to the same list: {seen}. Threads share memory; "
        "nothing is copied."
        if holds
        else f"The threads' appends did NOT all reach the main thread's list: {seen}.",
        float(got),
    )


def _join_behaves(result: ThreadsBasics) -> bool:
    api = result["api"]
    after = api["after_fast_join"]
    return (
        not after["fast_alive"]
        and after["slow_alive"]
        and api["alive_after_join_timeout"]
        and not api["alive_after_release"]
    )


@claim("threads_basics")
def join_waits_for_that_thread(evidence: Evidence) -> Claim:
    """join() waits for its own thread only; join(timeout) may return early."""
    holds, r = _first_failing(evidence, ThreadsBasics, _join_behaves)
    api = r["api"]
    ms = api["join_timeout_seconds"] * 1000
    timeout = api["join_timeout"]
    if holds:
        text = (
            "`fast.join()` returned while the other thread was still running: "
            f"`join()` waits for *that* thread. `join(timeout={timeout})` came back "
            f"after **{ms:.0f} ms** with the thread still alive: check `is_alive()` "
            "after a timed join."
        )
    else:
        after = api["after_fast_join"]
        text = (
            "`join()` did NOT behave as documented here: after `fast.join()`, fast "
            f"alive={after['fast_alive']}, slow alive={after['slow_alive']}; after "
            f"`join(timeout={timeout})` (**{ms:.0f} ms**) alive="
            f"{api['alive_after_join_timeout']}; after release alive="
            f"{api['alive_after_release']}."
        )
    return observed(holds, text, ms)


# The names a reader needs beyond start() and join(), all documented attributes.
THREAD_API_NEEDED = ("start", "join", "run", "is_alive", "daemon", "name", "ident")


@claim("threads_basics", kind=CHECKED)
def thread_api_is_more_than_start_and_join(evidence: Evidence) -> Claim:
    """What the standard library says about itself: dir(threading.Thread)."""
    needed = {*THREAD_API_NEEDED, "native_id"}
    holds, r = _first_failing(
        evidence, ThreadsBasics, lambda r: needed <= set(r["api"]["public_api"])
    )
    api = r["api"]["public_api"]
    listed = ", ".join(f"`{n}`" for n in api)
    if holds:
        text = (
            f"`threading.Thread` has **{len(api)}** public methods and attributes, "
            f"not two: {listed}."
        )
    else:
        missing = ", ".join(f"`{n}`" for n in sorted(needed - set(api)))
        text = (
            f"`threading.Thread` has **{len(api)}** public names and lacks {missing}: "
            f"{listed}."
        )
    return observed(holds, text, float(len(api)))


def _locals(result: ThreadsBasics) -> tuple[int, int, str]:
    seen, main = result["local"]["seen"], result["local"]["main_after"]
    names = [k for k in seen if not k.endswith(" before")]
    own = sum(seen[n] == n and seen[f"{n} before"] is None for n in names)
    return own, len(names), main


@claim("threads_basics")
def thread_local_is_per_thread(evidence: Evidence) -> Claim:
    def ok(result: ThreadsBasics) -> bool:
        own, names, main = _locals(result)
        return own == names and main == "main"

    holds, r = _first_failing(evidence, ThreadsBasics, ok)
    own, names, main = _locals(r)
    seen = (
        f"With `threading.local()`, **{own} of {names}** threads saw only the value "
        f"they set, and the main thread saw `{main!r}` afterwards"
    )
    return observed(
        holds,
        f"{seen}." if holds else f"{seen}: the values were NOT kept per thread.",
        float(own),
    )


def _daemon_ok(result: ThreadsBasics) -> bool:
    child = result["daemon_child"]
    return (
        child["exited"]
        and child["returncode"] == 0
        and child["seconds"] < result["daemon_sleep"]
    )


@claim("threads_basics")
def daemon_threads_do_not_block_exit(evidence: Evidence) -> Claim:
    """The child ends long before its daemon thread's sleep would."""
    holds, r = _first_failing(evidence, ThreadsBasics, _daemon_ok)
    child, sleep = r["daemon_child"], r["daemon_sleep"]
    if holds:
        text = (
            f"A process whose only other thread is a daemon sleeping {sleep} s exited "
            f"after **{child['seconds']:.2f} s**: daemon threads do not keep a program "
            "alive."
        )
    else:
        ended = "exited" if child["exited"] else "was still running"
        text = (
            f"A process whose only other thread is a daemon sleeping {sleep} s "
            f"{ended} after **{child['seconds']:.2f} s** (exit code "
            f"{child['returncode']}): the daemon thread DID hold it up."
        )
    return observed(holds, text, child["seconds"])


# --- gil_release ----------------------------------------------------------------

NUMPY_MISSING = "NumPy is not installed in this environment"


def _kind(kind: str) -> Callable[[GilRelease], RoundsRecord]:
    return lambda result: result["kinds"][kind]


def gil_release_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Each kind of C work: pooled serial and pool times and the speedup, with
    intervals, for the headline pool (one thread per usable core)."""
    result = evidence.result_as(GilRelease)
    workers = result["headline_workers"]
    pool = f"threads {workers}"
    return [
        {
            "kind": kind,
            "workers": workers,
            "serial": evidence.timing(_kind(kind), "serial"),
            "threads": evidence.timing(_kind(kind), pool),
            "speedup": evidence.ratio(_kind(kind), "serial", pool),
        }
        for kind in result["kinds"]
    ]


def _release_speedup(
    evidence: Evidence, kind: str, margin: float | None = None
) -> Figure:
    workers = evidence.result_as(GilRelease)["headline_workers"]
    return speedup(
        evidence,
        _kind(kind),
        "serial",
        f"threads {workers}",
        label=f"{workers} threads vs serial",
        workers=workers,
        margin=margin,
    )


def _threads_scale(evidence: Evidence, kind: str, what: str) -> Claim:
    """C code that releases the GIL runs in parallel threads: a parallel claim."""
    result = evidence.result_as(GilRelease)
    if kind not in result["kinds"]:
        return not_shown(f"{what} was not measured.", NUMPY_MISSING, SHAPE)
    workers, cores = result["headline_workers"], evidence.cores

    def text(ev: Evidence) -> str:
        gain = _release_speedup(ev, kind).interval.estimate
        return (
            f"**{gain:.2f}×** with {_n(workers, 'thread')} on {_n(cores, 'core')} "
            f"(ideal {min(workers, cores)}.00×)"
        )

    kept = parallel(
        evidence,
        min(workers, cores),
        f"{what} in threads reached {text(evidence)}.",
        _release_speedup(evidence, kind).interval.estimate,
    )
    if isinstance(kept, Claim):
        return kept
    margin = margins.parallel_min_speedup(workers, cores)
    return judged(
        f"{what} ran in parallel in threads: {text(kept)}.",
        [_release_speedup(kept, kind, margin)],
        missed=f"{what} did NOT speed up in threads: {text(kept)}.",
    )


@claim("gil_release")
def hashlib_threads_scale(evidence: Evidence) -> Claim:
    """hashlib releases the GIL for data over 2047 bytes."""
    return _threads_scale(evidence, "hashlib", "`hashlib.sha256` on large buffers")


@claim("gil_release")
def zlib_threads_scale(evidence: Evidence) -> Claim:
    return _threads_scale(evidence, "zlib", "`zlib.compress`")


@claim("gil_release")
def numpy_threads_scale(evidence: Evidence) -> Claim:
    return _threads_scale(evidence, "numpy", "`numpy.sort`")


# --- gil_blocking ---------------------------------------------------------------

# The ticker thread's pace while the main thread is in a call, as a percentage of
# its pace while the main thread waits on a lock in the same round. Ideal values:
# 100 % when the call releases the GIL and the ticker has a core to itself, about
# 50 % when the two threads take turns holding the GIL (and near 0 % for a wait
# that kept it). Measured here on 2 free cores: 99-101 % for sleep, socket recv and
# file reads, 49-50 % for pure Python. 75 % sits halfway between taking turns and
# running freely, for both directions of the claim.
BLOCKED_MIN_PACE = 75.0
PYTHON_MAX_PACE = 75.0
WAITS = ("time.sleep", "socket recv")
NO_GIL = "this interpreter runs without the GIL, so there is no lock to hand over"


def _paces(evidence: Evidence, name: str) -> list[float]:
    """The ticker's ticks per second during each timed call ``name``, every run."""
    out = []
    for result in _results(evidence, GilBlocking):
        seconds, ticks = result["rounds"]["samples"][name], result["ticks"][name]
        out += [t / s for t, s in zip(ticks, seconds, strict=True)]
    return out


def pace_share(evidence: Evidence, name: str) -> stats.Interval:
    """The ticker's pace during ``name`` in % of its pace in the same round's lock
    wait: the median of the per-round ratios, with its interval."""
    base = _paces(evidence, evidence.result_as(GilBlocking)["baseline"])
    ratios = stats.paired_ratios(_paces(evidence, name), base)
    return stats.median_interval(100 * r for r in ratios)


def gil_blocking_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Each call: the ticker's pooled pace (ticks/s) and its share of the baseline."""
    return [
        {
            "call": name,
            "pace": stats.median_interval(_paces(evidence, name)),
            "share": pace_share(evidence, name),
        }
        for name in evidence.result_as(GilBlocking)["calls"]
    ]


def _pace(evidence: Evidence, name: str, margin: float | None, rule: str) -> Figure:
    return Figure(
        f"ticker pace in {name}",
        pace_share(evidence, name),
        margin,
        rule if margin is not None else "",
        "%",
    )


@claim("gil_blocking")
def blocking_waits_release_the_gil(evidence: Evidence) -> Claim:
    """While one thread sleeps or waits on a socket, another runs Python.

    Not a parallel claim: the waiting main thread uses no CPU, so the ticker runs
    alone during the wait exactly as during the lock wait it is compared with, on
    one core or on a busy machine alike. Had the wait kept the GIL, the ticker
    would have stopped (near 0 %), whatever the cores.
    """
    figures = [_pace(evidence, name, BLOCKED_MIN_PACE, "at least") for name in WAITS]
    shares = " and ".join(
        f"**{f.interval.estimate:.0f} %** in {name}"
        for name, f in zip(WAITS, figures, strict=True)
    )
    worst = min(f.interval.estimate for f in figures)
    if not evidence.env["gil_enabled"]:
        return not_shown(
            f"While the main thread waited, another thread kept {shares} of its pace.",
            NO_GIL,
            SHAPE,
            worst,
        )
    against = "against its pace while the main thread waits on a lock"
    return judged(
        f"While the main thread waited, another thread kept running at its own pace "
        f"({shares}, {against}): the GIL is released during the wait.",
        figures,
        figure=worst,
        missed=f"While the main thread waited, another thread was held up ({shares}, "
        f"{against}): the GIL was NOT released during the wait.",
    )


@claim("gil_blocking")
def file_reads_release_the_gil(evidence: Evidence) -> Claim:
    """Reading a file releases the GIL.

    A parallel claim: copying from the page cache is CPU work in the kernel, so
    the ticker keeps its pace only with a free core of its own. On one core (or
    with the other core busy) the two share a core and the ticker gets about half,
    exactly what taking turns on a held GIL would give.
    """

    def text(ev: Evidence) -> str:
        share = _pace(ev, "file read", None, "").interval.estimate
        return (
            f"While the main thread read a file, another thread kept **{share:.0f} "
            "%** of its pace"
        )

    share = _pace(evidence, "file read", None, "").interval.estimate
    kept = parallel(evidence, 2, f"{text(evidence)}.", share)
    if isinstance(kept, Claim):
        return kept
    return judged(
        f"{text(kept)}: the read ran without the GIL.",
        [_pace(kept, "file read", BLOCKED_MIN_PACE, "at least")],
        missed=f"{text(kept)}: it was held up, as if the read kept the GIL.",
    )


@claim("gil_blocking")
def python_code_holds_the_gil(evidence: Evidence) -> Claim:
    """Pure Python in the main thread holds the GIL: the ticker gets turns only.

    A parallel claim: on one core (or with the other core busy) the OS splits the
    time between the two threads with or without a GIL, so only two free cores
    can tell a held lock from a shared core.
    """
    share = _pace(evidence, "pure Python", None, "").interval.estimate
    text = f"**{share:.0f} %** of its pace"
    if not evidence.env["gil_enabled"]:
        return not_shown(
            f"While the main thread ran Python, the other thread kept {text}.",
            "this interpreter runs without the GIL, so both threads run at once",
            SHAPE,
            share,
        )
    kept = parallel(
        evidence,
        2,
        f"While the main thread ran pure Python, the other thread kept {text}.",
        share,
    )
    if isinstance(kept, Claim):
        return kept
    share = _pace(kept, "pure Python", None, "").interval.estimate
    text = f"**{share:.0f} %** of its pace"
    return judged(
        f"While the main thread ran pure Python, the other thread kept {text}: the "
        "two took turns holding the GIL.",
        [_pace(kept, "pure Python", PYTHON_MAX_PACE, "at most")],
        missed=f"While the main thread ran pure Python, the other thread kept {text}: "
        "the two did NOT take turns, both ran at once.",
    )


# --- processes_basics and pickling ----------------------------------------------


def _memory_separate(result: ProcessesBasics) -> bool:
    mem = result["memory"]
    leaked = [x for x in mem["parent_list"] if x not in ("parent", "items")]
    changed = "added by the child" in mem["child_list"]
    return changed and not leaked and mem["child_pid"] != mem["parent_pid"]


@claim("processes_basics")
def child_memory_is_separate(evidence: Evidence) -> Claim:
    holds, r = _first_failing(evidence, ProcessesBasics, _memory_separate)
    mem = r["memory"]
    leaked = [x for x in mem["parent_list"] if x not in ("parent", "items")]
    seen = (
        f"The child (PID {mem['child_pid']}) appended to its list; the parent (PID "
        f"{mem['parent_pid']}) saw **{len(mem['parent_list'])} items**"
    )
    return observed(
        holds,
        f"{seen}. Each process has its own memory."
        if holds
        else f"{seen}: the child's change DID reach the parent's memory.",
        float(len(leaked)),
    )


def _exit_codes_ok(result: ProcessesBasics) -> bool:
    life = result["lifecycle"]
    return (
        life["quick"]["exitcode"] == 0
        and life["sys_exit_3"] == 3
        and life["terminate"] == -result["sigterm"]
        and life["survived_terminate"]
        and life["kill"] == -result["sigkill"]
    )


@claim("processes_basics")
def exit_codes_report_how_a_child_ended(evidence: Evidence) -> Claim:
    holds, r = _first_failing(evidence, ProcessesBasics, _exit_codes_ok)
    life = r["lifecycle"]
    seen = (
        f"`exitcode` was **{life['quick']['exitcode']}** after a normal return, "
        f"**{life['sys_exit_3']}** after `sys.exit(3)`, **{life['terminate']}** "
        f"after `terminate()` and **{life['kill']}** after `kill()`"
    )
    if holds:
        text = f"{seen}, which also ended a child that ignored SIGTERM."
    else:
        text = (
            f"{seen} (SIGTERM is {r['sigterm']}, SIGKILL {r['sigkill']}; a child "
            f"ignoring SIGTERM survived it: {life['survived_terminate']}): the exit "
            "codes did NOT report how each child ended."
        )
    return observed(holds, text, float(life["terminate"]))


def _pooled_starts(
    evidence: Evidence, case: str, ok: bool
) -> tuple[list[str], list[str]]:
    """Start methods (over every run) where ``case`` had outcome ``ok``, and all."""
    matching, every = set(), set()
    for result in _results(evidence, Pickling):
        for method, row in result["lambdas"].items():
            every.add(method)
            if row[case]["ok"] is ok:
                matching.add(method)
    return sorted(matching), sorted(every)


@claim("pickling")
def lambdas_cannot_be_sent_to_a_pool(evidence: Evidence) -> Claim:
    def failed_everywhere(result: Pickling) -> bool:
        return not any(r["executor"]["ok"] for r in result["lambdas"].values())

    holds, r = _first_failing(evidence, Pickling, failed_everywhere)
    rows = r["lambdas"]
    failed = [m for m, row in rows.items() if not row["executor"]["ok"]]
    kinds = sorted({rows[m]["executor"]["type"] for m in failed})
    seen = (
        f"A lambda sent to `ProcessPoolExecutor` failed under **{len(failed)} of "
        f"{len(rows)}** start methods"
    )
    if holds:
        text = f"{seen} ({', '.join(kinds)})."
    else:
        worked = ", ".join(f"`{m}`" for m in rows if m not in failed)
        text = f"{seen}: it WAS sent under {worked}."
    return observed(holds, text, float(len(failed)))


@claim("pickling")
def top_level_functions_can(evidence: Evidence) -> Claim:
    def worked_everywhere(result: Pickling) -> bool:
        return all(r["fixed"]["ok"] for r in result["lambdas"].values())

    holds, r = _first_failing(evidence, Pickling, worked_everywhere)
    rows = r["lambdas"]
    ok = [m for m, row in rows.items() if row["fixed"]["ok"]]
    seen = (
        "The same function defined with `def` at the top of the module worked under "
        f"**{len(ok)} of {len(rows)}** start methods"
    )
    if holds:
        return observed(True, f"{seen}.", float(len(ok)))
    failed = ", ".join(f"`{m}`" for m in rows if m not in ok)
    return observed(False, f"{seen}: it did NOT work under {failed}.", float(len(ok)))


@claim("pickling")
def process_lambda_only_under_fork(evidence: Evidence) -> Claim:
    started, every = _pooled_starts(evidence, "process", True)
    expected = ["fork"] if "fork" in every else []
    holds = started == expected
    where = ", ".join(started) or "no start method"
    if holds:
        text = (
            f"`Process(target=lambda: ...)` started only under **{where}**: fork "
            "copies the parent, the others pickle the target."
        )
    else:
        text = (
            f"`Process(target=lambda: ...)` started under **{where}**: NOT only "
            "under fork, the one start method that does not pickle the target."
        )
    return observed(holds, text, float(len(started)))


def _repl_ok(result: Pickling) -> bool:
    error = result["repl"]["error"] or {}
    return (
        error.get("type") == "AttributeError"
        and "Can't get attribute" in error.get("message", "")
        and "BrokenProcessPool" in result["repl"]["stdout"]
        and result["repl_fix"]["stdout"] == "result 49"
    )


@claim("pickling")
def repl_functions_fail_under_spawn(evidence: Evidence) -> Claim:
    holds, r = _first_failing(evidence, Pickling, _repl_ok)
    error, fix = r["repl"]["error"] or {}, r["repl_fix"]["stdout"]
    if holds:
        text = (
            "A function typed into the REPL broke a spawn pool (the worker raised "
            f"`{error.get('type')}`); imported from a module file, it returned "
            f"`{fix.removeprefix('result ')}`."
        )
    else:
        text = (
            "A function typed into the REPL did NOT fail as described under spawn: "
            f"the worker raised `{error.get('type')}`, the caller printed "
            f"`{r['repl']['stdout']}`, and the module-file fix printed `{fix}`."
        )
    return observed(holds, text, 1.0 if holds else 0.0)


def _guard_ok(result: Pickling) -> bool:
    error = result["no_guard"]["error"] or {}
    guarded = result["with_guard"]
    return (
        error.get("type") == "RuntimeError"
        and "bootstrapping phase" in error.get("message", "")
        and guarded["returncode"] == 0
        and "hello from the child" in guarded["stdout"]
    )


@claim("pickling")
def spawn_needs_the_main_guard(evidence: Evidence) -> Claim:
    holds, r = _first_failing(evidence, Pickling, _guard_ok)
    error = r["no_guard"]["error"] or {}
    if holds:
        text = (
            'Without `if __name__ == "__main__":` a spawn child raised '
            f'`{error.get("type")}` ("bootstrapping phase"); with the guard it ran.'
        )
    else:
        text = (
            'Without `if __name__ == "__main__":` a spawn child raised '
            f"`{error.get('type')}`, and with the guard it exited "
            f"{r['with_guard']['returncode']}: the guard did NOT make the difference."
        )
    return observed(holds, text, 1.0 if holds else 0.0)


# --- startup_cost ---------------------------------------------------------------

# The forkserver start method has always asked to preload `__main__` into the
# server, but until CPython fixed it (GH-135295: 3.13.8, 3.14.1, and 3.15) that
# preload did nothing: every forkserver child re-ran the main script, as a spawn
# child does. From those versions the server imports the main module once and
# every child is forked from it. Pages word their sentences from this.
FORKSERVER_PRELOAD_FIXED = {(3, 13): 8, (3, 14): 1}


def forkserver_preloads_main(python: str) -> bool:
    """Whether the forkserver of Python ``python`` ("3.11.7") imports the main
    module once in the server, instead of in every child."""
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", python)
    if match is None:
        raise ValueError(f"not a Python version: {python!r}")
    major, minor, micro = map(int, match.groups())
    if (major, minor) in FORKSERVER_PRELOAD_FIXED:
        return micro >= FORKSERVER_PRELOAD_FIXED[(major, minor)]
    return (major, minor) > max(FORKSERVER_PRELOAD_FIXED)


def main_reimport_sentence(python: str) -> str:
    """Which children import the main script again, worded for Python ``python``
    and stated for the other versions (see ``FORKSERVER_PRELOAD_FIXED``)."""
    rule = (
        "as documented, before Python 3.13.8 and 3.14.1 every forkserver child "
        "imports it; from those releases, for a script run from a file with the "
        "default preload list, the fork server imports it once when it starts and "
        "each child is a fork of the server, but under `python -m` every child "
        "still runs the module"
    )
    if forkserver_preloads_main(python):
        here = (
            f"Python {python}, the interpreter measured here, is a release where "
            "the fork server imports it once instead of each forkserver child"
        )
    else:
        here = (
            f"on Python {python}, the interpreter measured here, a forkserver child "
            "imports it too"
        )
    return (
        "Under spawn, the child imports your main script to find the target "
        "function, so whatever the script does at import time, the child does "
        f'again; {here} ({rule}). Either way the `if __name__ == "__main__":` '
        "guard is still needed: top-level code that starts a process fails in the "
        "child, or in the fork server."
    )


def _per_start(evidence: Evidence, name: str) -> list[float]:
    """Seconds per start of ``name`` in each round of every run (batch / its size)."""
    return [
        seconds / result["batch"][name]
        for result in _results(evidence, StartupCost)
        for seconds in result["starts"]["samples"][name]
    ]


def start_ratio(evidence: Evidence, name: str, baseline: str) -> stats.Interval:
    """How many times longer one start of ``name`` took than one of ``baseline``:
    the median of the per-round ratios, with its interval."""
    return stats.median_interval(
        stats.paired_ratios(_per_start(evidence, name), _per_start(evidence, baseline))
    )


def startup_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every worker kind: pooled seconds per start and the ratio to its baseline (a
    thread for process starts, a thread pool for a process pool), with intervals."""
    result = evidence.result_as(StartupCost)
    rows = []
    for name in ("thread", *result["methods"], "thread pool", "process pool"):
        baseline = {"thread": None, "thread pool": None, "process pool": "thread pool"}
        against = baseline.get(name, "thread")
        rows.append(
            {
                "name": name,
                "batch": result["batch"][name],
                "default": name == result["default_method"],
                "per_start": stats.median_interval(_per_start(evidence, name)),
                "baseline": against,
                "ratio": None
                if against is None
                else start_ratio(evidence, name, against),
            }
        )
    return rows


def _start_figure(
    evidence: Evidence, name: str, baseline: str, margin: float
) -> Figure:
    return Figure(
        f"{name} vs {baseline}",
        start_ratio(evidence, name, baseline),
        margin,
        "at least",
        "×",
    )


def _ms(evidence: Evidence, name: str) -> float:
    return stats.median_interval(_per_start(evidence, name)).estimate * 1000


@claim("startup_cost")
def threads_start_much_faster_than_processes(evidence: Evidence) -> Claim:
    """Every start method against a thread start, paired per round."""
    methods = evidence.result_as(StartupCost)["methods"]
    figures = [
        _start_figure(evidence, m, "thread", margins.PROCESS_OVER_THREAD_START_MIN)
        for m in methods
    ]
    nearest = min(figures, key=lambda f: f.interval.estimate)
    fastest = methods[figures.index(nearest)]
    ratio = nearest.interval.estimate
    thread_ms, process_ms = _ms(evidence, "thread"), _ms(evidence, fastest)
    seen = (
        f"Starting and joining a thread took **{thread_ms:.3f} ms**; a process took "
        f"**{process_ms:.2f} ms** with `{fastest}`, the fastest start method here"
    )
    return judged(
        f"{seen}: **{ratio:.0f}×** as long.",
        figures,
        figure=ratio,
        missed=f"{seen}: only **{ratio:.1f}×** as long, NOT much slower than a thread.",
    )


@claim("startup_cost")
def spawn_start_costs_more_than_fork(evidence: Evidence) -> Claim:
    methods = evidence.result_as(StartupCost)["methods"]
    if not {"fork", "spawn"} <= set(methods):
        return not_shown(
            "spawn and fork could not both be measured.",
            "this platform does not offer both start methods",
            SHAPE,
        )
    figure = _start_figure(evidence, "spawn", "fork", margins.SPAWN_OVER_FORK_START_MIN)
    ratio = figure.interval.estimate
    what = (
        "`spawn` (a fresh interpreter that imports your module) took "
        f"**{ratio:.1f}×** as long as `fork` (a copy of the running process)"
    )
    return judged(
        f"{what}.",
        [figure],
        missed=f"{what}: NOT clearly more.",
    )


def _pool_workers(evidence: Evidence) -> tuple[bool, dict[str, int], dict[str, int]]:
    """Whether every one-shot pool started all its workers, in every run: the
    workers counted themselves as they started, against the workers asked for."""
    asked: dict[str, int] = {}
    started: dict[str, int] = {}
    for result in _results(evidence, StartupCost):
        for name, n in result["pool_workers_asked"].items():
            asked[name] = asked.get(name, 0) + n
            started[name] = started.get(name, 0) + result["pool_workers_started"][name]
    return asked == started, asked, started


@claim("startup_cost")
def one_shot_process_pool_costs_more(evidence: Evidence) -> Claim:
    """Create a pool, start every worker, one empty task each, shut it down:
    processes vs threads.

    A thread pool (and a process pool under spawn or forkserver) starts workers
    only when no idle one can take a task; under fork a process pool starts all of
    them at the first submit() (gh-90622). So the snippet makes every worker wait
    at a barrier until all have started, and counts them. The statement io_bound's
    process_pools_cost_more_to_start makes too, so both are held against one
    margin: margins.PROCESS_POOL_OVER_THREAD_POOL_START_MIN.
    """
    workers = _n(evidence.result_as(StartupCost)["cores"], "worker")
    figure = _start_figure(
        evidence,
        "process pool",
        "thread pool",
        margins.PROCESS_POOL_OVER_THREAD_POOL_START_MIN,
    )
    ratio = figure.interval.estimate
    all_started, asked, started = _pool_workers(evidence)
    seen = (
        f"Creating a pool of {workers}, starting every one, running one empty task "
        f"each and shutting it down took **{_ms(evidence, 'thread pool'):.2f} ms** "
        f"with threads and **{_ms(evidence, 'process pool'):.1f} ms** with processes"
    )
    if not all_started:
        counts = "; ".join(
            f"{name}s: {started[name]:,} of {asked[name]:,}" for name in asked
        )
        return observed(
            False,
            f"{seen}, but NOT every worker started, so this did NOT compare whole "
            f"pools (workers started: {counts}).",
            ratio,
        )
    return judged(
        f"{seen} ({ratio:.0f}×).",
        [figure],
        missed=f"{seen}: only {ratio:.1f}×, NOT much more for processes.",
    )


# --- io_bound -------------------------------------------------------------------
# IO_MIN_SPEEDUP (top of this module): N waits overlapped in a pool of N threads (or
# processes) against the same N waits one after another. The ideal is N (the
# headline count, 25 here); measured about 22x for sleeps in threads, 17x in
# processes and 14-16x for HTTP requests to a local server in threads. 5x is far
# below all three, and no run that waited one wait at a time could reach it.
# Starting a pool uses margins.PROCESS_POOL_OVER_THREAD_POOL_START_MIN.


def _io_reader(work: str, n: int) -> Callable[[IoBound], RoundsRecord]:
    """The rounds of ``n`` tasks at once of ``work`` ("sleep" or "http")."""
    return lambda result: result[work][str(n)]  # type: ignore[literal-required]


IO_WORKS = {"sleep": "time.sleep", "http": "HTTP requests"}


def io_bound_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every (work, N): pooled median times and speedups over the loop.

    A kind a work was not timed in (processes on HTTP) is missing from its rows.
    """
    result = evidence.result_as(IoBound)
    rows = []
    for work in IO_WORKS:
        kinds = result["kinds"][work]
        for n in result["counts"]:
            read = _io_reader(work, n)
            row: dict[str, Any] = {"work": work, "n": n, "kinds": kinds}
            for kind in kinds:
                row[kind] = evidence.timing(read, kind)
            for kind in kinds[1:]:
                row[f"{kind}_speedup"] = evidence.ratio(read, "serial", kind)
            rows.append(row)
    return rows


def _per_pool(evidence: Evidence, kind: str) -> list[float]:
    """Seconds per pool of ``kind`` in each round of every run: each round timed a
    batch of pools one after another (its size is in the result)."""
    return [
        seconds / result["pool_start_batch"][kind]
        for result in _results(evidence, IoBound)
        for seconds in result["pool_start"]["samples"][kind]
    ]


def io_pool_start(evidence: Evidence) -> dict[str, Any]:
    """Creating, starting and stopping a pool of the headline size, pooled: per
    pool, and processes against threads as the median of the per-round ratios."""
    threads = _per_pool(evidence, "threads")
    processes = _per_pool(evidence, "processes")
    return {
        "workers": evidence.result_as(IoBound)["headline"],
        "threads": stats.median_interval(threads),
        "processes": stats.median_interval(processes),
        "ratio": stats.median_interval(stats.paired_ratios(processes, threads)),
    }


def _pool_overlaps(
    evidence: Evidence, work: str, what: str, kind: str = "threads"
) -> Claim:
    """N waits in a pool of N ``kind`` against the same N waits one by one."""
    n = evidence.result_as(IoBound)["headline"]
    read = _io_reader(work, n)
    figure = Figure(
        f"{n} {kind} vs one after another",
        evidence.ratio(read, "serial", kind),
        IO_MIN_SPEEDUP,
        "at least",
        "×",
        ideal=float(n),  # N waits at once can at most be N times faster
    )
    gain = figure.interval.estimate
    pool_ms = evidence.timing(read, kind).estimate * 1000
    serial_ms = evidence.timing(read, "serial").estimate * 1000
    times = f"({pool_ms:.0f} ms against {serial_ms:.0f} ms)"
    return judged(
        f"{n} {what}: **{gain:.0f}×** faster in {n} {kind} than one after "
        f"another {times}: the waits overlapped.",
        [figure],
        missed=f"{n} {what}: only **{gain:.1f}×** faster in {n} {kind} than one "
        f"after another {times}: the {kind} did NOT overlap the waits.",
    )


@claim("io_bound")
def threads_overlap_sleeps(evidence: Evidence) -> Claim:
    wait = evidence.result_as(IoBound)["wait"] * 1000
    return _pool_overlaps(evidence, "sleep", f"waits of {wait:g} ms")


@claim("io_bound")
def processes_overlap_sleeps(evidence: Evidence) -> Claim:
    """Worker processes overlap waits too (timed on sleeps only, see io_bound)."""
    wait = evidence.result_as(IoBound)["wait"] * 1000
    return _pool_overlaps(evidence, "sleep", f"waits of {wait:g} ms", "processes")


@claim("io_bound")
def threads_overlap_http_requests(evidence: Evidence) -> Claim:
    wait = evidence.result_as(IoBound)["wait"] * 1000
    return _pool_overlaps(
        evidence, "http", f"HTTP requests to a local server that answers in {wait:g} ms"
    )


@claim("io_bound")
def process_pools_cost_more_to_start(evidence: Evidence) -> Claim:
    """A pool of N processes costs more to create, start and stop than N threads.

    Each worker waits at a barrier until all N have started, and counts itself:
    the claim misses if any pool started fewer.
    """
    start = io_pool_start(evidence)
    n = start["workers"]
    asked = {kind: 0 for kind in ("threads", "processes")}
    started = dict(asked)
    for result in _results(evidence, IoBound):
        for kind, count in result["pool_start_workers"].items():
            asked[kind] += count["asked"]
            started[kind] += count["started"]
    figure = Figure(
        f"{n} processes vs {n} threads",
        start["ratio"],
        margins.PROCESS_POOL_OVER_THREAD_POOL_START_MIN,
        "at least",
    )
    ratio = figure.interval.estimate
    times = (
        f"creating a pool of {n}, starting every worker and shutting it down took "
        f"{start['processes'].estimate * 1000:.0f} ms with processes against "
        f"{start['threads'].estimate * 1000:.0f} ms with threads"
    )
    if asked != started:
        counts = "; ".join(f"{k}: {started[k]:,} of {asked[k]:,}" for k in asked)
        return observed(
            False,
            f"{times[0].upper()}{times[1:]}, but NOT every worker started, so this "
            f"did NOT compare whole pools (workers started: {counts}).",
            ratio,
        )
    return judged(
        f"Processes cost more to start: {times} (**{ratio:.1f}×** as long).",
        [figure],
        missed=f"A process pool did NOT cost much more to start than a thread pool: "
        f"{times} (**{ratio:.1f}×**).",
    )


@claim("io_bound")
def io_experiment_cleans_up(evidence: Evidence) -> Claim:
    """Every run stopped its server, closed its port and left no child process."""
    results = _results(evidence, IoBound)
    runs = len(results)
    codes = sorted({r["server"]["exitcode"] for r in results}, key=str)
    closed = sum(bool(r["port_closed"]) for r in results)
    left = sum(len(r["leftover_children"]) for r in results)
    holds = codes == [0] and closed == runs and left == 0
    every = "its run" if runs == 1 else f"each of its {runs} runs"
    if runs == 1:
        port = "its port was closed" if closed else "its port was still open"
    else:
        port = f"its port was closed after {closed} of its {runs} runs"
    remaining = "was" if left == 1 else "were"
    seen = (
        f"after {every}, the local server had exited with code "
        f"{', '.join(map(str, codes))}, {port} and **{_n(left, 'child process')}** "
        f"{remaining} left"
    )
    if holds:
        return observed(True, f"The experiment cleaned up: {seen}.", float(left))
    return observed(False, f"The experiment did NOT clean up: {seen}.", float(left))


# --- task_size and payload_size -------------------------------------------------
# TINY_MAX_SPEEDUP (top of this module): a pool sent tiny tasks one by one runs at
# most at half the loop's speed; measured 0.16-0.17x for 15 us tasks (one round trip
# per task costs several times the task). CHUNK_MIN_GAIN: the same tiny tasks in
# chunks run at least 5x faster than one by one; measured 9-11x. Big tasks in
# processes are a parallel claim, held against margins.parallel_min_speedup.


def _row(result: TaskSize, size: int) -> TaskSizeRow:
    """The row of one task size."""
    return next(r for r in result["rows"] if r["size"] == size)


def _size_reader(size: int) -> Callable[[TaskSize], RoundsRecord]:
    return lambda result: _row(result, size)["rounds"]


def task_size_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every task size: pooled loop time, work per task, each pool call's speedup."""
    result = evidence.result_as(TaskSize)
    rows = []
    for row in sorted(result["rows"], key=lambda r: r["size"]):
        read = _size_reader(row["size"])
        loop = evidence.timing(read, "serial")
        rows.append(
            {
                "size": row["size"],
                "tasks": row["tasks"],
                "chunksize_auto": row["chunksize_auto"],
                "loop": loop,
                "task_seconds": loop.estimate / row["tasks"],
                # A mode missing here was the same call as chunksize=1 (not timed).
                "modes": {
                    mode: {
                        "time": evidence.timing(read, mode),
                        "speedup": evidence.ratio(read, "serial", mode),
                    }
                    for mode in result["modes"]
                    if mode in row["rounds"]["samples"]
                },
            }
        )
    return rows


def _crossing(
    points: list[tuple[float, stats.Interval]], rising: bool
) -> dict[str, float] | None:
    """Where a speedup crosses 1.0x between two measured points, from raw data.

    The crossing is bracketed by neighbouring points whose whole intervals lie on
    either side of 1.0 (each interval ≥95% on its own, so the pair brackets the
    crossing with roughly 90% confidence, not certainty), and placed inside by log
    interpolation between their medians. None when no such pair.
    """
    for (x0, g0), (x1, g1) in itertools.pairwise(points):
        below, above = (g0, g1) if rising else (g1, g0)
        if below.high < 1.0 < above.low:
            e0, e1 = math.log(g0.estimate), math.log(g1.estimate)
            frac = -e0 / (e1 - e0)
            at = math.exp(math.log(x0) + frac * (math.log(x1) - math.log(x0)))
            return {"low": x0, "high": x1, "estimate": at}
    return None


def task_size_crossover(evidence: Evidence) -> dict[str, float] | None:
    """The work per task (seconds) where chunksize=1 overtakes the loop, or None."""
    points = [
        (row["task_seconds"], row["modes"]["executor, chunksize=1"]["speedup"])
        for row in task_size_table(evidence)
    ]
    return _crossing(points, rising=True)


def _tiny(evidence: Evidence) -> tuple[Callable[[TaskSize], RoundsRecord], TaskSizeRow]:
    result = evidence.result_as(TaskSize)
    size = result["headline"]["tiny"]
    return _size_reader(size), _row(result, size)


@claim("task_size")
def processes_lose_on_tiny_tasks(evidence: Evidence) -> Claim:
    read, row = _tiny(evidence)
    figure = speedup(
        evidence,
        read,
        "serial",
        "executor, chunksize=1",
        label="chunksize=1 vs loop",
        workers=evidence.result_as(TaskSize)["headline_workers"],
        margin=TINY_MAX_SPEEDUP,
        rule="at most",
    )
    us = evidence.timing(read, "serial").estimate / row["tasks"] * 1e6
    text = (
        f"{row['tasks']:,} tasks of {us:.0f} µs each, sent one by one "
        f"(`chunksize=1`): the process pool ran at **{figure.interval.estimate:.2f}×** "
        "the speed of a plain loop"
    )
    return judged(
        f"{text}: each round trip cost more than the task.",
        [figure],
        missed=f"{text}: processes did NOT lose on these tiny tasks.",
    )


@claim("task_size")
def chunksize_rescues_tiny_tasks(evidence: Evidence) -> Claim:
    read, row = _tiny(evidence)
    figure = Figure(
        "chunksize=auto vs chunksize=1",
        evidence.ratio(read, "executor, chunksize=1", "executor, chunksize=auto"),
        CHUNK_MIN_GAIN,
        "at least",
    )
    # Quoted with its interval, not judged: how the chunked pool compares with the
    # loop is an observation here (the claim is about chunks against one by one).
    auto = Figure(
        "chunksize=auto vs loop",
        evidence.ratio(read, "serial", "executor, chunksize=auto"),
    )
    text = (
        f"The same tiny tasks with `chunksize={row['chunksize_auto']}` ran "
        f"**{figure.interval.estimate:.1f}×** as fast as with `chunksize=1`, at "
        f"{auto.interval.text()} the loop's speed"
    )
    return judged(
        f"{text}: batching shares one round trip among many tasks.",
        [figure, auto],
        missed=f"{text}: batching did NOT rescue them.",
    )


@claim("task_size")
def processes_win_on_big_tasks(evidence: Evidence) -> Claim:
    """Tasks much bigger than a round trip run in parallel in processes."""
    result = evidence.result_as(TaskSize)
    size = result["headline"]["big"]
    read = _size_reader(size)
    row = _row(result, size)
    workers, cores = result["headline_workers"], evidence.cores

    def figure(ev: Evidence, margin: float | None) -> Figure:
        return speedup(
            ev,
            read,
            "serial",
            "executor, chunksize=1",
            label="big tasks, processes vs loop",
            workers=workers,
            margin=margin,
        )

    ms = evidence.timing(read, "serial").estimate / row["tasks"] * 1000
    gain = figure(evidence, None).interval.estimate
    text = (
        f"Tasks of {ms:.1f} ms each, one by one: **{gain:.2f}×** "
        f"with {_n(workers, 'worker process')} on {_n(cores, 'core')} "
        f"(ideal {min(workers, cores)}.00×)"
    )
    kept = parallel(evidence, min(workers, cores), f"{text}.")
    if isinstance(kept, Claim):
        return kept
    return judged(
        f"{text}: big tasks ran in parallel.",
        [figure(kept, margins.parallel_min_speedup(workers, cores))],
        missed=f"{text}: even big tasks did NOT speed up in processes.",
    )


# Payloads. BIG_PAYLOAD_MAX_SPEEDUP: with the largest payload the pool runs at most
# at half the loop's speed (measured 0.25-0.3x with 8 MiB per task, against 1.6x
# with 1 KiB). PAYLOAD_MIN_SLOWDOWN: the same pool, same work, takes at least 4x as
# long with the largest payload as with the smallest (measured 5-7x): the copying,
# not the pool, is what costs.
BIG_PAYLOAD_MAX_SPEEDUP = 0.5
PAYLOAD_MIN_SLOWDOWN = 4.0


BYTE_UNITS = (("MiB", 2**20), ("KiB", 2**10))


def human_bytes(size: float) -> str:
    """1024 -> "1 KiB", 8388608 -> "8 MiB"."""
    for unit, scale in BYTE_UNITS:
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"


def rough(value: float) -> str:
    """``value`` to one significant figure, for a point known only roughly (a
    crossing interpolated between two sizes far apart): 37.4 -> "40"."""
    if value <= 0:
        return f"{value:g}"
    rounded = round(value, -math.floor(math.log10(value)))
    return f"{rounded:,.0f}" if rounded >= 1 else f"{rounded:g}"


def rough_bytes(size: float) -> str:
    """A byte count to one significant figure in its unit: 1.23 MiB -> "1 MiB"."""
    for unit, scale in BYTE_UNITS:
        if size >= scale:
            return f"{rough(size / scale)} {unit}"
    return f"{rough(size)} B"


def payload_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every payload size: pooled pool time, speedup over the loop, bytes received."""
    result = evidence.result_as(PayloadSize)
    tasks = result["tasks"]
    rows = []
    for size in result["payloads"]:
        key = result["names"][str(size)]
        received = [
            r["received_bytes"][str(size)] for r in _results(evidence, PayloadSize)
        ]
        rows.append(
            {
                "payload": size,
                "time": evidence.timing("rounds", key),
                "speedup": evidence.ratio("rounds", "serial", key),
                "received_per_batch": min(received),
                "all_arrived": all(b == size * tasks for b in received),
            }
        )
    return rows


def payload_crossover(evidence: Evidence) -> dict[str, float] | None:
    """The payload (bytes per task) where the pool falls behind the loop, or None."""
    points = [(row["payload"], row["speedup"]) for row in payload_table(evidence)]
    return _crossing(points, rising=False)


@claim("payload_size")
def big_payloads_eat_the_gain(evidence: Evidence) -> Claim:
    result = evidence.result_as(PayloadSize)
    big, small = result["headline"]["big"], result["headline"]["small"]
    big_key, small_key = result["names"][str(big)], result["names"][str(small)]
    gain = speedup(
        evidence,
        "rounds",
        "serial",
        big_key,
        label=f"{human_bytes(big)} per task, pool vs loop",
        workers=result["headline_workers"],
        margin=BIG_PAYLOAD_MAX_SPEEDUP,
        rule="at most",
    )
    slower = Figure(
        f"pool with {human_bytes(big)} vs with {human_bytes(small)}",
        evidence.ratio("rounds", big_key, small_key),
        PAYLOAD_MIN_SLOWDOWN,
        "at least",
    )
    small_gain = evidence.ratio("rounds", "serial", small_key).estimate
    received = min(
        r["received_bytes"][str(big)] for r in _results(evidence, PayloadSize)
    )
    text = (
        f"With {human_bytes(big)} of arguments per task the pool ran at "
        f"**{gain.interval.estimate:.2f}×** the loop's speed, against "
        f"{small_gain:.2f}× with {human_bytes(small)}: the same pool and work took "
        f"{slower.interval.estimate:.1f}× as long, for the "
        f"{human_bytes(received)} per batch the workers received."
    )
    return judged(
        f"{text} Pickling and piping the data cost more than the parallel work saved.",
        [gain, slower],
        missed=f"{text} The copying did NOT eat the parallel gain.",
    )


# --- pool_sizing ----------------------------------------------------------------
# FULL_POOL_MIN_GAIN: a pool of one thread per wait against the default pool, on a
# batch of more than twice as many waits as the largest default (32) has threads.
# The default needs ceil(waits / default) rounds of waiting, at least 4; measured
# 10-13x here with the default of 6. At least 2x proves "size the pool to the
# waits" on any machine.
FULL_POOL_MIN_GAIN = 2.0


def cpu_count_function(result: PoolSizing) -> str:
    """The function the pools' documented defaults count CPUs with on the measured
    interpreter: os.process_cpu_count() from 3.13 (CPU affinity and
    PYTHON_CPU_COUNT), os.cpu_count() before (every CPU of the machine). Neither
    knows a cgroup CPU quota."""
    # By version, not by value: on 3.13+ os.process_cpu_count() may return None
    # (undetermined), and the pools then use 1 ("or 1"), not os.cpu_count().
    since = has_process_cpu_count(result["env"]["python"])
    return "os.process_cpu_count()" if since else "os.cpu_count()"


def _documented_cpus(result: PoolSizing) -> int:
    """The CPU count the pools' documented defaults use on this Python version."""
    return result["cpu_counts"][cpu_count_function(result)] or 1


# ProcessPoolExecutor's default is capped on Windows (documented: "the default
# chosen will be at most 61, even if more processors are available").
WINDOWS_PROCESS_POOL_MAX = 61


# os.process_cpu_count(), PYTHON_CPU_COUNT and -X cpu_count arrived in 3.13.
PROCESS_CPU_COUNT_SINCE = (3, 13)


def has_process_cpu_count(python: str) -> bool:
    """Whether Python ``python`` ("3.13.0") has os.process_cpu_count()."""
    major, minor = python.split(".")[:2]
    return (int(major), int(minor)) >= PROCESS_CPU_COUNT_SINCE


def cpu_count_note(python: str) -> str:
    """What Python 3.13+ does that the measured interpreter (``python``) cannot
    show, or "" when it showed it."""
    if has_process_cpu_count(python):
        return ""
    return (
        "Not measured here: `os.process_cpu_count()` (this build ran Python "
        f"{python}, which lacks it). From Python 3.13, `os.process_cpu_count()` "
        "counts the CPUs this process may run on where `os.sched_getaffinity()` "
        "exists (Linux and some other Unix systems; elsewhere it equals "
        "`os.cpu_count()`), neither sees a "
        "container's CPU quota, `PYTHON_CPU_COUNT=N` or `-X cpu_count=N` makes both "
        "report N, and all three pools size themselves by "
        "`os.process_cpu_count()`."
    )


def documented_defaults(result: PoolSizing) -> dict[str, int]:
    """What the standard library's documentation says each default is, here."""
    cpus = _documented_cpus(result)
    windows = result["env"]["os"].startswith("Windows")
    return {
        "ThreadPoolExecutor()": min(32, cpus + 4),
        "ProcessPoolExecutor()": min(cpus, WINDOWS_PROCESS_POOL_MAX)
        if windows
        else cpus,
        "multiprocessing.Pool()": cpus,
    }


def pool_sizing_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every thread pool size: pooled time, the waiting model, gain over default."""
    result = evidence.result_as(PoolSizing)
    default = result["names"][str(result["default_threads"])]
    rows = []
    for w in result["sizes"]:
        key = result["names"][str(w)]
        rows.append(
            {
                "workers": w,
                "default": w == result["default_threads"],
                "time": evidence.timing("rounds", key),
                "model": math.ceil(result["waits"] / w) * result["wait"],
                "gain": evidence.ratio("rounds", default, key),
            }
        )
    return rows


def _default_size(evidence: Evidence, pool: str) -> tuple[bool, int, int]:
    want = documented_defaults(evidence.result_as(PoolSizing))[pool]
    got = [r["defaults"][pool] for r in _results(evidence, PoolSizing)]
    return all(g == want for g in got), got[0], want


@claim("pool_sizing", kind=CHECKED)
def thread_pool_default_size(evidence: Evidence) -> Claim:
    holds, got, want = _default_size(evidence, "ThreadPoolExecutor()")
    result = evidence.result_as(PoolSizing)
    cpus = _documented_cpus(result)
    counted = f"`{cpu_count_function(result)}`"
    rule = f"min(32, CPUs + 4) with {_n(cpus, 'CPU')} ({counted}) is {want}"
    return observed(
        holds,
        f"`ThreadPoolExecutor()` chose **{got}** workers"
        + (f": {rule}." if holds else f", NOT the documented {rule}."),
        float(got),
    )


@claim("pool_sizing", kind=CHECKED)
def process_pool_default_size(evidence: Evidence) -> Claim:
    holds, got, want = _default_size(evidence, "ProcessPoolExecutor()")
    pool_ok, pool, _ = _default_size(evidence, "multiprocessing.Pool()")
    ok = holds and pool_ok
    counted = (
        f"one per CPU as `{cpu_count_function(evidence.result_as(PoolSizing))}` "
        "counts them on "
        f"Python {evidence.env['python']} ({want})"
    )
    return observed(
        ok,
        f"`ProcessPoolExecutor()` and `multiprocessing.Pool()` chose **{got}** and "
        f"**{pool}** workers: "
        + (f"{counted}." if ok else f"NOT the documented {counted}."),
        float(got),
    )


@claim("pool_sizing")
def size_thread_pools_to_the_waits(evidence: Evidence) -> Claim:
    result = evidence.result_as(PoolSizing)
    waits, d = result["waits"], result["default_threads"]
    default, full = result["names"][str(d)], result["names"][str(waits)]
    figure = Figure(
        f"{waits} threads vs the default {d}",
        evidence.ratio("rounds", default, full),
        FULL_POOL_MIN_GAIN,
        "at least",
    )
    text = (
        f"{waits} waits took {evidence.timing('rounds', default).estimate * 1000:.0f} "
        f"ms in the default pool of {d} threads and "
        f"{evidence.timing('rounds', full).estimate * 1000:.0f} ms in a pool of "
        f"{waits}: **{figure.interval.estimate:.1f}×**"
    )
    return judged(
        f"{text} faster with one thread per wait.",
        [figure],
        missed=f"{text}: one thread per wait was NOT faster than the default pool.",
    )


# --- timelines ------------------------------------------------------------------
# Shares below are of the shorter worker's running time (spans.overlap_share).
# Two processes on CPU work "ran at the same time" when the other ran for more
# than half of it: taking turns gives 0 %, two free cores 90-100 % here. Half is
# the weakest share that still says "mostly together".
TIMELINE_PROCESSES_MIN_OVERLAP = 0.5
# Two threads handing the GIL back and forth ran at the same time for at most this
# share: 0-1 % measured here (a chunk's stamps can straddle a switch); threads
# without a GIL on two free cores would overlap 90 % or more.
TIMELINE_GIL_MAX_OVERLAP = 0.1


def timeline_process_overlap(result: Timelines) -> float:
    """Share of the CPU record's process time during which both processes ran."""
    rows = result["cpu"]["processes"]
    first, second = (spans.runs_from_stamps(stamps) for _, stamps in rows[:2])
    return spans.overlap_share(first, second)


def timeline_gil_overlap(result: Timelines) -> float:
    """Share of the hand-off record during which both threads ran at once."""
    first, second = (spans.runs_from_stamps(s) for s in result["handoff"].values())
    return spans.overlap_share(first, second)


@claim("timelines")
def processes_ran_at_the_same_time(evidence: Evidence) -> Claim:
    """Two processes on pure-Python CPU work ran at the same time. It measures the
    overlap of their spans only, not each one's pace: a process on a slow or shared
    core still overlaps (the timeline's caption gives each one's pace)."""
    share = evidence.values(lambda r: timeline_process_overlap(r))
    reached = f"Two processes on CPU work overlapped **{min(share):.0%}** of the time."
    kept = parallel(evidence, 2, reached, min(share))
    if isinstance(kept, Claim):
        return kept
    worst = min(kept.values(lambda r: timeline_process_overlap(r)))
    text = f"**{worst:.0%}** of the time the shorter one ran"
    bar = f"{TIMELINE_PROCESSES_MIN_OVERLAP:.0%}"
    if worst >= TIMELINE_PROCESSES_MIN_OVERLAP:
        return observed(
            True,
            f"Two processes on CPU work ran at the same time for {text} "
            f"(more than {bar} in every run).",
            worst,
        )
    return observed(
        False,
        f"Two processes on CPU work ran at the same time for only {text}, "
        f"under {bar}: they did NOT run side by side.",
        worst,
    )


@claim("timelines")
def gil_threads_took_turns(evidence: Evidence) -> Claim:
    """On a GIL build, two threads on pure-Python CPU work took turns: they ran at
    the same time for almost none of the time, even with two free cores."""
    share = evidence.values(lambda r: timeline_gil_overlap(r))
    reached = f"Two threads on CPU work ran at once **{max(share):.0%}** of the time."
    if not evidence.env["gil_enabled"]:
        return not_shown(reached, NO_GIL, SHAPE, max(share))
    # One core, or cores held by other programs, would make them take turns
    # without a GIL too: no evidence of the GIL there.
    kept = parallel(evidence, 2, reached, max(share))
    if isinstance(kept, Claim):
        return kept
    worst = max(kept.values(lambda r: timeline_gil_overlap(r)))
    bar = f"{TIMELINE_GIL_MAX_OVERLAP:.0%}"
    if worst <= TIMELINE_GIL_MAX_OVERLAP:
        return observed(
            True,
            f"Two threads on CPU work, with two free cores, ran at the same time for "
            f"**{worst:.0%}** of the time the shorter one ran (at most {bar} in every "
            "run): they took turns holding the GIL.",
            worst,
        )
    return observed(
        False,
        f"Two threads on CPU work ran at the same time for **{worst:.0%}** of the "
        f"time, more than {bar}: they did NOT take turns.",
        worst,
    )


def timeline_asyncio_overlap(result: Timelines) -> float:
    """Seconds during which steps of two different asyncio tasks both ran."""
    by_task: dict[str, list[tuple[float, float]]] = {}
    for task, start, end in result["asyncio"]:
        by_task.setdefault(task, []).append((start, end))
    steps = list(by_task.values())
    return sum(spans.overlap(a, b) for i, a in enumerate(steps) for b in steps[i + 1 :])


@claim("timelines")
def asyncio_steps_ran_one_at_a_time(evidence: Evidence) -> Claim:
    """Tasks on one event loop run one at a time: a step between two awaits never
    overlaps another task's step, on any machine."""
    result = evidence.result_as(Timelines)
    worst = max(evidence.values(lambda r: timeline_asyncio_overlap(r)))
    tasks = len({task for task, _, _ in result["asyncio"]})
    steps = len(result["asyncio"])
    if worst == 0:
        return observed(
            True,
            f"{steps} steps of {tasks} asyncio tasks on one event loop ran one at a "
            "time: no step overlapped another task's, in every run.",
            worst,
        )
    return observed(
        False,
        f"Steps of asyncio tasks on one event loop overlapped for "
        f"**{worst * 1000:.1f} ms**: they did NOT run one at a time.",
        worst,
    )
