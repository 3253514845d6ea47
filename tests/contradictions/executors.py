"""Contradicting inputs for the three-executor claims (measured/claims/executors.py).

They edit the subinterpreter page's own run (or, where this build has no
interpreters API, a synthetic one shaped like it: modern._available).
"""

from __future__ import annotations

from measured.claims import Evidence
from measured.run.shapes import modern as shape

from . import contradicts, each_result, like, set_samples
from .modern import _available, _per_call_like


@contradicts("interpreter_pool_outruns_thread_pool")
def interpreters_take_turns_like_threads(evidence: Evidence) -> Evidence:
    return set_samples(
        _available(evidence), lambda r: r["cpu"], "interpreters", like("threads")
    )


@contradicts("interpreter_task_costs_more_than_thread_task")
def interpreter_tasks_as_cheap_as_threads(evidence: Evidence) -> Evidence:
    return _per_call_like(
        _available(evidence), "tiny", "tiny_per_batch", "interpreters", "threads", 1.2
    )


@contradicts("interpreters_share_process_state")
def working_directory_stays_put(evidence: Evidence) -> Evidence:
    """Another interpreter's os.chdir left this one where it was."""

    def edit(result: shape.Subinterpreters) -> None:
        result["process_wide"]["cwd_shared"] = False

    return each_result(_available(evidence), edit)


@contradicts("interpreters_share_memoryview")
def memoryview_copied(evidence: Evidence) -> Evidence:
    """The other interpreter wrote through a copy: this one still reads 0."""

    def edit(result: shape.Subinterpreters) -> None:
        result["shared_buffer"] = {"passed": True, "seen_here": 0, "error": ""}

    return each_result(_available(evidence), edit)
