"""The Ctrl-C and hung-program recipes (docs/recipes/interrupts.md).

Reads the build's runs (runner.run, cached); runs no experiment by hand.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from measured import claims
from measured.claims import recipes_interrupts as recipes
from measured.run import runner
from measured.web import render


@pytest.fixture(scope="module")
def ctrl_c() -> runner.Run:
    return runner.run("recipe_ctrl_c")


@pytest.fixture(scope="module")
def deadlock() -> runner.Run:
    return runner.run("recipe_deadlock")


def _edited(run: runner.Run, edit: Any) -> claims.Evidence:
    result = copy.deepcopy(render.evidence(run).result)
    edit(result)
    return claims.Evidence.single(result)


def test_every_variant_got_ctrl_c_and_ended(ctrl_c: runner.Run) -> None:
    for execution in ctrl_c.executions:
        names = [v["variant"] for v in execution.result["variants"]]
        assert names.count("pool") == execution.result["pool_runs"] == 3
        assert len(names) == 8
        assert "stderr" not in execution.result["variants"][0]  # counts only
        for v in execution.result["variants"]:
            if v["variant"] == "pool" and v["exit_seconds"] is None:
                # A plain process pool may hang on Ctrl-C: the script kills it
                # (and its group), and the claims count that as "did not stop".
                assert v["returncode"] == -9, v
                continue
            assert v["exit_seconds"] is not None, v["variant"]
            assert v["left_seconds"] is not None, v["variant"]
            assert v["returncode"] in (-2, 130), v


def test_no_leftovers(ctrl_c: runner.Run, deadlock: runner.Run) -> None:
    for run in (ctrl_c, deadlock):
        for execution in run.executions:
            assert execution.left_behind() == []


def test_the_dump_names_one_newest_frame_per_thread(deadlock: runner.Run) -> None:
    result = deadlock.result
    frames = recipes.newest_frames(result["dump"])
    assert len(frames) == 3  # the two deadlocked threads and the main thread
    assert {f[2] for f in frames} >= set(result["second_lock_lines"])
    assert any(f[2] == "_wait_for_tstate_lock" for f in frames)  # main, in join


def test_a_plain_pool_that_hangs_finishes_or_breaks_holds_one_that_stops_misses(
    ctrl_c: runner.Run,
) -> None:
    """Finishing the queue, hanging and losing workers (a traceback each) all mean
    "did not stop cleanly"; exiting at once, quietly, with queued tasks dropped
    means it did."""

    def variant(result: dict[str, Any], name: str) -> dict[str, Any]:
        return next(v for v in result["variants"] if v["variant"] == name)

    def pools(result: dict[str, Any]) -> list[dict[str, Any]]:
        return [v for v in result["variants"] if v["variant"] == "pool"]

    def hung(result: dict[str, Any]) -> None:
        for pool in pools(result):
            pool["exit_seconds"], pool["tasks_after"] = None, 0

    def finished(result: dict[str, Any]) -> None:
        for pool in pools(result):
            pool.update(exit_seconds=0.2, tracebacks=1, worker_tracebacks=0)
            pool["tasks_after"] = result["tasks"] - pool["tasks_before"]

    def mixed(result: dict[str, Any]) -> None:
        finished(result)
        pools(result)[-1].update(exit_seconds=None, tasks_after=0)

    def broke(result: dict[str, Any]) -> None:
        finished(result)
        pools(result)[0].update(
            exit_seconds=0.03, tasks_after=0, tracebacks=3, worker_tracebacks=2
        )

    def stopped(result: dict[str, Any]) -> None:
        finished(result)
        pools(result)[-1]["tasks_after"] = 0  # one run of three stopped quietly

    check = recipes.plain_pool_never_stops_cleanly
    threads_ok = lambda r: variant(r, "threads").update(  # noqa: E731
        tasks_after=r["tasks"] - variant(r, "threads")["tasks_before"],
        exit_seconds=0.3,
        tracebacks=1,
        worker_tracebacks=0,
    )
    cases = (
        (hung, True),
        (finished, True),
        (mixed, True),
        (broke, True),
        (stopped, False),
    )
    for edit, holds in cases:
        both = lambda r, e=edit: (threads_ok(r), e(r))  # noqa: E731
        assert check(_edited(ctrl_c, both)).holds is holds, edit.__name__
    # A hung plain pool is not counted against the "nothing left" claim; a hung
    # clean one is.
    assert recipes.nothing_left_after_ctrl_c(_edited(ctrl_c, hung)).holds is True

    def clean_hung(result: dict[str, Any]) -> None:
        variant(result, "pool_clean")["exit_seconds"] = None

    assert recipes.nothing_left_after_ctrl_c(_edited(ctrl_c, clean_hung)).holds is False


def test_a_slow_clean_exit_misses(ctrl_c: runner.Run) -> None:
    def edit(result: dict[str, Any]) -> None:
        clean = next(v for v in result["variants"] if v["variant"] == "threads_clean")
        clean["exit_seconds"] = recipes.CLEAN_EXIT_SECONDS + 0.5

    check = recipes.clean_shutdown_drops_the_queue
    assert check(_edited(ctrl_c, edit)).holds is False


def test_py_spy_output_with_both_threads_holds(deadlock: runner.Run) -> None:
    def edit(result: dict[str, Any]) -> None:
        names = "\n".join(
            f"    {name} (recipe_deadlock.py:1)" for name in result["second_lock_lines"]
        )
        result["py_spy"] = {"returncode": 0, "stdout": names, "stderr": ""}

    assert recipes.py_spy_shows_the_deadlock(_edited(deadlock, edit)).holds is True
