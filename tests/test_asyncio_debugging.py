"""The asyncio debugging and eager-task experiments, on the interpreters here.

No Python 3.14 exists here, so each 3.14-only piece is tested twice: its logic runs
on this interpreter (the snippet's own functions, with the missing API replaced by
a stand-in built from what 3.11+ already has), and the page path that says "needs
Python 3.14+, not measured here" is rendered from the real run. A results fixture
shaped like a 3.14 run (tests/asyncio_fakes.py) drives the claims' 3.14 branches.
"""

from __future__ import annotations

import asyncio
import copy
import re
import runpy
import signal
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from asyncio_fakes import eager_312, refused_314, remote_debug_off_314, stuck_314
from conftest import ROOT

from measured import claims
from measured.claims import asyncio_debugging as ad
from measured.run import runner
from measured.web import across, render

SNIPPET = ROOT / "snippets" / "asyncio_stuck.py"


@pytest.fixture(scope="module")
def stuck() -> dict[str, Any]:
    """The snippet's functions, loaded as a module without running the experiment."""
    return runpy.run_path(str(SNIPPET))


@pytest.fixture(scope="module")
def stuck_run() -> runner.Run:
    return runner.run("asyncio_stuck")


def _edited(run: runner.Run, edit: Any) -> claims.Evidence:
    evidence = render.evidence(run)
    result = copy.deepcopy(evidence.result)
    edit(result)
    return claims.Evidence.single(result)


# --- the parts every interpreter has ---------------------------------------------


def test_look_inside_finds_every_stuck_task(stuck: dict[str, Any]) -> None:
    seen = stuck["look_inside"]()
    assert seen["tasks"] == len(stuck["URLS"])
    assert all(s[-1] == "crawl" for s in seen["get_stack"])
    if not hasattr(asyncio, "capture_call_graph"):
        assert seen["call_graph"] is None


def _stand_in_capture(task: asyncio.Task[Any]) -> Any:
    """What capture_call_graph(task) returns for a suspended task (graph.py in
    3.14): the coroutine chain through cr_await, innermost first, and the task's
    awaiters. Built from cr_await and cr_frame, which 3.11 already has."""
    entries, coro = [], task.get_coro()
    while coro is not None and hasattr(coro, "cr_await"):
        entries.append(types.SimpleNamespace(frame=coro.cr_frame))
        coro = coro.cr_await
    entries.reverse()
    parent = types.SimpleNamespace(future=asyncio.current_task())
    return types.SimpleNamespace(call_stack=entries, awaited_by=[parent])


def test_call_graph_reduces_a_3_14_graph_to_names(
    stuck: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snippet's 3.14 branch, run here on a stand-in for capture_call_graph."""
    monkeypatch.setattr(asyncio, "capture_call_graph", _stand_in_capture, raising=False)
    monkeypatch.setattr(asyncio, "format_call_graph", lambda t: "graph", raising=False)
    graph = stuck["look_inside"]()["call_graph"]
    assert graph is not None
    # Event.wait is a coroutine too: the chain ends in it.
    assert graph["call_stack"] == ["wait", "read_reply", "fetch", "crawl"]
    assert graph["awaited_by"] and graph["formatted"] == "graph"


class _Child:
    """A stand-in for the stuck child: a signal makes it run the pending script."""

    pid = 0

    def __init__(self) -> None:
        self.pending: str | None = None
        self.signals: list[int] = []

    def send_signal(self, number: int) -> None:
        self.signals.append(number)
        if number == signal.SIGUSR2 and self.pending:
            runpy.run_path(self.pending)


def test_remote_exec_runs_after_the_wake_up_signal(
    stuck: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A blocked target runs the script only once woken: the snippet wakes it."""
    child = _Child()

    def schedule(pid: int, path: str) -> None:
        child.pending = path  # the real one writes the path into the target

    monkeypatch.setattr(sys, "remote_exec", schedule, raising=False)
    monkeypatch.setattr(asyncio, "all_tasks", lambda: [], raising=True)
    out = stuck["remote_exec"](child, tmp_path)
    assert not out["error"] and not out["ran_unwoken"] and out["ran_after_signal"]
    assert child.signals == [signal.SIGUSR2]


def test_remote_exec_refused_is_recorded_not_raised(
    stuck: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(pid: int, path: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(sys, "remote_exec", refuse, raising=False)
    out = stuck["remote_exec"](_Child(), tmp_path)
    assert out["error"].startswith("PermissionError") and not out["ran_after_signal"]
    assert "permission" in ad.refused(out, remote_code=True)


def test_remote_script_writes_its_file_whole(tmp_path: Path) -> None:
    """OUT is replaced in one step: the parent never reads it half-written."""
    out = tmp_path / "tasks.txt"
    script = tmp_path / "list_tasks.py"
    namespace = runpy.run_path(str(SNIPPET))
    script.write_text(f"OUT = {str(out)!r}\n{namespace['REMOTE_SCRIPT']}")
    runpy.run_path(str(script))  # outside a loop: all_tasks() fails, said in the file
    assert out.read_text().startswith("error: ")
    assert [p.name for p in tmp_path.iterdir()] == sorted(
        ["list_tasks.py", "tasks.txt"]
    )


@pytest.mark.parametrize(("enabled", "said"), [(True, "enabled"), (False, "disabled")])
def test_child_reports_its_remote_debug_switch(
    stuck: dict[str, Any], monkeypatch: pytest.MonkeyPatch, enabled: bool, said: str
) -> None:
    """sys.is_remote_debug_enabled() (3.14) as the child says it in its ready line."""
    monkeypatch.setattr(sys, "is_remote_debug_enabled", lambda: enabled, raising=False)
    assert stuck["remote_debug"]() == said


def test_snippet_without_3_14_skips_its_parts(stuck: dict[str, Any]) -> None:
    if sys.version_info >= (3, 14):
        pytest.skip("this interpreter has the 3.14 tools")
    assert stuck["remote_exec"](_Child(), Path("/nonexistent")) is None
    assert stuck["remote_debug"]() == "unknown"


# --- the claims on the real run, and on a run shaped like 3.14 --------------------


def test_real_run_says_needs_3_14_with_the_command(stuck_run: runner.Run) -> None:
    """The page path of every 3.14 claim on an older interpreter."""
    if render.evidence(stuck_run).env["python"].startswith("3.14"):
        pytest.skip("the build ran on 3.14")
    for check in (
        ad.call_graph_shows_the_await_chain,
        ad.pstree_shows_stuck_tasks_from_outside,
        ad.remote_exec_runs_in_the_stuck_process,
    ):
        line = render.verdict_line(stuck_run, check)
        assert render.NOT_SHOWN in line
        assert "needs Python 3.14+" in line and "not measured here" in line
        assert "--only asyncio_stuck --python python3.14" in line


def test_every_version_claims_hold_on_the_real_run(stuck_run: runner.Run) -> None:
    evidence = render.evidence(stuck_run)
    assert ad.thread_dump_shows_only_the_loop(evidence).holds is True
    assert ad.get_stack_shows_outer_frames_only(evidence).holds is True
    outside = evidence.result["outside"]
    assert outside["went_idle"] is not None  # the child slept before the dump
    if not hasattr(sys, "is_remote_debug_enabled"):
        assert outside["remote_debug_enabled"] is None


def test_every_version_claims_on_every_interpreter() -> None:
    """The matrix runs behind "on any version": each interpreter the build found."""
    for run in across.runs("asyncio_stuck"):
        for check in (
            ad.thread_dump_shows_only_the_loop,
            ad.get_stack_shows_outer_frames_only,
        ):
            outcome = render.judge(run, check)
            assert outcome.holds is True, outcome.statement
            assert f"On Python {run.env['python']}," in outcome.statement


def test_dump_taken_before_the_child_slept_says_so(stuck_run: runner.Run) -> None:
    def busy(result: dict[str, Any]) -> None:
        result["outside"]["went_idle"] = None
        result["outside"]["thread_dump"] = '  File "x.py", line 1 in crawl\n'

    outcome = ad.thread_dump_shows_only_the_loop(_edited(stuck_run, busy))
    assert outcome.holds is False
    assert "never went back to sleep" in outcome.statement


def test_3_14_claims_hold_on_a_3_14_shaped_run(stuck_run: runner.Run) -> None:
    evidence = _edited(stuck_run, stuck_314)
    for check in (
        ad.call_graph_shows_the_await_chain,
        ad.pstree_shows_stuck_tasks_from_outside,
        ad.remote_exec_runs_in_the_stuck_process,
    ):
        outcome = check(evidence)
        assert outcome.holds is True, outcome.statement
        assert "3.14.0" in outcome.statement
    remote = ad.remote_exec_runs_in_the_stuck_process(evidence)
    assert "only after a signal woke the loop" in remote.statement


def test_refused_inspection_is_not_shown_with_the_error(stuck_run: runner.Run) -> None:
    """ptrace restricted (a CI container): say what failed, never a verdict."""
    evidence = _edited(stuck_run, refused_314)
    for check in (
        ad.pstree_shows_stuck_tasks_from_outside,
        ad.remote_exec_runs_in_the_stuck_process,
    ):
        outcome = check(evidence)
        assert outcome.holds is None and outcome.why == claims.SHAPE
        assert "Operation not permitted" in outcome.reason


def test_remote_debug_disabled_is_named(stuck_run: runner.Run) -> None:
    """The child said remote debugging is off: remote_exec is not shown, with why."""
    evidence = _edited(stuck_run, remote_debug_off_314)
    outcome = ad.remote_exec_runs_in_the_stuck_process(evidence)
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert "sys.is_remote_debug_enabled()" in outcome.reason
    assert "PYTHON_DISABLE_REMOTE_DEBUG" in outcome.reason


def test_cpythons_not_enabled_message_is_a_refusal(stuck_run: runner.Run) -> None:
    """Python/remote_debugging.c's message alone (the child's report lost) is
    still read as the target refusing, not as remote_exec failing."""

    def unknown(result: dict[str, Any]) -> None:
        remote_debug_off_314(result)
        result["outside"]["remote_debug_enabled"] = None

    outcome = ad.remote_exec_runs_in_the_stuck_process(_edited(stuck_run, unknown))
    assert outcome.holds is None and "disabled" in outcome.reason


def test_remote_debug_off_does_not_excuse_pstree(stuck_run: runner.Run) -> None:
    """ps and pstree read memory and never ask the target: its switch does not
    stop them, so it neither hides their verdict nor excuses their failure."""
    evidence = _edited(stuck_run, remote_debug_off_314)
    assert ad.pstree_shows_stuck_tasks_from_outside(evidence).holds is True

    def broken(result: dict[str, Any]) -> None:
        remote_debug_off_314(result)
        result["outside"]["pstree"] = {"returncode": 1, "stdout": "", "stderr": "boom"}

    outcome = ad.pstree_shows_stuck_tasks_from_outside(_edited(stuck_run, broken))
    assert outcome.holds is False


def test_refusal_reason_prints_errors_in_the_sites_form(stuck_run: runner.Run) -> None:
    """No 'Name: message' on a page (test_build reads it as a leaked error)."""
    evidence = _edited(stuck_run, refused_314)
    for check in (
        ad.pstree_shows_stuck_tasks_from_outside,
        ad.remote_exec_runs_in_the_stuck_process,
    ):
        reason = check(evidence).reason
        assert "PermissionError (" in reason
        assert not re.search(r"\w+Error:", reason)


def test_pstree_failing_for_another_reason_misses(stuck_run: runner.Run) -> None:
    def broken(result: dict[str, Any]) -> None:
        stuck_314(result)
        result["outside"]["pstree"] = {"returncode": 1, "stdout": "", "stderr": "boom"}

    outcome = ad.pstree_shows_stuck_tasks_from_outside(_edited(stuck_run, broken))
    assert outcome.holds is False


# --- eager tasks -------------------------------------------------------------------


def test_eager_on_3_11_says_needs_3_12() -> None:
    run = runner.run("asyncio_eager", python=sys.executable)
    evidence = render.evidence(run)
    if evidence.result["eager_available"]:
        pytest.skip("this interpreter has eager_task_factory")
    text = across.claim_lines(
        [run], ad.eager_tasks_finish_at_creation, ad.eager_tasks_cost_less
    )
    assert text.count(render.NOT_SHOWN) == 2
    assert "needs Python 3.12+" in text and "--python python3.12" in text


def test_eager_claims_hold_on_a_3_12_shaped_run() -> None:
    run = runner.run("asyncio_eager", python=sys.executable)
    evidence = _edited(run, eager_312)
    assert ad.eager_tasks_finish_at_creation(evidence).holds is True
    assert ad.eager_tasks_cost_less(evidence).holds is True


def test_eager_claims_on_every_interpreter_that_has_it() -> None:
    """The matrix runs the page shows: measured where eager tasks exist."""
    runs = [r for r in across.runs("asyncio_eager") if r.env["python"] >= "3.12"]
    if not runs:
        pytest.skip("no Python 3.12+ in this build's matrix")
    for run in runs:
        outcome = render.judge(run, ad.eager_tasks_finish_at_creation)
        assert outcome.holds is True, outcome.statement
        timed = render.judge(run, ad.eager_tasks_cost_less)
        if timed.holds is None:
            continue  # busy or noisy: the page says so
        assert timed.holds, timed.statement
