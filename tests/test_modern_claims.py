"""Claims of the Modern CPython pages, on every interpreter of the matrix.

tests/test_claims.py judges each claim on this build's own interpreter and feeds it
its recorded contradiction (tests/contradictions/modern.py). The pages also show
the matrix claims for every other interpreter the build found, so they are judged
there too. A claim an interpreter cannot show skips with its reason.

This machine has no free-threaded build and no 3.14: the claims about one are
also fed the real runs relabelled as measured there, with data that agree with
the statement, to show they can hold, not only miss.
"""

from __future__ import annotations

import copy
import re

import pytest
from conftest import ROOT
from contradictions import each_result, like, set_samples, with_env
from contradictions.modern import DOCUMENTED_GIL_CONTROLS, FREE_THREADED_ENV

from measured import claims
from measured.claims import modern as claims_modern
from measured.run import matrix, runner
from measured.run.interpreter import probe
from measured.web import across, render

# The experiments the pages show on every interpreter of the matrix: those named
# by a matrix directive (measured/web/directives.py) in docs/.
MATRIX_EXPERIMENTS = sorted(
    {
        name
        for page in (ROOT / "docs").rglob("*.md")
        for name in re.findall(
            r"^\s*matrix-(?:verdicts|outputs)\s+(\w+)", page.read_text(), re.M
        )
    }
)


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


def evidence(experiment: str, python: str | None = None) -> claims.Evidence:
    return render.evidence(runner.run(experiment, python=python))


@pytest.mark.parametrize(
    ("experiment", "python", "check"),
    CASES,
    ids=[f"{c.__name__}-{probe(p).label}" for _, p, c in CASES],
)
def test_claim_on_every_interpreter(
    experiment: str, python: str, check: claims.Check
) -> None:
    outcome = check(evidence(experiment, python))
    if outcome.holds is None:
        pytest.skip(f"not shown on this interpreter ({outcome.why}): {outcome.reason}")
    assert outcome.holds, outcome.statement
    assert outcome.figure is not None


def test_subinterpreter_claims_where_the_api_exists() -> None:
    python, how = across.subinterpreter_python()
    if python is None:
        pytest.skip(f"no subinterpreter API in this build: {how}")
    found = evidence("subinterpreters", python.command)
    assert found.result["available"], found.result
    for check in claims.for_experiment("subinterpreters"):
        outcome = check(found)
        assert outcome.holds is not False, outcome.statement


# --- claims about a free-threaded build can hold, not only miss ----------------------


def free_threaded(experiment: str) -> claims.Evidence:
    """This build's runs, relabelled as measured on a free-threaded 3.14."""
    return with_env(evidence(experiment), **FREE_THREADED_ENV)


def test_free_threaded_threads_that_scale_hold() -> None:
    real = free_threaded("free_threading")
    key = f"threads {real.result['headline_workers']}"
    scaled = set_samples(real, lambda r: r["cpu"], key, like("serial", 0.5))
    assert claims_modern.free_threaded_threads_scale(scaled).holds is True
    # ... and the GIL-build claim steps aside on such a build.
    assert claims_modern.gil_build_threads_do_not_scale(scaled).holds is None


def test_matrix_threads_that_scale_without_gil_hold() -> None:
    real = free_threaded("gil_across_versions")
    scaled = set_samples(real, lambda r: r["cpu"], "threads", like("serial", 0.5))
    assert claims_modern.matrix_threads_scale_without_gil(scaled).holds is True
    assert claims_modern.matrix_threads_do_not_scale_with_gil(scaled).holds is None


def test_free_threaded_race_and_gil_controls_hold_as_documented() -> None:
    def as_documented(result: dict) -> None:
        race = result["race"]
        race["unlocked_hits"] = race["expected"] - 5
        race["locked_hits"] = race["expected"]
        result["gil_controls"] = copy.deepcopy(DOCUMENTED_GIL_CONTROLS)

    found = each_result(free_threaded("free_threading"), as_documented)
    assert claims_modern.unlocked_increments_race_without_gil(found).holds is True
    assert claims_modern.gil_switches_back_on(found).holds is True
    assert claims_modern.containers_stay_consistent(found).holds is True


def test_containers_on_a_gil_build_are_a_control_not_evidence() -> None:
    outcome = claims_modern.containers_stay_consistent(evidence("free_threading"))
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert "control" in outcome.statement


def test_python_314_forkserver_default_holds_when_observed() -> None:
    """Relabelled 3.14, a child that behaved as forkserver matches the docs."""

    def forkserver(result: dict) -> None:
        result["default"] = "forkserver"
        seen = result["default_start"]
        seen["marker"] = "as imported"
        seen["child_ppid"] = seen["parent_pid"] + 1

    found = each_result(
        with_env(evidence("start_methods"), python="3.14.0"), forkserver
    )
    assert claims_modern.default_start_method_as_documented(found).holds is True


@pytest.mark.parametrize("python", ["3.14.0", "3.14.1", "3.15.0"])
def test_forkserver_default_statement_says_only_what_a_child_sees(python: str) -> None:
    """On versions this machine does not have, a forkserver default holds, and the
    statement says what the child observed, never who imported the script: a
    preloaded __main__ (GH-135295, 3.13.8/3.14.1) looks the same from inside."""
    wording = "it saw the script as freshly imported"

    def forkserver(result: dict) -> None:
        result["default"] = "forkserver"
        seen = result["default_start"]
        seen["marker"] = "as imported"
        seen["child_ppid"] = seen["parent_pid"] + 1

    found = each_result(with_env(evidence("start_methods"), python=python), forkserver)
    outcome = claims_modern.default_start_method_as_documented(found)
    assert outcome.holds is True
    assert wording in outcome.statement
    assert "imported it, once" not in outcome.statement


def test_a_fork_warning_shown_by_default_filters_is_a_miss() -> None:
    """The statement says the default filters hide the warning: if a 3.12+ run
    printed it under them too, the claim misses."""

    def shown_by_default(result: dict) -> None:
        printed = result["fork_warnings"]
        warning = "DeprecationWarning: This process is multi-threaded, use of fork()"
        printed["default filters"] = printed["-W default"] = [warning]

    found = each_result(
        with_env(evidence("start_methods"), python="3.12.1"), shown_by_default
    )
    outcome = claims_modern.fork_with_threads_warns(found)
    assert outcome.holds is False and "NOT hidden" in outcome.statement
