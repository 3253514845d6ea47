"""Claims of the "Modern CPython" pages and "Beyond one machine".

Registered on import (measured/claims.py imports this module at its end). Each
function reads one run of an experiment; the interpreter-matrix pages call them
once per interpreter, so a claim that needs a free-threaded build or Python 3.12+
returns ``holds=None`` with the reason on the others.
"""

from __future__ import annotations

import sys
from typing import Any

from .claims import (
    ONE_CORE,
    PROCESSES_MIN_SPEEDUP,
    THREADS_MAX_SPEEDUP_WITH_GIL,
    Claim,
    claim,
)

Result = dict[str, Any]

FREE_THREADED_MIN_SPEEDUP = 1.4  # threads, GIL off, >= 2 cores; ideal 2.0 on 2
SUBINTERPRETERS_MIN_SPEEDUP = 1.4  # each interpreter has its own GIL
DASK_MIN_SPEEDUP = 1.4  # worker processes on >= 2 cores
# Start costs differ by an order of magnitude (0.1 ms vs 2 ms vs 50 ms): a factor
# of 5 survives any noise and still catches a wrong ordering.
START_COST_FACTOR = 5.0
DASK_OVERHEAD_FACTOR = 3.0  # per tiny task, Dask vs a local process pool


def _python(result: Result) -> str:
    env = result["env"]
    build = "t" if env["free_threaded_build"] else ""
    return f"Python {env['python']}{build}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _version(result: Result) -> tuple[int, int]:
    major, minor = result["env"]["python"].split(".")[:2]
    return int(major), int(minor)


def _one_core(result: Result, figure: str, gain: float) -> Claim | None:
    if result["env"]["cores"] < 2:
        return Claim(None, figure, ONE_CORE, gain)
    return None


def _no_gil_claim(what: str, gain: float) -> Claim:
    return Claim(
        None,
        what,
        "this interpreter runs with the GIL; a free-threaded build (3.14t) "
        "is not measured here",
        gain,
    )


# --- gil_across_versions ------------------------------------------------------


@claim("gil_across_versions")
def matrix_threads_do_not_scale_with_gil(result: Result) -> Claim:
    gain = result["speedup"]["threads"]
    figure = f"**{gain:.2f}×** with {result['workers']} threads on {_python(result)}"
    if not result["env"]["gil_enabled"]:
        return Claim(
            None,
            f"Threads reached {figure} with the GIL off.",
            "this interpreter runs without the GIL",
            gain,
        )
    holds = gain <= THREADS_MAX_SPEEDUP_WITH_GIL
    verdict = "gave no speedup" if holds else "unexpectedly sped the work up"
    return Claim(holds, f"Threads {verdict}: {figure} (GIL build).", figure=gain)


@claim("gil_across_versions")
def matrix_threads_scale_without_gil(result: Result) -> Claim:
    gain = result["speedup"]["threads"]
    figure = f"**{gain:.2f}×** with {result['workers']} threads on {_python(result)}"
    if result["env"]["gil_enabled"]:
        return _no_gil_claim(f"Threads reached {figure}.", gain)
    if none := _one_core(result, figure, gain):
        return none
    holds = gain >= FREE_THREADED_MIN_SPEEDUP
    verdict = "ran in parallel" if holds else "did NOT run in parallel"
    return Claim(holds, f"Threads {verdict} with the GIL off: {figure}.", figure=gain)


@claim("gil_across_versions")
def matrix_processes_scale(result: Result) -> Claim:
    gain = result["speedup"]["processes"]
    figure = f"**{gain:.2f}×** with {result['workers']} processes on {_python(result)}"
    if none := _one_core(result, figure, gain):
        return none
    holds = gain >= PROCESSES_MIN_SPEEDUP
    verdict = "ran the work in parallel" if holds else "did NOT speed the work up"
    return Claim(holds, f"Processes {verdict}: {figure}.", figure=gain)


@claim("gil_across_versions")
def thread_starts_faster_than_process(result: Result) -> Claim:
    thread = result["start_seconds"]["thread"]["median"]
    process = result["start_seconds"]["process"]["median"]
    ratio = process / thread
    holds = ratio >= START_COST_FACTOR
    verdict = "far cheaper" if holds else "NOT much cheaper"
    return Claim(
        holds,
        f"Starting a thread is {verdict} than starting a process "
        f"({result['start_method']}): {thread * 1e3:.2f} ms against "
        f"{process * 1e3:.2f} ms on {_python(result)}, **{ratio:.0f}×**.",
        figure=ratio,
    )


# --- free_threading -----------------------------------------------------------


@claim("free_threading")
def free_threaded_threads_scale(result: Result) -> Claim:
    best = result["best"]
    gain = best["speedup"]
    threads = _n(best["workers"], "thread")
    figure = f"**{gain:.2f}×** with {threads} on {_python(result)}"
    if result["env"]["gil_enabled"]:
        return _no_gil_claim(f"Threads reached {figure}.", gain)
    if none := _one_core(result, figure, gain):
        return none
    holds = gain >= FREE_THREADED_MIN_SPEEDUP
    verdict = "ran pure-Python work in parallel" if holds else "did NOT scale"
    return Claim(holds, f"Free-threaded threads {verdict}: {figure}.", figure=gain)


@claim("free_threading")
def gil_build_threads_do_not_scale(result: Result) -> Claim:
    best = result["best"]
    gain = best["speedup"]
    threads = _n(best["workers"], "thread")
    figure = f"**{gain:.2f}×** at best ({threads}, {_python(result)})"
    if not result["env"]["gil_enabled"]:
        return Claim(
            None,
            f"Threads reached {figure}.",
            "this interpreter runs without the GIL",
            gain,
        )
    holds = gain <= THREADS_MAX_SPEEDUP_WITH_GIL
    verdict = "gave no speedup" if holds else "unexpectedly scaled"
    return Claim(holds, f"On the GIL build, threads {verdict}: {figure}.", figure=gain)


@claim("free_threading")
def containers_stay_consistent(result: Result) -> Claim:
    race = result["race"]
    lost = race["appends_lost"] + race["locked_lost"]
    holds = lost == 0
    verdict = "lost nothing" if holds else f"LOST {lost:,} operations"
    return Claim(
        holds,
        f"{race['threads']} threads × {race['rounds']:,} `list.append` calls, and "
        f"as many locked `+=` on one dict, {verdict} on {_python(result)}.",
        figure=float(lost),
    )


@claim("free_threading")
def unlocked_increments_race_without_gil(result: Result) -> Claim:
    race = result["race"]
    lost = race["unlocked_lost"]
    total = race["threads"] * race["rounds"]
    figure = f"{lost:,} of {total:,} unlocked `counts['hits'] += 1` lost"
    if result["env"]["gil_enabled"]:
        return Claim(
            None,
            f"{figure} on {_python(result)}.",
            "with the GIL, CPython switches threads only at calls and backward "
            "jumps, so this read-add-write never interleaves here",
            float(lost),
        )
    if none := _one_core(result, figure, float(lost)):
        return none
    holds = lost > 0
    verdict = "lost updates" if holds else "happened to lose nothing"
    return Claim(
        holds,
        f"Without the GIL, an unlocked `+=` {verdict}: {figure} "
        f"on {_python(result)}. The Lock version lost none.",
        figure=float(lost),
    )


@claim("free_threading")
def gil_switches_back_on(result: Result) -> Claim:
    controls = result["gil_controls"]
    if controls is None:
        return Claim(
            None,
            "PYTHON_GIL and legacy extensions only matter on a free-threaded build.",
            "this interpreter is a GIL build",
        )
    checks = [
        not controls["default"],
        controls["PYTHON_GIL=1"],
        not controls["PYTHON_GIL=0"],
    ]
    legacy = ""
    if controls["legacy_available"]:
        before, after = controls["legacy_before_after"]
        forced_off = controls["legacy_with_PYTHON_GIL=0"] == ["False", "False"]
        checks += [before == "False" and after == "True", forced_off]
        legacy = (
            f"; importing `{result['legacy_extension']}` turned it "
            f"{'on' if after == 'True' else 'NOT on'}, unless `PYTHON_GIL=0` "
            f"{'kept it off' if forced_off else 'did NOT keep it off'}"
        )
    holds = all(checks)
    return Claim(
        holds,
        f"On {_python(result)} the GIL is "
        f"{'off' if not controls['default'] else 'ON'} by default, "
        f"{'on' if controls['PYTHON_GIL=1'] else 'NOT on'} with `PYTHON_GIL=1`"
        f"{legacy}.",
        figure=float(sum(checks)),
    )


# --- subinterpreters ----------------------------------------------------------


def _unavailable(result: Result, statement: str) -> Claim | None:
    if not result["available"]:
        return Claim(None, statement, f"not measured here: {result['reason']}")
    return None


@claim("subinterpreters")
def subinterpreters_scale(result: Result) -> Claim:
    if none := _unavailable(result, "Subinterpreters run CPU-bound work in parallel."):
        return none
    gain = result["speedup"]["interpreters"]
    threads = result["speedup"]["threads"]
    figure = (
        f"**{gain:.2f}×** with {result['cores']} interpreters "
        f"(threads: {threads:.2f}×) on {_python(result)}"
    )
    if none := _one_core(result, figure, gain):
        return none
    holds = gain >= SUBINTERPRETERS_MIN_SPEEDUP
    verdict = "ran in parallel" if holds else "did NOT run in parallel"
    return Claim(holds, f"Subinterpreters {verdict}: {figure}.", figure=gain)


@claim("subinterpreters")
def interpreter_start_costs_more_than_thread(result: Result) -> Claim:
    if none := _unavailable(
        result, "Creating an interpreter costs more than a thread."
    ):
        return none
    starts = {k: v["median"] for k, v in result["start_seconds"].items()}
    ratio = starts["interpreter"] / starts["thread"]
    holds = ratio >= START_COST_FACTOR
    return Claim(
        holds,
        "Creating and closing an interpreter took "
        f"{starts['interpreter'] * 1e3:.1f} ms, **{ratio:.0f}×** a thread "
        f"({starts['thread'] * 1e3:.2f} ms); a process took "
        f"{starts['process'] * 1e3:.1f} ms.",
        figure=ratio,
    )


@claim("subinterpreters")
def legacy_extension_refused(result: Result) -> Claim:
    if none := _unavailable(result, "Legacy extension modules refuse to load."):
        return none
    legacy = result["legacy_import"]
    if not legacy["error_type"] and "not built" in legacy["message"]:
        statement = "Legacy extension modules refuse to load."
        return Claim(None, statement, legacy["message"])
    holds = legacy["error_type"] == "ImportError"
    return Claim(
        holds,
        f"A single-phase-init extension {'refused' if holds else 'did NOT refuse'}"
        f" to load in a subinterpreter: “{legacy['message']}”.",
        figure=1.0 if holds else 0.0,
    )


# --- start_methods ------------------------------------------------------------


@claim("start_methods")
def spawn_costs_more_than_fork(result: Result) -> Claim:
    starts = {k: v["median"] for k, v in result["start_seconds"].items()}
    if "fork" not in starts:
        return Claim(
            None,
            "spawn costs more than fork.",
            f"this platform ({sys.platform}) has no fork",
        )
    ratio = starts["spawn"] / starts["fork"]
    holds = ratio >= START_COST_FACTOR
    return Claim(
        holds,
        f"spawn took {starts['spawn'] * 1e3:.0f} ms per process, **{ratio:.0f}×** "
        f"fork ({starts['fork'] * 1e3:.1f} ms), on {_python(result)}.",
        figure=ratio,
    )


@claim("start_methods")
def default_start_method_on_linux(result: Result) -> Claim:
    expected = "forkserver" if _version(result) >= (3, 14) else "fork"
    statement = (
        f"The default start method on {_python(result)} is `{result['default']}`"
    )
    if not result["env"]["os"].startswith("Linux"):
        return Claim(None, statement + ".", "the fork → forkserver change is Linux's")
    holds = result["default"] == expected
    return Claim(
        holds,
        statement + ("." if holds else f", NOT `{expected}` as documented."),
        figure=1.0 if holds else 0.0,
    )


@claim("start_methods")
def fork_with_threads_warns(result: Result) -> Claim:
    warned = [w for w in result["fork_warnings"] if "multi-threaded" in w]
    if "fork" not in result["methods"]:
        return Claim(None, "fork warns.", f"this platform ({sys.platform}) has no fork")
    if _version(result) < (3, 12):
        return Claim(
            None,
            f"{_python(result)} forked a multi-threaded process without a warning.",
            "the DeprecationWarning arrived in Python 3.12",
            float(len(warned)),
        )
    holds = bool(warned) and warned[0].startswith("DeprecationWarning")
    return Claim(
        holds,
        f"{_python(result)} {'warned' if holds else 'did NOT warn'} when forking "
        "while another thread ran.",
        figure=float(len(warned)),
    )


@claim("start_methods")
def main_guard_protects_spawn(result: Result) -> Claim:
    unguarded, guarded = result["unguarded"], result["guarded"]
    holds = unguarded["bootstrapping"] and "the child ran" in guarded["stdout"]
    return Claim(
        holds,
        f"On {_python(result)}, without the guard, the spawned child "
        f"{'failed' if unguarded['bootstrapping'] else 'did NOT fail'} with the "
        f"“bootstrapping phase” {unguarded['error_type']} (exit code "
        f"{unguarded['stdout'][-1].split()[-1] if unguarded['stdout'] else '?'}); "
        f"with it, the child {'ran' if holds else 'did NOT run'}.",
        figure=1.0 if holds else 0.0,
    )


# --- dask_vs_pool -------------------------------------------------------------


@claim("dask_vs_pool")
def dask_leaves_no_process(result: Result) -> Claim:
    left = result["left_behind"]
    holds = not left
    return Claim(
        holds,
        f"After shutdown, {len(left)} of {len(result['started_pids'])} Dask worker "
        "processes were left running.",
        figure=float(len(left)),
    )


@claim("dask_vs_pool")
def dask_runs_cpu_work_in_parallel(result: Result) -> Claim:
    gain = result["speedup"]["dask"]
    pool = result["speedup"]["pool"]
    figure = (
        f"**{gain:.2f}×** on {result['cores']} worker processes "
        f"(ProcessPoolExecutor: {pool:.2f}×)"
    )
    if none := _one_core(result, figure, gain):
        return none
    holds = gain >= DASK_MIN_SPEEDUP
    verdict = "ran the work in parallel" if holds else "did NOT speed the work up"
    return Claim(holds, f"Dask {verdict}: {figure}.", figure=gain)


@claim("dask_vs_pool")
def dask_costs_more_per_task(result: Result) -> Claim:
    per_task = result["per_task_seconds"]
    ratio = per_task["dask"] / per_task["pool"]
    holds = ratio >= DASK_OVERHEAD_FACTOR
    verdict = "costs more" if holds else "does NOT cost much more"
    return Claim(
        holds,
        f"A tiny task {verdict} on Dask: {per_task['dask'] * 1e6:.0f} µs against "
        f"{per_task['pool'] * 1e6:.0f} µs on a process pool, **{ratio:.0f}×**.",
        figure=ratio,
    )
