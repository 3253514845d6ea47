"""Claims of the Modern CPython pages, on every interpreter of the matrix.

tests/test_claims.py asserts each claim on this build's own interpreter. The pages
also show them for every other interpreter the build found, so they are asserted
there too: the free-threaded ones wherever a free-threaded Python exists. A claim
an interpreter cannot show (holds is None) skips with its reason.
"""

from __future__ import annotations

import pytest

from measured import across, claims, claims_modern, matrix, runner
from measured.interpreter import probe

MATRIX_EXPERIMENTS = ("gil_across_versions", "start_methods")


def matrix_cases() -> list[tuple[str, str, claims.Check]]:
    cases = []
    interpreters = matrix.current().interpreters()
    for name in MATRIX_EXPERIMENTS:
        for interpreter in interpreters:
            cases += [
                (name, interpreter.command, c) for c in claims.for_experiment(name)
            ]
    for interpreter in interpreters:
        if across.free_threaded_and_twins(interpreter):
            cases += [
                ("free_threading", interpreter.command, c)
                for c in claims.for_experiment("free_threading")
            ]
    return cases


CASES = matrix_cases()


@pytest.mark.parametrize(
    ("experiment", "python", "check"),
    CASES,
    ids=[f"{c.__name__}-{probe(p).label}" for _, p, c in CASES],
)
def test_claim_on_every_interpreter(
    experiment: str, python: str, check: claims.Check
) -> None:
    outcome = check(runner.run(experiment, python=python).result)
    if outcome.holds is None:
        pytest.skip(f"not shown on this interpreter: {outcome.reason}")
    assert outcome.holds, outcome.statement
    assert outcome.figure is not None


def test_subinterpreter_claims_where_the_api_exists() -> None:
    python, how = across.subinterpreter_python()
    if python is None:
        pytest.skip(f"no subinterpreter API in this build: {how}")
    result = runner.run("subinterpreters", python=python.command).result
    assert result["available"], result
    for check in claims.for_experiment("subinterpreters"):
        outcome = check(result)
        if outcome.holds is not None:
            assert outcome.holds, outcome.statement


# Fed contradicting figures, each claim says so instead of passing.
def env(python: str = "3.13.0", *, free: bool = False, gil: bool = True) -> dict:
    return {
        "python": python,
        "free_threaded_build": free,
        "gil_enabled": gil,
        "cores": 2,
        "os": "Linux 6",
    }


def gil_result(threads: float, processes: float, **kw: object) -> dict:
    return {
        "speedup": {"threads": threads, "processes": processes},
        "workers": 2,
        "start_method": "fork",
        "start_seconds": {"thread": {"median": 1e-4}, "process": {"median": 2e-3}},
        "env": env(**kw),
    }


def test_matrix_claims_fail_on_contradicting_figures() -> None:
    assert (
        claims_modern.matrix_threads_do_not_scale_with_gil(gil_result(1.9, 1.9)).holds
        is False
    )
    free = gil_result(1.1, 1.9, python="3.14.0", free=True, gil=False)
    assert claims_modern.matrix_threads_scale_without_gil(free).holds is False
    assert (
        claims_modern.matrix_threads_scale_without_gil(gil_result(1.0, 1.9)).holds
        is None
    )
    good = gil_result(1.8, 1.9, python="3.14.0", free=True, gil=False)
    assert claims_modern.matrix_threads_scale_without_gil(good).holds is True
    assert claims_modern.matrix_processes_scale(gil_result(1.0, 1.1)).holds is False
    slow_thread = gil_result(1.0, 1.9)
    slow_thread["start_seconds"]["thread"]["median"] = 1e-3
    assert claims_modern.thread_starts_faster_than_process(slow_thread).holds is False


def ft_result(best: float, *, gil: bool, lost: int = 0, appends: int = 0) -> dict:
    return {
        "best": {"workers": 2, "speedup": best},
        "race": {
            "threads": 4,
            "rounds": 10,
            "appends_lost": appends,
            "unlocked_lost": lost,
            "locked_lost": 0,
        },
        "gil_controls": None
        if gil
        else {
            "default": False,
            "PYTHON_GIL=1": True,
            "PYTHON_GIL=0": False,
            "legacy_available": True,
            "legacy_before_after": ["False", "False"],
            "legacy_with_PYTHON_GIL=0": ["False", "False"],
        },
        "legacy_extension": "_testsinglephase",
        "env": env("3.14.0", free=not gil, gil=gil),
    }


def test_free_threading_claims_fail_on_contradicting_figures() -> None:
    c = claims_modern
    assert c.free_threaded_threads_scale(ft_result(1.2, gil=False)).holds is False
    assert c.free_threaded_threads_scale(ft_result(1.9, gil=False)).holds is True
    assert c.free_threaded_threads_scale(ft_result(1.9, gil=True)).holds is None
    assert c.gil_build_threads_do_not_scale(ft_result(1.9, gil=True)).holds is False
    assert (
        c.containers_stay_consistent(ft_result(1, gil=False, appends=3)).holds is False
    )
    race = c.unlocked_increments_race_without_gil
    assert race(ft_result(1.9, gil=False, lost=0)).holds is False
    assert race(ft_result(1.9, gil=False, lost=5)).holds is True
    assert race(ft_result(1.0, gil=True, lost=0)).holds is None
    # The legacy import left the GIL off: the claim must not hold.
    assert c.gil_switches_back_on(ft_result(1.9, gil=False)).holds is False
    as_documented = ft_result(1.9, gil=False)
    as_documented["gil_controls"]["legacy_before_after"] = ["False", "True"]
    assert c.gil_switches_back_on(as_documented).holds is True
    assert c.gil_switches_back_on(ft_result(1.0, gil=True)).holds is None


def test_other_claims_fail_on_contradicting_figures() -> None:
    c = claims_modern
    starts = {
        "start_seconds": {"fork": {"median": 0.01}, "spawn": {"median": 0.02}},
        "methods": ["fork", "spawn"],
        "default": "forkserver",
        "fork_warnings": [],
        "unguarded": {"bootstrapping": False, "error_type": "", "stdout": []},
        "guarded": {"stdout": ["the child ran"]},
        "env": env("3.12.1"),
    }
    assert c.spawn_costs_more_than_fork(starts).holds is False
    assert c.default_start_method_on_linux(starts).holds is False
    assert c.fork_with_threads_warns(starts).holds is False
    assert c.main_guard_protects_spawn(starts).holds is False
    assert c.fork_with_threads_warns({**starts, "env": env("3.11.7")}).holds is None
    dask = {
        "left_behind": [123],
        "started_pids": [123, 124],
        "speedup": {"dask": 1.0, "pool": 1.9},
        "per_task_seconds": {"dask": 2e-4, "pool": 1e-4},
        "cores": 2,
        "env": env(),
    }
    assert c.dask_leaves_no_process(dask).holds is False
    assert c.dask_runs_cpu_work_in_parallel(dask).holds is False
    assert c.dask_costs_more_per_task(dask).holds is False
    unavailable = {"available": False, "reason": "no API"}
    assert c.subinterpreters_scale(unavailable).holds is None
    sub = {
        "available": True,
        "cores": 2,
        "speedup": {"interpreters": 1.0, "threads": 1.0},
        "start_seconds": {
            k: {"median": 1e-3} for k in ("interpreter", "thread", "process")
        },
        "legacy_import": {"error_type": "", "message": "worked"},
        "env": env(),
    }
    assert c.subinterpreters_scale(sub).holds is False
    assert c.interpreter_start_costs_more_than_thread(sub).holds is False
    assert c.legacy_extension_refused(sub).holds is False
