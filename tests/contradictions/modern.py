"""Contradicting inputs for the Modern CPython claims and errata facts.

(measured/claims/modern.py, measured/claims/errata_facts.py.) This machine has GIL
builds of CPython 3.11 to 3.13 only, so the claims about a free-threaded build or
Python 3.14 are contradicted on evidence relabelled as measured there
(``with_env``): the claim's logic runs, and must miss.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from measured.claims import Evidence
from measured.run.shapes import modern as shape
from measured.run.shapes.common import RoundsRecord
from measured.run.shapes.errata_facts import ErrataFacts

from . import (
    at_full_pace,
    contradicts,
    each_result,
    like,
    samples_like,
    set_samples,
    with_env,
)

# What a free-threaded 3.14 run looks like, for the claims about one.
FREE_THREADED_ENV = {
    "python": "3.14.0",
    "free_threaded_build": True,
    "gil_enabled": False,
}

# What the free-threading HOWTO documents a free-threaded build doing: PYTHON_GIL
# sets the GIL, and importing a legacy extension switches it back on with a warning.
DOCUMENTED_GIL_CONTROLS: shape.GilControls = {
    "default": "False",
    "PYTHON_GIL=1": "True",
    "PYTHON_GIL=0": "False",
    "legacy_returncode": 0,
    "legacy_before_after": ["False", "True"],
    "legacy_warning": "RuntimeWarning: The global interpreter lock (GIL) ...",
    "legacy_with_PYTHON_GIL=0": ["False", "False"],
}


# What the 3.14 docs say a free-threaded build does with context variables
# (sys.flags, Doc/using/cmdline.rst -X thread_inherit_context): both flags on by
# default, a new Thread sees its creator's value, and -X thread_inherit_context=0
# starts it with an empty context. A 3.14 GIL build is the mirror image.
DOCUMENTED_CONTEXT_FREE_THREADED: shape.ContextInheritance = {
    "flags": {"thread_inherit_context": 1, "context_aware_warnings": 1},
    "seen": "inherited",
    "flipped": {"flag": 0, "seen": "empty"},
}
DOCUMENTED_CONTEXT_GIL_314: shape.ContextInheritance = {
    "flags": {"thread_inherit_context": 0, "context_aware_warnings": 0},
    "seen": "empty",
    "flipped": {"flag": 1, "seen": "inherited"},
}


def _cpu(
    result: shape.GilAcrossVersions
    | shape.FreeThreading
    | shape.Subinterpreters
    | shape.DaskVsPool,
) -> RoundsRecord:
    """The CPU-bound rounds (every modern experiment times its work as "cpu")."""
    return result["cpu"]


def _per_call_like(
    evidence: Evidence, read: str, sizes_key: str, name: str, other: str, times: float
) -> Evidence:
    """``name``'s batches made to take ``times`` as long per call as ``other``'s."""
    sizes = evidence.result[sizes_key]
    factor = times * sizes[name] / sizes[other]
    return set_samples(evidence, lambda r: r[read], name, like(other, factor))


# --- gil_across_versions ----------------------------------------------------------


@contradicts("matrix_threads_do_not_scale_with_gil")
def gil_threads_twice_as_fast(evidence: Evidence) -> Evidence:
    return set_samples(at_full_pace(evidence), _cpu, "threads", like("serial", 0.5))


@contradicts("matrix_threads_scale_without_gil")
def free_threaded_threads_as_slow_as_serial(evidence: Evidence) -> Evidence:
    free = with_env(at_full_pace(evidence), **FREE_THREADED_ENV)
    return set_samples(free, _cpu, "threads", like("serial"))


@contradicts("matrix_processes_scale")
def processes_as_slow_as_serial_atat_full_pace(evidence: Evidence) -> Evidence:
    return set_samples(at_full_pace(evidence), _cpu, "processes", like("serial"))


@contradicts("thread_starts_faster_than_process")
def process_starts_barely_dearer(evidence: Evidence) -> Evidence:
    return _per_call_like(
        at_full_pace(evidence), "starts", "starts_per_batch", "process", "thread", 2.0
    )


# --- free_threading ---------------------------------------------------------------


def _headline(evidence: Evidence) -> str:
    return f"threads {evidence.result_as(shape.FreeThreading)['headline_workers']}"


@contradicts("free_threaded_threads_scale")
def free_threaded_pool_as_slow_as_serial(evidence: Evidence) -> Evidence:
    free = with_env(evidence, **FREE_THREADED_ENV)
    return set_samples(free, _cpu, _headline(evidence), like("serial"))


@contradicts("gil_build_threads_do_not_scale")
def gil_build_threads_twice_as_fast(evidence: Evidence) -> Evidence:
    return set_samples(evidence, _cpu, _headline(evidence), like("serial", 0.5))


@contradicts("containers_stay_consistent")
def appends_lost(evidence: Evidence) -> Evidence:
    """Relabelled free-threaded: concurrent appends lost items."""

    def edit(result: shape.FreeThreading) -> None:
        result["race"]["appended"] = result["race"]["expected"] - 3

    return each_result(with_env(evidence, **FREE_THREADED_ENV), edit)


@contradicts("unlocked_increments_race_without_gil")
def free_threaded_increments_lose_nothing(evidence: Evidence) -> Evidence:
    def edit(result: shape.FreeThreading) -> None:
        race = result["race"]
        race["unlocked_hits"] = race["locked_hits"] = race["expected"]

    return each_result(with_env(evidence, **FREE_THREADED_ENV), edit)


@contradicts("gil_switches_back_on")
def legacy_import_leaves_the_gil_off(evidence: Evidence) -> Evidence:
    """As documented, except that importing the legacy module left the GIL off."""

    def edit(result: shape.FreeThreading) -> None:
        result["gil_controls"] = {
            **copy.deepcopy(DOCUMENTED_GIL_CONTROLS),
            "legacy_before_after": ["False", "False"],
            "legacy_warning": "",
        }

    return each_result(with_env(evidence, **FREE_THREADED_ENV), edit)


@contradicts("threads_inherit_context_as_documented")
def free_threaded_build_with_gil_build_flags(evidence: Evidence) -> Evidence:
    """Relabelled 3.14t, but both flags off by default, as on a GIL build."""

    def edit(result: shape.FreeThreading) -> None:
        result["context"] = copy.deepcopy(DOCUMENTED_CONTEXT_GIL_314)

    return each_result(with_env(evidence, **FREE_THREADED_ENV), edit)


# --- subinterpreters --------------------------------------------------------------


def _synthetic_subinterpreters(result: shape.Subinterpreters) -> shape.Subinterpreters:
    """A plausible available result, for a build with no subinterpreter API."""
    rounds = 9
    cores = result["env"]["cores"]

    def record(samples: dict[str, float]) -> RoundsRecord:
        return {
            "kind": "rounds",
            "rounds": rounds,
            "warmup": 1,
            "samples": {k: [v] * rounds for k, v in samples.items()},
        }

    return {
        **result,
        "available": True,
        "source": "synthetic",
        "cores": cores,
        "tasks": 2 * cores,
        "size": 2_000_000,
        "headline_workers": cores,
        "hello": "hello from a subinterpreter",
        "starts": record({"thread": 0.035, "interpreter": 0.034}),
        "starts_per_batch": {"thread": 400, "interpreter": 4},
        "start_settle_seconds": 0.05,
        "cpu": record(
            {"serial": 0.11, "threads": 0.11, "processes": 0.06, "interpreters": 0.058}
        ),
        "pool_starts": record(
            {"threads": 0.03, "processes": 0.02, "interpreters": 0.09}
        ),
        "pool_starts_per_batch": {"threads": 10, "processes": 1, "interpreters": 1},
        "start_hold_seconds": 0.001,
        "tiny": record({"threads": 0.009, "processes": 0.02, "interpreters": 0.015}),
        "tiny_per_batch": {"threads": 1000, "processes": 200, "interpreters": 200},
        "memory": {"threads": 0, "processes": 4 << 20, "interpreters": 20 << 20},
        "process_start_method": "forkserver",
        "shareable": {"int": True, "list": False, "memoryview": True},
        "shared_buffer": {"passed": True, "seen_here": 42, "error": ""},
        "process_wide": {
            "cwd_shared": True,
            "fd_shared": True,
            "signal_error": "ValueError: signal only works in main thread of the "
            "main interpreter",
        },
        "legacy_import": {
            "error_type": "ImportError",
            "message": "module _testsinglephase does not support loading in "
            "subinterpreters",
        },
    }


def _available(evidence: Evidence) -> Evidence:
    """Evidence of a run that had the API: the page's own run, else a synthetic one.

    The test suite judges this build's interpreter, which may lack the API (3.11);
    the subinterpreter page measures on 3.14 or on 3.13 with the backport.
    """
    if evidence.result_as(shape.Subinterpreters)["available"]:
        return evidence
    from measured.run import runner
    from measured.web import across, render

    python, _ = across.subinterpreter_python()
    if python is not None:
        run = runner.run("subinterpreters", python=python.command)
        if render.evidence(run).result_as(shape.Subinterpreters)["available"]:
            return render.evidence(run)
    return each_result(
        evidence,
        lambda result: result.update(_synthetic_subinterpreters(copy.deepcopy(result))),
    )


@contradicts("subinterpreters_scale")
def interpreters_as_slow_as_serial(evidence: Evidence) -> Evidence:
    return set_samples(_available(evidence), _cpu, "interpreters", like("serial"))


@contradicts("interpreter_start_costs_more_than_thread")
def interpreters_start_like_threads(evidence: Evidence) -> Evidence:
    return _per_call_like(
        _available(evidence), "starts", "starts_per_batch", "interpreter", "thread", 2
    )


@contradicts("legacy_extension_refused")
def legacy_extension_loads(evidence: Evidence) -> Evidence:
    def edit(result: shape.Subinterpreters) -> None:
        result["legacy_import"] = {
            "error_type": "",
            "message": "import _testsinglephase worked",
        }

    return each_result(_available(evidence), edit)


# --- start_methods ----------------------------------------------------------------


@contradicts("spawn_start_dearer_than_fork")
def spawn_barely_dearer_than_fork(evidence: Evidence) -> Evidence:
    return _per_call_like(evidence, "starts", "starts_per_batch", "spawn", "fork", 2.0)


@contradicts("default_start_method_as_documented")
def python_314_still_forks(evidence: Evidence) -> Evidence:
    """Relabelled 3.14 (documented default: forkserver); the child still forked."""

    def edit(result: shape.StartMethods) -> None:
        result["default"] = "fork"
        result["default_start"]["marker"] = result["run_time_marker"]

    return each_result(with_env(evidence, python="3.14.0"), edit)


@contradicts("fork_with_threads_warns")
def python_312_forks_silently(evidence: Evidence) -> Evidence:
    """Relabelled 3.12: the script printed no warning, even under -W default."""

    def edit(result: shape.StartMethods) -> None:
        result["fork_warnings"] = {"default filters": [], "-W default": []}

    return each_result(with_env(evidence, python="3.12.1"), edit)


@contradicts("main_guard_protects_spawn")
def unguarded_child_runs(evidence: Evidence) -> Evidence:
    def edit(result: shape.StartMethods) -> None:
        result["unguarded"]["bootstrapping"] = False
        result["unguarded"]["stdout"] = ["the child ran", "child exit code 0"]

    return each_result(evidence, edit)


# --- dask_vs_pool -----------------------------------------------------------------


@contradicts("dask_leaves_no_process")
def a_dask_worker_survives(evidence: Evidence) -> Evidence:
    def edit(result: shape.DaskVsPool) -> None:
        result["left_behind"] = result["started_pids"][:1]

    return each_result(evidence, edit)


samples_like("dask_runs_cpu_work_in_parallel", _cpu, "dask", "serial")


@contradicts("dask_costs_more_per_task")
def dask_tiny_tasks_as_cheap_as_the_pool(evidence: Evidence) -> Evidence:
    return _per_call_like(evidence, "tiny", "tiny_per_timing", "dask", "pool", 1.0)


# --- errata_facts -----------------------------------------------------------------


def _set(key: str, value: list[str]) -> Callable[[ErrataFacts], None]:
    def edit(result: ErrataFacts) -> None:
        result[key] = value  # type: ignore[literal-required]

    return edit


@contradicts("thread_has_more_than_start_and_join")
def thread_with_two_methods(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set("thread_api", ["join", "start"]))


@contradicts("process_api_mirrors_thread_api")
def process_adds_nothing(evidence: Evidence) -> Evidence:
    def edit(result: ErrataFacts) -> None:
        result["process_api"] = list(result["thread_api"])

    return each_result(evidence, edit)


@contradicts("primitives_exist_in_both_modules")
def two_primitives_in_both(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set("primitives_in_both", ["Lock", "Event"]))


@contradicts("stdlib_has_more_than_two_tools")
def two_tools_only(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set("stdlib_tools", ["threading", "multiprocessing"]))


@contradicts("open_socket_can_be_sent_to_a_process")
def socket_refused(evidence: Evidence) -> Evidence:
    def edit(result: ErrataFacts) -> None:
        result["socket_sent"]["writer_pid"] = None
        result["socket_sent"]["error"] = "TypeError: cannot pickle 'socket' object"

    return each_result(evidence, edit)


@contradicts("thread_locals_are_reachable_from_other_threads")
def locals_private_to_each_thread(evidence: Evidence) -> Evidence:
    """Each condition broken: no local read from outside, no change seen, and a
    module-level list that only one thread's entry reached."""

    def edit(result: ErrataFacts) -> None:
        held = result["thread_locals"]
        for row in held["threads"]:
            row["local_read"] = None
            row["saw_change"] = False
        held["shared_list"] = held["shared_list"][:1]

    return each_result(evidence, edit)


@contradicts("thread_error_is_reported_not_raised")
def thread_error_lost(evidence: Evidence) -> Evidence:
    """Each condition broken: a replaced hook, nothing printed, and the other thread
    stopped by the failure."""

    def edit(result: ErrataFacts) -> None:
        result["thread_error"] = {
            "default_hook": False,
            "stderr": "",
            "other_finished": False,
        }

    return each_result(evidence, edit)
