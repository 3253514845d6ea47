"""The claims the pages print, asserted from the measured JSON results.

The results come from the same runner and cache the site build uses, so the test
checks the very figures a reader sees. Where the machine cannot show a claim (one
core, no GIL), the test skips with the reason the page prints.
"""

from __future__ import annotations

import pytest

from measured import claims, claims_part1, runner

REGISTERED = [
    (experiment, check)
    for experiment, checks in claims.REGISTRY.items()
    for check in checks
]


@pytest.mark.parametrize(
    ("experiment", "check"), REGISTERED, ids=[c.__name__ for _, c in REGISTERED]
)
def test_registered_claim_holds(experiment: str, check: claims.Check) -> None:
    """Every claim a page prints, against the result this build shows."""
    outcome = check(runner.run(experiment).result)
    if outcome.holds is None:
        pytest.skip(f"not shown on this machine: {outcome.reason}")
    assert outcome.holds, outcome.statement
    assert outcome.figure is not None, "a claim states the figure it rests on"


@pytest.fixture(scope="module")
def cpu_bound() -> dict:
    return runner.run("cpu_bound").result


def test_every_configuration_was_measured(cpu_bound: dict) -> None:
    cores = cpu_bound["cores"]
    for kind in ("threads", "processes"):
        workers = [r["workers"] for r in cpu_bound["rows"] if r["kind"] == kind]
        assert workers == list(range(1, 2 * cores + 1))
    for row in cpu_bound["rows"]:
        assert len(row["timing"]["samples"]) >= 5


# The claim functions themselves must be able to fail: fed a contradicting
# result, each says so instead of passing.
def fake(cores: int, gil: bool, threads: float, processes: float) -> dict:
    return {
        "cores": cores,
        "env": {"gil_enabled": gil},
        "best": {
            "threads": {"workers": cores, "speedup": threads},
            "processes": {"workers": cores, "speedup": processes},
        },
    }


def test_claims_fail_on_contradicting_figures() -> None:
    assert claims.processes_scale(fake(2, True, 1.0, 1.1)).holds is False
    assert claims.threads_do_not_scale_with_gil(fake(2, True, 1.8, 1.9)).holds is False
    assert claims.processes_scale(fake(2, True, 1.0, 1.9)).holds is True


def test_claims_are_not_shown_where_the_machine_cannot() -> None:
    one_core = claims.processes_scale(fake(1, True, 1.0, 1.0))
    assert one_core.holds is None and "one usable core" in one_core.reason
    no_gil = claims.threads_do_not_scale_with_gil(fake(2, False, 1.9, 1.9))
    assert no_gil.holds is None and "without the GIL" in no_gil.reason


def test_claims_are_registered_per_experiment() -> None:
    assert claims.for_experiment("cpu_bound") == [
        claims.processes_scale,
        claims.threads_do_not_scale_with_gil,
        claims_part1.more_processes_than_cores_gain_nothing,
    ]
    assert claims.for_experiment("no_such_experiment") == []


def test_every_registered_experiment_exists() -> None:
    for name in claims.REGISTRY:
        assert runner.resolve(name).is_file()
