"""Experiments leave nothing behind, asserted on the runner's record of every run.

When a script exits, the runner looks before it ends anything (see
``runner.LEFTOVER_KINDS``) and records in each run:

- processes still alive after a grace period, from the script's session or among
  the runner's new descendants (an orphaned worker, client, server, nanny or
  resource tracker; one that left the session is adopted by the runner and found);
- TCP ports those processes still listen on;
- shared-memory segments and named semaphores the run created and left in
  /dev/shm;
- leak warnings on stderr (the resource tracker cleaning up behind the script).

The build's results file carries that record for every run of every experiment on
every interpreter, cached ones included (a record made before the runner looked is
measured again). So these tests re-run nothing: they read the session build.
tests/test_runner_leftovers.py shows on purpose-made scripts that each kind of
leftover is seen.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import snippet_names

from measured.run import runner
from measured.web import results

NOTHING = {kind: [] for kind in runner.LEFTOVER_KINDS}


def runs_of(published: results.Published, name: str) -> list[tuple[str, dict]]:
    """Every run of experiment ``name`` in the build, labelled for a message."""
    found = []
    for entry in published.entries:
        if entry["experiment"] == name:
            python = entry["interpreter"]["command"]
            for i, run in enumerate(entry["runs"], 1):
                found.append((f"{name} on {python}, run {i}", run))
    return found


@pytest.mark.parametrize("name", snippet_names())
def test_every_run_of_the_experiment_left_nothing_behind(
    build_results: results.Published, name: str
) -> None:
    found = runs_of(build_results, name)
    assert found, f"{name}: no page of the build ran it"
    for label, run in found:
        assert run["leftovers"] is not None, f"{label}: nobody looked"
        assert run["leftovers"] == NOTHING, f"{label} left behind {run['leftovers']}"


def first_results(published: results.Published, name: str) -> list[dict[str, Any]]:
    return [run["result"] for _, run in runs_of(published, name)]


def test_io_bound_server_closed_its_port_and_children(
    build_results: results.Published,
) -> None:
    """What the script checks of itself, besides the runner's record."""
    for result in first_results(build_results, "io_bound"):
        assert result["port_closed"] and result["leftover_children"] == []


def test_dask_cluster_started_one_worker_per_core_and_stopped_them(
    build_results: results.Published,
) -> None:
    """The cluster really ran in processes (one per core), on this machine, and the
    script saw none of them survive; the record shows none outlived it either."""
    found = runs_of(build_results, "dask_vs_pool")
    assert found
    for label, run in found:
        result = run["result"]
        assert len(result["started_pids"]) == result["cores"], label
        assert result["left_behind"] == [], label
        assert "127.0.0.1" in run["stdout"], label
        assert run["leftovers"]["processes"] == [], label
