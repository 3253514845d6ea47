"""Contradicting inputs for measured/claims/asyncio_debugging.py.

The 3.14 claims (capture_call_graph, pstree, remote_exec) and the 3.12 eager-task
claims are contradicted on the real result made into a 3.14 or 3.12 run
(tests/asyncio_fakes.py): their logic runs here, and must miss.
"""

from __future__ import annotations

from typing import Any

from asyncio_fakes import eager_312, stuck_314

from measured.claims import Evidence

from . import contradicts, each_result, like, set_samples


@contradicts("thread_dump_shows_only_the_loop")
def coroutine_on_a_thread(evidence: Evidence) -> Evidence:
    """The dump taken while the loop was still running a coroutine (a race)."""

    def edit(result: dict[str, Any]) -> None:
        result["outside"]["thread_dump"] = (
            "Current thread 0x1 (most recent call first):\n"
            '  File "snippets/asyncio_stuck.py", line 77 in crawl_all\n'
            '  File "<stdlib>/asyncio/events.py", line 80 in _run\n'
            '  File "<stdlib>/asyncio/base_events.py", line 1922 in _run_once\n'
        )

    return each_result(evidence, edit)


@contradicts("get_stack_shows_outer_frames_only")
def whole_chain_on_the_stack(evidence: Evidence) -> Evidence:
    def edit(result: dict[str, Any]) -> None:
        chain = list(result["coroutines"])
        result["inside"]["get_stack"] = [chain for _ in result["urls"]]

    return each_result(evidence, edit)


@contradicts("call_graph_shows_the_await_chain")
def graph_stops_at_the_task(evidence: Evidence) -> Evidence:
    def edit(result: dict[str, Any]) -> None:
        stuck_314(result)
        result["inside"]["call_graph"]["call_stack"] = [result["coroutines"][0]]

    return each_result(evidence, edit)


@contradicts("pstree_shows_stuck_tasks_from_outside")
def pstree_finds_nothing(evidence: Evidence) -> Evidence:
    def edit(result: dict[str, Any]) -> None:
        stuck_314(result)
        result["outside"]["pstree"] = {
            "returncode": 1,
            "stdout": "Error retrieving tasks: no asyncio debug offsets found",
            "stderr": "",
        }

    return each_result(evidence, edit)


@contradicts("remote_exec_runs_in_the_stuck_process")
def script_never_runs(evidence: Evidence) -> Evidence:
    def edit(result: dict[str, Any]) -> None:
        stuck_314(result)
        result["outside"]["remote_exec"].update(
            ran_unwoken=False, ran_after_signal=False, output=""
        )

    return each_result(evidence, edit)


@contradicts("eager_tasks_finish_at_creation")
def eager_tasks_wait_for_the_loop(evidence: Evidence) -> Evidence:
    def edit(result: dict[str, Any]) -> None:
        eager_312(result)
        result["done_at_creation"]["eager_task_factory"] = 0

    return each_result(evidence, edit)


@contradicts("eager_tasks_cost_less")
def eager_as_dear_as_default(evidence: Evidence) -> Evidence:
    made = each_result(evidence, eager_312)
    return set_samples(
        made, lambda r: r["rounds"], "eager_task_factory", like("default factory")
    )
