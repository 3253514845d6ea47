"""Claims of the "Modern CPython" pages and "Beyond one machine".

Registered on import (measured/claims/registry.py imports this module at its end). Each
function judges the pooled runs of an experiment on one interpreter; the
interpreter-matrix pages call them once per interpreter, so a claim that needs a
free-threaded build, Python 3.12+ or a feature of 3.14 is "not shown" (machine
shape) on the others, with the reason.

Timed claims rest on paired per-round ratios (measured.run.stats). Start costs and
tiny tasks are timed in batches (``starts_per_batch``, ``tiny_per_timing`` in the
result): a ratio per start is the ratio of the batches, times the ratio of their
sizes. Parallel claims need the cores they use free (measured.claims.parallel);
their margins are efficiencies (measured.claims.margins).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import Any

from measured.claims import margins
from measured.claims.registry import (
    SHAPE,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    not_shown,
    observed,
    parallel,
    ran_in_parallel,
    runs_in_parallel,
    takes_turns,
    took_turns,
)
from measured.run import stats
from measured.run.shapes.modern import (
    DaskVsPool,
    FreeThreading,
    GilAcrossVersions,
    StartMethods,
    Subinterpreters,
)

Result = dict[str, Any]

# Creating and closing a subinterpreter against starting and joining a thread: a
# statement of its own (an interpreter is not a process). Measured here on the 3.13
# backport: about 9 ms against 0.1 ms, some 90x; the page's advice ("create a
# pool once") needs only that it costs far more. 5x, like processes, survives any
# noise of this machine and still fails if interpreters were as cheap as threads.
INTERPRETER_OVER_THREAD_START_MIN = 5.0
# One tiny task on Dask (scheduler round trip over loopback TCP) against one on a
# process pool (a pipe): 1.6 ms against 0.15 ms measured here, about 11x. At least
# 3x is "costs more per task" with room for a faster scheduler, and still fails if
# the two cost about the same.
DASK_OVER_POOL_PER_TASK_MIN = 3.0


# --- reading evidence ----------------------------------------------------------


def _python(evidence: Evidence) -> str:
    env = evidence.env
    build = "t" if env["free_threaded_build"] else ""
    return f"Python {env['python']}{build}"


def _version(evidence: Evidence) -> tuple[int, int]:
    major, minor = evidence.env["python"].split(".")[:2]
    return int(major), int(minor)


def _n(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}{'es' if noun.endswith('s') else 's'}"


def _scaled(interval: stats.Interval, factor: float) -> stats.Interval:
    """An interval times a constant (seconds per batch -> per start, say)."""
    return stats.Interval(
        interval.estimate * factor,
        interval.low * factor,
        interval.high * factor,
        interval.n,
        interval.confidence,
    )


def _same_in_every_run(evidence: Evidence, read: Callable[[Result], Any]) -> Any:
    """A set-up value the pooled rounds rely on; every run must agree on it."""
    values = evidence.values(read)
    if any(v != values[0] for v in values):
        raise ValueError(f"runs disagree on a set-up value: {values}")
    return values[0]


def per_call(
    evidence: Evidence, read: str, sizes_key: str, slower: str, faster: str
) -> stats.Interval:
    """How many times longer one call of ``slower`` took than one of ``faster``.

    Both are timed in batches in the same rounds: the paired ratio of the batches,
    times the ratio of their sizes (``result[sizes_key]``).
    """
    sizes = _same_in_every_run(evidence, lambda r: r[sizes_key])
    raw = evidence.ratio(read, slower, faster)
    return _scaled(raw, sizes[faster] / sizes[slower])


def per_call_seconds(
    evidence: Evidence, read: str, sizes_key: str, name: str
) -> stats.Interval:
    """Seconds per call of ``name``: its pooled batch time over the batch size."""
    sizes = _same_in_every_run(evidence, lambda r: r[sizes_key])
    return _scaled(evidence.timing(read, name), 1 / sizes[name])


def _free_threaded_shape(evidence: Evidence, text: str) -> Claim | None:
    """Not shown where the GIL is on: the statement is about running without it."""
    if not evidence.env["gil_enabled"]:
        return None
    return not_shown(
        f"Threads reached {text}.",
        "this interpreter runs with the GIL; the statement is about a "
        "free-threaded build running without it",
        SHAPE,
    )


def _threads_take_turns(
    evidence: Evidence, read: str, key: str, text: Callable[[Evidence], str]
) -> Claim:
    """On a GIL build, threads running pure Python do not run it in parallel.

    The margin allows up to GIL_THREADS_MAX_SPEEDUP, so the statement says that
    much: not "no speedup", but "at most this, short of what parallel needs".
    """
    workers = evidence.result["headline_workers"]
    return takes_turns(
        evidence,
        read,
        "serial",
        key,
        workers=workers,
        label="threads vs serial",
        text=text,
        **took_turns("Threads"),
    )


def _threads_run_in_parallel(
    evidence: Evidence, read: str, key: str, text: Callable[[Evidence], str]
) -> Claim:
    """Without the GIL, threads run pure-Python work in parallel."""
    if none := _free_threaded_shape(evidence, text(evidence)):
        return none
    return runs_in_parallel(
        evidence,
        read,
        "serial",
        key,
        workers=evidence.result["headline_workers"],
        label="threads vs serial",
        text=text,
        holds="Threads ran pure-Python work in parallel with the GIL off: {}.",
        missed="Threads did NOT run in parallel with the GIL off: {}.",
        reached="Threads reached {}.",
    )


# --- gil_across_versions ------------------------------------------------------


def _matrix_text(kind: str) -> Callable[[Evidence], str]:
    def text(evidence: Evidence) -> str:
        workers = evidence.result_as(GilAcrossVersions)["headline_workers"]
        gain = evidence.ratio("cpu", "serial", kind).estimate
        return (
            f"**{gain:.2f}×** with {_n(workers, kind.rstrip('s'))} on "
            f"{_python(evidence)} ({evidence.cores} cores)"
        )

    return text


def gil_across_versions_row(evidence: Evidence) -> dict[str, Any]:
    """One interpreter's figures, pooled: times, speedups, start costs per start."""
    return {
        "serial": evidence.timing("cpu", "serial"),
        "threads": evidence.timing("cpu", "threads"),
        "processes": evidence.timing("cpu", "processes"),
        "threads speedup": evidence.ratio("cpu", "serial", "threads"),
        "processes speedup": evidence.ratio("cpu", "serial", "processes"),
        "thread start": per_call_seconds(
            evidence, "starts", "starts_per_batch", "thread"
        ),
        "process start": per_call_seconds(
            evidence, "starts", "starts_per_batch", "process"
        ),
        "process over thread": per_call(
            evidence, "starts", "starts_per_batch", "process", "thread"
        ),
        "start_method": evidence.result_as(GilAcrossVersions)["start_method"],
    }


# ./configure options that change how fast an interpreter runs Python code.
SPEED_OPTIONS = ("--enable-optimizations", "--with-lto")


def build_options(evidence: Evidence) -> dict[str, bool | None]:
    """Whether the interpreter was configured with each of SPEED_OPTIONS (PGO, LTO);
    None where it recorded no configure arguments (Windows builds, say)."""
    args = evidence.result_as(GilAcrossVersions).get("config_args")
    if not args:
        return dict.fromkeys(SPEED_OPTIONS)
    words = shlex.split(args)
    return {
        option: any(w == option or w.startswith(f"{option}=") for w in words)
        for option in SPEED_OPTIONS
    }


@claim("gil_across_versions")
def matrix_threads_do_not_scale_with_gil(evidence: Evidence) -> Claim:
    """On every GIL build, threads give no speedup for pure-Python CPU work."""
    return _threads_take_turns(evidence, "cpu", "threads", _matrix_text("threads"))


@claim("gil_across_versions")
def matrix_threads_scale_without_gil(evidence: Evidence) -> Claim:
    """On a free-threaded build with the GIL off, threads scale."""
    return _threads_run_in_parallel(evidence, "cpu", "threads", _matrix_text("threads"))


@claim("gil_across_versions")
def matrix_processes_scale(evidence: Evidence) -> Claim:
    """Processes run pure-Python work in parallel, on every version."""
    return runs_in_parallel(
        evidence,
        "cpu",
        "serial",
        "processes",
        workers=evidence.result_as(GilAcrossVersions)["headline_workers"],
        label="processes vs serial",
        text=_matrix_text("processes"),
        **ran_in_parallel("Processes"),
    )


@claim("gil_across_versions")
def thread_starts_faster_than_process(evidence: Evidence) -> Claim:
    """Starting a process costs far more than starting a thread."""
    row = gil_across_versions_row(evidence)
    ratio = row["process over thread"]
    method = row["start_method"]
    text = (
        f"**{ratio.estimate:.0f}×** as long as a thread on {_python(evidence)}: "
        f"{row['process start'].estimate * 1e3:.2f} ms against "
        f"{row['thread start'].estimate * 1e3:.3f} ms"
    )
    figure = Figure(
        f"process ({method}) over thread, per start",
        ratio,
        margins.PROCESS_OVER_THREAD_START_MIN,
        "at least",
    )
    return judged(
        f"Starting and joining a process (`{method}`) took {text}.",
        [figure],
        missed=(
            f"Starting a process (`{method}`) was NOT much costlier than a "
            f"thread: {text}."
        ),
    )


# --- free_threading -----------------------------------------------------------


def _headline_key(evidence: Evidence) -> str:
    return f"threads {evidence.result_as(FreeThreading)['headline_workers']}"


def _free_threading_text(evidence: Evidence) -> str:
    workers = evidence.result_as(FreeThreading)["headline_workers"]
    gain = evidence.ratio("cpu", "serial", _headline_key(evidence)).estimate
    return (
        f"**{gain:.2f}×** with {_n(workers, 'thread')} on {_python(evidence)} "
        f"({evidence.cores} cores)"
    )


def free_threading_series(evidence: Evidence) -> list[dict[str, Any]]:
    """Speedup against the number of threads, pooled, with intervals."""
    return [
        {
            "workers": workers,
            "time": evidence.timing("cpu", f"threads {workers}"),
            "speedup": evidence.ratio("cpu", "serial", f"threads {workers}"),
        }
        for workers in evidence.result_as(FreeThreading)["workers"]
    ]


def race_totals(evidence: Evidence) -> dict[str, int]:
    """Operations lost in the shared-object races, summed over every run."""
    lost: dict[str, int] = {"appends": 0, "unlocked": 0, "locked": 0, "total": 0}
    for race in evidence.values(lambda r: r["race"]):
        lost["appends"] += race["expected"] - race["appended"]
        lost["unlocked"] += race["expected"] - race["unlocked_hits"]
        lost["locked"] += race["expected"] - race["locked_hits"]
        lost["total"] += race["expected"]
    return lost


@claim("free_threading")
def free_threaded_threads_scale(evidence: Evidence) -> Claim:
    """Free-threaded threads run pure-Python work in parallel."""
    return _threads_run_in_parallel(
        evidence, "cpu", _headline_key(evidence), _free_threading_text
    )


@claim("free_threading")
def gil_build_threads_do_not_scale(evidence: Evidence) -> Claim:
    """On the GIL build of the same version, threads take turns."""
    return _threads_take_turns(
        evidence, "cpu", _headline_key(evidence), _free_threading_text
    )


@claim("free_threading")
def containers_stay_consistent(evidence: Evidence) -> Claim:
    """Without the GIL, concurrent list.append and locked dict updates lose nothing."""
    race = evidence.result_as(FreeThreading)["race"]
    lost = race_totals(evidence)
    bad = lost["appends"] + lost["locked"]
    runs = len(evidence.runs)
    what = (
        f"{race['threads']} threads × {race['rounds']:,} `list.append` calls, and "
        f"as many locked `+=` on one dict"
        + (f", in each of {runs} runs," if runs > 1 else ",")
    )
    if evidence.env["gil_enabled"]:
        # A control, not evidence: under the GIL an append cannot interleave with
        # another, and a locked += cannot lose an update on any build.
        return not_shown(
            f"{what} lost {bad:,} operations on {_python(evidence)}, a GIL build "
            "(a control).",
            "with the GIL one append cannot interleave with another; the "
            "statement is about a free-threaded build running without it",
            SHAPE,
            float(bad),
        )
    if bad == 0:
        return observed(True, f"{what} lost nothing on {_python(evidence)}.", 0.0)
    return observed(
        False,
        f"{what} LOST **{bad:,}** operations on {_python(evidence)}.",
        float(bad),
    )


@claim("free_threading")
def unlocked_increments_race_without_gil(evidence: Evidence) -> Claim:
    """Without the GIL, an unlocked read-add-write loses updates; a Lock fixes it."""
    lost = race_totals(evidence)
    figure = (
        f"**{lost['unlocked']:,}** of {lost['total']:,} unlocked "
        "`counts['hits'] += 1` lost"
    )
    if evidence.env["gil_enabled"]:
        return not_shown(
            f"{figure} on {_python(evidence)}.",
            "with the GIL, CPython switches threads only at calls and backward "
            "jumps, so this read-add-write never interleaves here",
            SHAPE,
            float(lost["unlocked"]),
        )
    threads = evidence.result_as(FreeThreading)["race"]["threads"]
    kept = parallel(evidence, min(threads, evidence.cores), f"{figure}.")
    if isinstance(kept, Claim):
        return kept
    lost = race_totals(kept)
    figure = (
        f"**{lost['unlocked']:,}** of {lost['total']:,} unlocked "
        "`counts['hits'] += 1` lost"
    )
    locked = (
        "The Lock version lost none."
        if lost["locked"] == 0
        else f"The Lock version LOST {lost['locked']:,} too."
    )
    if lost["unlocked"] > 0 and lost["locked"] == 0:
        return observed(
            True,
            f"Without the GIL, an unlocked `+=` lost updates: {figure} on "
            f"{_python(kept)}. {locked}",
            float(lost["unlocked"]),
        )
    return observed(
        False,
        f"Without the GIL, the unlocked `+=` did NOT show the race as stated: "
        f"{figure} on {_python(kept)}. {locked}",
        float(lost["unlocked"]),
    )


def _controls_checks(result: FreeThreading) -> list[tuple[str, bool]]:
    """What each child process printed, against what the documentation says."""
    controls = result["gil_controls"]
    checks = [
        ("off by default", controls["default"] == "False"),
        ("on with `PYTHON_GIL=1`", controls["PYTHON_GIL=1"] == "True"),
        ("off with `PYTHON_GIL=0`", controls["PYTHON_GIL=0"] == "False"),
    ]
    if controls["legacy_returncode"] == 0:
        module = result["legacy_extension"]
        checks += [
            (
                f"on after importing `{module}`",
                controls["legacy_before_after"] == ["False", "True"],
            ),
            (
                f"still off after importing `{module}` with `PYTHON_GIL=0`",
                controls["legacy_with_PYTHON_GIL=0"] == ["False", "False"],
            ),
        ]
    return checks


@claim("free_threading")
def gil_switches_back_on(evidence: Evidence) -> Claim:
    """PYTHON_GIL and a legacy extension switch the GIL back on; PYTHON_GIL=0 wins."""
    if evidence.result_as(FreeThreading)["gil_controls"] is None:
        return not_shown(
            "PYTHON_GIL and legacy extensions only matter on a free-threaded build.",
            "this interpreter is a GIL build",
            SHAPE,
        )
    per_run = evidence.values(_controls_checks)
    names = [name for name, _ in per_run[0]]
    held = [all(run[i][1] for run in per_run) for i in range(len(names))]
    passed = float(sum(ok for run in per_run for _, ok in run))
    if all(held):
        return observed(
            True,
            f"On {_python(evidence)} the GIL was " + ", ".join(names) + ".",
            passed,
        )
    wrong = [name for name, ok in zip(names, held, strict=True) if not ok]
    return observed(
        False,
        f"On {_python(evidence)} the GIL was NOT " + ", ".join(wrong) + ".",
        passed,
    )


INHERITED, EMPTY = "inherited", "empty"  # what a new Thread saw (the snippet's words)


def _sees(flag: int | None) -> str:
    return INHERITED if flag else EMPTY


def _inherit_checks(evidence: Evidence) -> list[tuple[str, bool]]:
    """Python 3.14+: each flag's default against the documented one (true on a
    free-threaded build only), and what a new Thread saw against its flag.

    The snippet reads the defaults in a fresh child without
    PYTHON_THREAD_INHERIT_CONTEXT and PYTHON_CONTEXT_AWARE_WARNINGS, so a build
    environment that sets either cannot pass for the build's default."""
    contexts = evidence.values(lambda r: r["context"])
    documented = int(bool(evidence.env["free_threaded_build"]))
    words = {INHERITED: "its creator's value", EMPTY: "an empty context"}
    checks = [
        (
            f"`sys.flags.{name}` was {documented} by default",
            all(c["flags"][name] == documented for c in contexts),
        )
        for name in ("thread_inherit_context", "context_aware_warnings")
    ]
    checks.append(
        (
            f"a new `Thread` saw {words[_sees(documented)]}",
            all(
                c["seen"] == _sees(c["flags"]["thread_inherit_context"])
                for c in contexts
            ),
        )
    )
    flip = 1 - documented
    checks.append(
        (
            f"with `-X thread_inherit_context={flip}` it saw {words[_sees(flip)]}",
            all(
                c["flipped"] is not None
                and c["flipped"]["flag"] == flip
                and c["flipped"]["seen"] == _sees(flip)
                for c in contexts
            ),
        )
    )
    return checks


@claim("free_threading")
def threads_inherit_context_as_documented(evidence: Evidence) -> Claim:
    """A new `threading.Thread` starts with a copy of its creator's context
    variables exactly when `sys.flags.thread_inherit_context` is true: by default
    on a free-threaded 3.14+ build only (gh-128555); `context_aware_warnings`
    has the same default (gh-128384). Before 3.14 a thread starts empty."""
    py = _python(evidence)
    contexts = evidence.values(lambda r: r["context"])
    if any(c["flags"]["thread_inherit_context"] is None for c in contexts):
        # Before 3.14 there is no flag: a thread always starts with an empty context.
        empty = all(c["seen"] == EMPTY for c in contexts)
        what = (
            "started with an empty context: it did not see the value its creator "
            "had set in a context variable"
            if empty
            else "saw the value its creator had set in a context variable: NOT an "
            "empty context"
        )
        return observed(
            empty,
            f"On {py}, which has no `sys.flags.thread_inherit_context` (added in "
            f"3.14), a new `Thread` {what}.",
            float(empty),
        )
    checks = _inherit_checks(evidence)
    passed = float(sum(ok for _, ok in checks))
    if all(ok for _, ok in checks):
        return observed(
            True,
            f"On {py}, " + "; ".join(name for name, _ in checks) + ", as documented.",
            passed,
        )
    wrong = [name for name, ok in checks if not ok]
    return observed(
        False,
        f"On {py}, NOT as documented: it is not true that " + "; ".join(wrong) + ".",
        passed,
    )


# --- subinterpreters ----------------------------------------------------------


def _unavailable(evidence: Evidence, statement: str) -> Claim | None:
    if not evidence.result_as(Subinterpreters)["available"]:
        return not_shown(
            statement,
            f"not measured here: {evidence.result_as(Subinterpreters)['reason']}",
            SHAPE,
        )
    return None


def subinterpreters_table(evidence: Evidence) -> dict[str, Any]:
    """Start costs per start and the pool's speedup, pooled, with intervals."""
    sizes = evidence.result_as(Subinterpreters)["starts_per_batch"]
    return {
        "starts": {
            kind: per_call_seconds(evidence, "starts", "starts_per_batch", kind)
            for kind in sizes
        },
        "interpreter over thread": per_call(
            evidence, "starts", "starts_per_batch", "interpreter", "thread"
        ),
        "serial": evidence.timing("cpu", "serial"),
        "interpreters": evidence.timing("cpu", "interpreters"),
        "speedup": evidence.ratio("cpu", "serial", "interpreters"),
    }


@claim("subinterpreters")
def subinterpreters_scale(evidence: Evidence) -> Claim:
    """Interpreters, each with its own GIL, run CPU-bound work in parallel."""
    if none := _unavailable(
        evidence, "Subinterpreters run CPU-bound work in parallel."
    ):
        return none
    workers, cores = (
        evidence.result_as(Subinterpreters)["headline_workers"],
        evidence.cores,
    )

    def text(ev: Evidence) -> str:
        gain = ev.ratio("cpu", "serial", "interpreters").estimate
        return (
            f"**{gain:.2f}×** with {_n(workers, 'interpreter')} in one process on "
            f"{_python(ev)} ({cores} cores)"
        )

    return runs_in_parallel(
        evidence,
        "cpu",
        "serial",
        "interpreters",
        workers=workers,
        label="interpreters vs serial",
        text=text,
        holds="Subinterpreters ran in parallel: {}.",
        missed="Subinterpreters did NOT run in parallel: {}.",
        reached="Subinterpreters reached {}.",
    )


@claim("subinterpreters")
def interpreter_start_costs_more_than_thread(evidence: Evidence) -> Claim:
    """Creating an interpreter costs far more than starting a thread."""
    if none := _unavailable(
        evidence, "Creating an interpreter costs more than a thread."
    ):
        return none
    table = subinterpreters_table(evidence)
    starts, ratio = table["starts"], table["interpreter over thread"]
    text = (
        f"{starts['interpreter'].estimate * 1e3:.1f} ms, **{ratio.estimate:.0f}×** "
        f"as long as starting and joining a thread "
        f"({starts['thread'].estimate * 1e3:.3f} ms)"
    )
    figure = Figure(
        "interpreter over thread, per start",
        ratio,
        INTERPRETER_OVER_THREAD_START_MIN,
        "at least",
    )
    return judged(
        f"Creating and closing an interpreter took {text}.",
        [figure],
        missed=(
            "Creating an interpreter was NOT much costlier than starting a "
            f"thread: {text}."
        ),
    )


@claim("subinterpreters")
def legacy_extension_refused(evidence: Evidence) -> Claim:
    """A single-phase-init extension refuses to load in a subinterpreter."""
    statement = "Legacy extension modules refuse to load."
    if none := _unavailable(evidence, statement):
        return none
    outcomes = evidence.values(lambda r: r["legacy_import"])
    first = outcomes[0]
    if not first["error_type"] and "not built" in first["message"]:
        return not_shown(statement, first["message"], SHAPE)
    refused = sum(o["error_type"] == "ImportError" for o in outcomes)
    if refused == len(outcomes):
        return observed(
            True,
            "A single-phase-init extension refused to load in a subinterpreter: "
            f"“{first['message']}”.",
            float(refused),
        )
    other = next(o for o in outcomes if o["error_type"] != "ImportError")
    return observed(
        False,
        "A single-phase-init extension did NOT refuse to load in a "
        f"subinterpreter: {other['error_type'] or 'no error'}, “{other['message']}”.",
        float(refused),
    )


# --- start_methods ------------------------------------------------------------


def start_costs(evidence: Evidence) -> dict[str, stats.Interval]:
    """Seconds to start and join one process, per start method, pooled."""
    methods = evidence.result_as(StartMethods)["starts_per_batch"]
    return {
        method: per_call_seconds(evidence, "starts", "starts_per_batch", method)
        for method in methods
    }


def behaved_as(result: StartMethods) -> str:
    """The start method a default-settings child behaved as, from what it saw.

    A forked child inherits what its parent set at run time; a spawn child
    imports the script afresh, and a forkserver child sees it as freshly imported
    (by itself before Python 3.13.8 and 3.14.1, once by the fork server from those
    releases). A spawned child is this process's own child; a forkserver child is
    the fork server's.
    """
    seen = result["default_start"]
    if seen["marker"] == result["run_time_marker"]:
        return "fork"
    if seen["child_ppid"] == seen["parent_pid"]:
        return "spawn"
    return "forkserver"


@claim("start_methods")
def spawn_start_dearer_than_fork(evidence: Evidence) -> Claim:
    """spawn (a fresh interpreter) costs far more per process than fork (a copy)."""
    if "fork" not in evidence.result_as(StartMethods)["starts_per_batch"]:
        return not_shown(
            "spawn costs more than fork.",
            f"this platform ({sys.platform}) has no fork",
            SHAPE,
        )
    costs = start_costs(evidence)
    ratio = per_call(evidence, "starts", "starts_per_batch", "spawn", "fork")
    text = (
        f"{costs['spawn'].estimate * 1e3:.0f} ms per process, "
        f"**{ratio.estimate:.0f}×** fork ({costs['fork'].estimate * 1e3:.1f} ms), "
        f"on {_python(evidence)}"
    )
    figure = Figure(
        "spawn over fork, per start",
        ratio,
        margins.SPAWN_OVER_FORK_START_MIN,
        "at least",
    )
    return judged(
        f"spawn took {text}.",
        [figure],
        missed=f"spawn was NOT much costlier than fork: {text}.",
    )


# The rule, as CPython's Lib/multiprocessing/context.py applies it: Windows has
# only spawn; on POSIX, macOS defaults to spawn since 3.8 (bpo-33725), the others
# to fork up to 3.13, and from 3.14 (gh-84559) to forkserver when
# `reduction.HAVE_SEND_HANDLE` (the platform can pass file descriptors), else spawn.
DEFAULT_START_RULE = (
    "the default start method is `fork` on POSIX platforms other than macOS up to "
    "Python 3.13 and `forkserver` from 3.14 (`spawn` where the platform cannot pass "
    "file descriptors between processes), and `spawn` on macOS (since 3.8) and "
    "Windows"
)


def documented_default(
    system: str, version: tuple[int, int], methods: list[str] | None = None
) -> str:
    """The default start method the multiprocessing docs give for this platform
    (``platform.system()`` or ``sys.platform`` spelling) and version: see
    ``DEFAULT_START_RULE``. ``methods`` are the ones the platform offers (all
    three if not given)."""
    name = system.split()[0].lower() if system.strip() else ""
    if name in ("windows", "win32"):
        return "spawn"
    if name == "darwin":
        return "spawn" if version >= (3, 8) else "fork"
    if version >= (3, 14):
        return "forkserver" if methods is None or "forkserver" in methods else "spawn"
    return "fork"


def default_here(
    python: str, system: str, measured: str, methods: list[str] | None = None
) -> str:
    """The measured interpreter's default start method, as a clause, and what a
    reader on Python 3.14+ of the same platform gets when that differs
    (``methods``: the start methods the platform offers)."""
    major, minor = python.split(".")[:2]
    version = (int(major), int(minor))
    where = system.split()[0] if system.strip() else "this platform"
    where = {"Darwin": "macOS", "darwin": "macOS", "win32": "Windows"}.get(where, where)
    text = (
        f"the default on Python {python} ({where}), the interpreter measured here, "
        f"is `{measured}`"
    )
    expected = documented_default(system, version, methods)
    if measured != expected:
        text += f" (NOT `{expected}` as documented)"
    later = documented_default(system, (3, 14), methods)
    if version < (3, 14) and later != measured:
        text += f"; on Python 3.14 and later on {where} it is `{later}`"
    return text


@claim("start_methods")
def default_start_method_as_documented(evidence: Evidence) -> Claim:
    """The default start method is the one documented for the platform and version:
    fork up to 3.13 and forkserver from 3.14 on POSIX except macOS, spawn on macOS
    and Windows.

    Measured, not read: a process started with the default settings shows by what
    it inherited how it was started.
    """
    system = evidence.env["os"].split()[0]
    expected = documented_default(
        system, _version(evidence), evidence.result_as(StartMethods)["methods"]
    )
    seen = evidence.values(behaved_as)
    reported = evidence.values(lambda r: r["default"])
    how = {
        "fork": "it inherited a value its parent set at run time",
        "spawn": "it imported the script afresh, as a child of this process",
        # What a child sees, not who imported the script: a preloaded __main__
        # (3.13.8+, 3.14.1+) and a child's own import look the same from inside.
        "forkserver": "it saw the script as freshly imported, not as this process "
        "ran it, as a child of the fork server, not of this process",
    }
    statement = (
        f"A process started with the default settings on {_python(evidence)} "
        f"({system}) behaved as `{seen[0]}`: {how[seen[0]]}"
    )
    holds = all(s == expected for s in seen) and all(r == expected for r in reported)
    said = f"`multiprocessing.get_start_method()` said `{reported[0]}`"
    if holds:
        return observed(True, f"{statement}; {said} too, as documented.", 1.0)
    return observed(
        False,
        f"{statement}, and {said}: NOT `{expected}` as documented for {system}.",
        0.0,
    )


@claim("start_methods")
def fork_with_threads_warns(evidence: Evidence) -> Claim:
    """Python 3.12+ raises a DeprecationWarning when a multi-threaded process forks,
    which the default warning filters hide (it comes from inside multiprocessing)."""
    result = evidence.result_as(StartMethods)
    if "fork" not in result["methods"]:
        return not_shown(
            "fork warns.", f"this platform ({sys.platform}) has no fork", SHAPE
        )

    def fork_warnings(r: StartMethods, filters: str) -> list[str]:
        return [w for w in r["fork_warnings"][filters] if "multi-threaded" in w]

    shown = evidence.values(lambda r: fork_warnings(r, "-W default"))
    hidden = evidence.values(lambda r: not fork_warnings(r, "default filters"))
    warned = sum(len(w) for w in shown)
    if _version(evidence) < (3, 12):
        return not_shown(
            f"{_python(evidence)} forked a multi-threaded process "
            f"with {_n(warned, 'warning')} under `-W default`.",
            "the DeprecationWarning arrived in Python 3.12",
            SHAPE,
            float(warned),
        )
    raised = all(w and w[0].startswith("DeprecationWarning") for w in shown)
    py = _python(evidence)
    what = "a script that forked while a second thread ran"
    if not raised:
        return observed(
            False,
            f"On {py}, {what} did NOT warn, even under `-W default`.",
            float(warned),
        )
    message = shown[0][0].partition(": ")[2].rstrip(".")
    if not all(hidden):
        return observed(
            False,
            f"On {py}, {what} printed its `DeprecationWarning` under the default "
            f"warning filters too: NOT hidden (“{message}”).",
            float(warned),
        )
    return observed(
        True,
        f"On {py}, {what} raised a `DeprecationWarning` that the default warning "
        f"filters hid: the script printed **no** warning, and under `-W default` "
        f"it printed “{message}”.",
        float(warned),
    )


@claim("start_methods")
def main_guard_protects_spawn(evidence: Evidence) -> Claim:
    """Without the guard a spawned child fails in bootstrapping; with it, it runs."""
    runs = evidence.values(lambda r: (r["unguarded"], r["guarded"]))
    failed = all(unguarded["bootstrapping"] for unguarded, _ in runs)
    ran = all("the child ran" in guarded["stdout"] for _, guarded in runs)
    unguarded = evidence.result_as(StartMethods)["unguarded"]
    exit_code = unguarded["stdout"][-1].split()[-1] if unguarded["stdout"] else "?"
    return observed(
        failed and ran,
        f"On {_python(evidence)}, without the guard, the spawned child "
        f"{'failed' if failed else 'did NOT fail'} with the “bootstrapping phase” "
        f"{unguarded['error_type'] or 'error'} (exit code {exit_code}); with it, "
        f"the child {'ran' if ran else 'did NOT run'}.",
        1.0 if failed and ran else 0.0,
    )


# --- dask_vs_pool -------------------------------------------------------------


def dask_table(evidence: Evidence) -> dict[str, Any]:
    """Pooled times, speedups and per-task costs, with intervals."""
    return {
        "serial": evidence.timing("cpu", "serial"),
        "cpu": {
            kind: {
                "time": evidence.timing("cpu", kind),
                "speedup": evidence.ratio("cpu", "serial", kind),
            }
            for kind in ("pool", "dask")
        },
        "per_task": {
            kind: per_call_seconds(evidence, "tiny", "tiny_per_timing", kind)
            for kind in ("pool", "dask")
        },
        "dask_over_pool": per_call(evidence, "tiny", "tiny_per_timing", "dask", "pool"),
    }


@claim("dask_vs_pool")
def dask_leaves_no_process(evidence: Evidence) -> Claim:
    """After shutdown, every Dask worker process has exited."""
    left = sum(evidence.values(lambda r: len(r["left_behind"])))
    started = sum(evidence.values(lambda r: len(r["started_pids"])))
    runs = len(evidence.runs)
    over = f" over {runs} runs" if runs > 1 else ""
    return observed(
        left == 0,
        f"After shutdown, **{left}** of {started} Dask worker processes{over} "
        f"{'was' if left == 1 else 'were'} left running.",
        float(left),
    )


@claim("dask_vs_pool")
def dask_runs_cpu_work_in_parallel(evidence: Evidence) -> Claim:
    """Dask's worker processes run CPU-bound work in parallel."""
    workers, cores = evidence.result_as(DaskVsPool)["headline_workers"], evidence.cores

    def text(ev: Evidence) -> str:
        gain = ev.ratio("cpu", "serial", "dask").estimate
        pool = ev.ratio("cpu", "serial", "pool").estimate
        return (
            f"**{gain:.2f}×** on {_n(workers, 'worker process')} "
            f"(ProcessPoolExecutor: {pool:.2f}×, {cores} cores)"
        )

    return runs_in_parallel(
        evidence,
        "cpu",
        "serial",
        "dask",
        workers=workers,
        label="Dask vs serial",
        text=text,
        **ran_in_parallel("Dask"),
    )


@claim("dask_vs_pool")
def dask_costs_more_per_task(evidence: Evidence) -> Claim:
    """A tiny task costs several times more on Dask than on a process pool."""
    table = dask_table(evidence)
    ratio = table["dask_over_pool"]
    per = table["per_task"]
    text = (
        f"{per['dask'].estimate * 1e6:.0f} µs against "
        f"{per['pool'].estimate * 1e6:.0f} µs on a process pool, "
        f"**{ratio.estimate:.0f}×**"
    )
    figure = Figure(
        "Dask over pool, per tiny task",
        ratio,
        DASK_OVER_POOL_PER_TASK_MIN,
        "at least",
    )
    return judged(
        f"A tiny task costs more on Dask: {text}.",
        [figure],
        missed=f"A tiny task does NOT cost much more on Dask: {text}.",
    )
