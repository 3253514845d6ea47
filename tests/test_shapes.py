"""Every experiment's result has one declared shape, and every result fits it.

The shapes (measured/run/shapes/) are what snippets emit, claims and page code read,
and contradictions edit. Here: every experiment has one; every result this build
made fits it; every contradicting input fed to a claim still fits it (a fake that
drifted from the real shape would test a claim against data no run can produce).
"""

from __future__ import annotations

import functools
from typing import NotRequired, TypedDict

import pytest
from contradictions import CONTRADICTIONS

from measured import claims
from measured.run import project, runner, shapes
from measured.web import render

SHAPES = shapes.all_shapes()
EXPERIMENTS = sorted(p.stem for p in project.snippets_dir().glob("*.py"))


@functools.cache
def evidence_of(experiment: str) -> claims.Evidence:
    return render.evidence(runner.run(experiment))


def test_every_experiment_declares_its_shape() -> None:
    assert sorted(set(EXPERIMENTS) - SHAPES.keys()) == []
    assert sorted(SHAPES.keys() - set(EXPERIMENTS)) == []


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_run_fits_its_shape(experiment: str) -> None:
    shape = SHAPES.get(experiment)
    if shape is None:
        pytest.fail(f"{experiment} declares no shape in measured/run/shapes/")
    for number, run in enumerate(evidence_of(experiment).runs, 1):
        found = shapes.problems(run.result, shape, f"run {number}")
        found += shapes.problems(run.result.get("env"), shapes.Env, "env")
        assert not found, "\n".join(found)


@pytest.mark.parametrize("entry", claims.registered(), ids=lambda e: e.name)
def test_contradicting_inputs_keep_the_shape(entry: claims.Registered) -> None:
    shape = SHAPES.get(entry.experiment)
    recorded = CONTRADICTIONS.get(entry.name)
    if shape is None or recorded is None:
        pytest.skip("no shape or no contradiction (other tests fail for that)")
    for run in recorded.make(evidence_of(entry.experiment)).runs:
        found = shapes.problems(run.result, shape, entry.name)
        assert not found, "\n".join(found)


class Inner(TypedDict):
    n: int


class Outer(TypedDict):
    name: str
    items: list[Inner]
    maybe: NotRequired[float | None]


def test_the_checker_finds_what_does_not_fit() -> None:
    assert shapes.problems({"name": "x", "items": [{"n": 1}]}, Outer) == []
    assert shapes.problems({"name": "x", "items": [], "maybe": None}, Outer) == []
    found = shapes.problems({"items": [{"n": "1"}], "maybe": "a"}, Outer)
    assert any("missing 'name'" in f for f in found)
    assert any("items[0].n" in f for f in found)
    assert any("maybe" in f for f in found)
