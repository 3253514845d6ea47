"""Contradicting inputs for the claims of docs/recipes/interrupts.md."""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence

from . import contradicts, each_result


def _variant(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(v for v in result["variants"] if v["variant"] == name)


@contradicts("plain_pool_never_stops_cleanly")
def ctrl_c_stops_the_with_block(evidence: Evidence) -> Evidence:
    """The thread pool stopped at once, quietly: the queued tasks never ran."""

    def edit(result: dict[str, Any]) -> None:
        _variant(result, "threads")["tasks_after"] = 0

    return each_result(evidence, edit)


@contradicts("clean_shutdown_drops_the_queue")
def workers_print_tracebacks(evidence: Evidence) -> Evidence:
    """The pool's workers did not ignore SIGINT: a traceback each."""

    def edit(result: dict[str, Any]) -> None:
        _variant(result, "pool_clean")["tracebacks"] = result["workers"]

    return each_result(evidence, edit)


@contradicts("asyncio_run_cancels_every_task")
def finally_blocks_skipped(evidence: Evidence) -> Evidence:
    """Ctrl-C ended the program without running the tasks' finally blocks."""

    def edit(result: dict[str, Any]) -> None:
        _variant(result, "asyncio")["cleanups"] = 0

    return each_result(evidence, edit)


@contradicts("nothing_left_after_ctrl_c")
def a_worker_left_behind(evidence: Evidence) -> Evidence:
    """A clean pool's worker outlived its parent and had to be killed."""

    def edit(result: dict[str, Any]) -> None:
        _variant(result, "pool_clean")["left_seconds"] = None

    return each_result(evidence, edit)


@contradicts("dump_shows_both_threads_waiting")
def one_thread_ran_on(evidence: Evidence) -> Evidence:
    """The dump shows one thread past its second lock (no deadlock there)."""

    def edit(result: dict[str, Any]) -> None:
        line = result["second_lock_lines"]["transfer_a_to_b"]
        result["dump"] = result["dump"].replace(f"line {line} ", f"line {line + 1} ")

    return each_result(evidence, edit)


@contradicts("py_spy_shows_the_deadlock")
def py_spy_sees_nothing(evidence: Evidence) -> Evidence:
    """py-spy installed, but its dump names neither thread's function."""

    def edit(result: dict[str, Any]) -> None:
        result["py_spy"] = {
            "returncode": 1,
            "stdout": "",
            "stderr": "Error: Permission denied (os error 13)",
        }

    return each_result(evidence, edit)
