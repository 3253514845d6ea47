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
        assert len(names) == 6
        for v in execution.result["variants"]:
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


def test_a_worker_that_prints_a_traceback_breaks_the_with_block_claim(
    ctrl_c: runner.Run,
) -> None:
    def edit(result: dict[str, Any]) -> None:
        pool = next(v for v in result["variants"] if v["variant"] == "pool")
        pool["tracebacks"] = 1 + result["workers"]

    check = recipes.with_block_finishes_the_queue
    assert check(_edited(ctrl_c, edit)).holds is False


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
