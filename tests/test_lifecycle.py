"""Ending things cleanly: shared-memory tracking and Queue.shutdown() (3.13+).

The build's own interpreter may be older than 3.13, so three paths are tested:

- the "needs Python 3.13+, not measured here" path: with no 3.13+ in the matrix,
  the pages say so with the command that measures it, and the claims are "not
  shown" by the interpreter's nature, never false;
- the logic of the 3.13+ claims, on the run this build made on a 3.13+ through the
  matrix, or on a result shaped like one when it has none: it holds, and the
  recorded contradictions (tests/contradictions/lifecycle.py) make it miss;
- the page's `Queue.shutdown()` example, which test_docs skips (it runs on the
  build's interpreter), run here on a 3.13+ interpreter of the matrix.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from typing import Any

import pytest
from conftest import ROOT
from contradictions import CONTRADICTIONS
from contradictions.lifecycle import as_313

from measured import claims
from measured.claims import lifecycle as claims_lifecycle
from measured.run import matrix, runner
from measured.run.interpreter import Interpreter, probe
from measured.web import across, render
from measured.web.pages import lifecycle

EXPERIMENTS = ("shm_tracking", "queue_shutdown", "asyncio_queue_shutdown")
# Claims about what only Python 3.13+ has.
NEEDS_313 = {
    "shm_tracking": (
        "untracked_attach_keeps_segment",
        "untracked_segment_outlives_its_creator",
    ),
    "queue_shutdown": (
        "shutdown_ends_consumer_threads",
        "immediate_shutdown_drops_items",
        "shutdown_wakes_blocked_threads",
    ),
    "asyncio_queue_shutdown": (
        "shutdown_ends_consumer_tasks",
        "async_immediate_shutdown_drops_items",
        "shutdown_wakes_blocked_tasks",
    ),
}


def _check(experiment: str, name: str) -> claims.Check:
    return next(c for c in claims.for_experiment(experiment) if c.__name__ == name)


def _matrix_of(*versions: str) -> matrix.Matrix:
    """A matrix holding this interpreter relabelled as each version."""
    base: Interpreter = probe(sys.executable)
    found = matrix.Matrix()
    for version in versions:
        interpreter = dataclasses.replace(base, version=version, command=version)
        found.found.append(matrix.Found(interpreter, "test"))
    return found


def _evidence(experiment: str) -> claims.Evidence:
    return render.evidence(runner.run(experiment))


# --- the "needs Python 3.13+, not measured here" path ---------------------------


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_without_313_the_page_says_not_measured_with_the_command(
    experiment: str,
) -> None:
    text = lifecycle.needs(experiment, _matrix_of("3.11.7", "3.12.1"))
    assert "needs python 3.13+, not measured here" in text.lower()
    assert f"--only {experiment} --python python3.13" in text


def test_with_313_nothing_is_said() -> None:
    assert lifecycle.needs("queue_shutdown", _matrix_of("3.11.7", "3.13.0")) == ""
    newest = lifecycle.newest(_matrix_of("3.11.7", "3.13.0", "3.14.0"))
    assert newest is not None and newest.version == "3.14.0"


def test_a_free_threaded_build_is_not_the_one_measured() -> None:
    found = _matrix_of("3.13.0")
    only = found.found[0].interpreter
    free = dataclasses.replace(only, free_threaded_build=True, version="3.14.0")
    found.found.append(matrix.Found(free, "test"))
    newest = lifecycle.newest(found)
    assert newest is not None and newest.version == "3.13.0"


@pytest.mark.parametrize(
    ("experiment", "name"),
    [(e, n) for e, names in NEEDS_313.items() for n in names],
)
def test_313_claims_are_not_shown_before_313(experiment: str, name: str) -> None:
    """On a result without the feature: not shown (by nature), with the version."""
    evidence = _evidence(experiment)
    if evidence.result.get("has_track") or evidence.result.get("has_shutdown"):
        evidence = _older(evidence)
    outcome = _check(experiment, name)(evidence)
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert claims_lifecycle.NEEDS_313 in outcome.reason


def _older(evidence: claims.Evidence) -> claims.Evidence:
    """A 3.13+ result as a 3.12 records it: the 3.13+ parts are None."""
    from contradictions import each_result

    def edit(result: dict[str, Any]) -> None:
        result.update(has_track=False, has_shutdown=False)
        for key in (
            "attach_untracked",
            "forgotten_untracked",
            "shutdown",
            "immediate",
            "blocked",
        ):
            if key in result:
                result[key] = None
        result["env"]["python"] = "3.12.1"

    return each_result(evidence, edit)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_the_page_line_names_the_reason_when_no_run_has_313(experiment: str) -> None:
    """claim_lines, fed only pre-3.13 runs, says why, in the page's one wording."""
    run = runner.run(experiment)
    evidence = render.evidence(run)
    if evidence.result.get("has_track") or evidence.result.get("has_shutdown"):
        pytest.skip("the build's own interpreter has the feature")
    checks = [_check(experiment, name) for name in NEEDS_313[experiment]]
    text = across.claim_lines([run], *checks)
    assert text.count(render.NOT_SHOWN) == len(checks)
    assert "needs Python 3.13+, not measured here" in text


# --- the logic of the 3.13+ claims ---------------------------------------------


@pytest.mark.parametrize(
    ("experiment", "name"),
    [(e, n) for e, names in NEEDS_313.items() for n in names],
)
def test_313_claims_hold_on_a_313_result_and_miss_on_its_contradiction(
    experiment: str, name: str
) -> None:
    evidence = as_313(_evidence(experiment))
    check = _check(experiment, name)
    outcome = check(evidence)
    assert outcome.holds is True, outcome.statement
    assert outcome.figure is not None
    missed = check(CONTRADICTIONS[name].make(evidence))
    assert missed.holds is False, missed.statement


def test_the_attach_claim_misses_if_the_creator_keeps_the_name() -> None:
    """Only the name goes: a creator whose unlink() worked contradicts the claim."""
    from contradictions import each_result

    check = _check("shm_tracking", "attaching_program_unlinks_segment")
    evidence = _evidence("shm_tracking")
    assert check(evidence).holds is True

    def unlinked(result: dict[str, Any]) -> None:
        result["attach"]["creator_unlink_error"] = "none"

    def unreadable(result: dict[str, Any]) -> None:
        result["attach"]["creator_still_reads"] = False

    assert check(each_result(evidence, unlinked)).holds is False
    assert check(each_result(evidence, unreadable)).holds is False


def test_a_blocked_put_that_never_wakes_makes_the_claim_miss() -> None:
    from contradictions import each_result

    for experiment, name in (
        ("queue_shutdown", "shutdown_wakes_blocked_threads"),
        ("asyncio_queue_shutdown", "shutdown_wakes_blocked_tasks"),
    ):
        check = _check(experiment, name)

        def stuck(result: dict[str, Any]) -> None:
            result["blocked"]["put_error"] = "still blocked"

        evidence = as_313(_evidence(experiment))
        assert check(evidence).holds is True
        assert check(each_result(evidence, stuck)).holds is False


def test_the_313_run_of_the_matrix_has_the_features() -> None:
    """Where the build found a 3.13+, it measured the features, not a fake."""
    if lifecycle.newest() is None:
        pytest.skip("this build found no Python 3.13+")
    for experiment in EXPERIMENTS:
        run = lifecycle.newest_run(experiment)
        assert run is not None
        result = render.evidence(run).result
        assert result.get("has_track") or result.get("has_shutdown"), result


# --- the page's example ------------------------------------------------------------


def test_the_shutdown_example_runs_on_313() -> None:
    python = lifecycle.newest()
    if python is None:
        pytest.skip("this build found no Python 3.13+ to run the example on")
    page = (ROOT / "docs" / "synchronization.md").read_text()
    block = re.search(
        r"<!-- test: skip needs Python 3\.13\+[^\n]*-->\n```python\n(.*?)```",
        page,
        re.S,
    )
    assert block is not None, "the Queue.shutdown() example is not on the page"
    code = block.group(1)
    expected = [line[3:] for line in code.splitlines() if line.startswith("#> ")]
    done = subprocess.run(
        [python.command, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected
