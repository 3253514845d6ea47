"""Contradicting inputs for the claims of docs/recipes/threads.md."""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence

from . import contradicts, each_result, like, set_samples

# --- recipe_thread_result -----------------------------------------------------------


@contradicts("plain_thread_loses_return_value")
def _value_kept(evidence: Evidence) -> Evidence:
    """The returned object outlived the thread: something kept it."""

    def edit(result: dict[str, Any]) -> None:
        result["plain"]["value_kept"] = True

    return each_result(evidence, edit)


@contradicts("thread_exception_only_reaches_excepthook")
def _join_raised(evidence: Evidence) -> Evidence:
    """join() raised the thread's exception in the caller."""

    def edit(result: dict[str, Any]) -> None:
        result["failure"]["join_raised"] = "ValueError"

    return each_result(evidence, edit)


@contradicts("other_threads_go_on")
def _others_stopped(evidence: Evidence) -> Evidence:
    """The other threads ended with the failing one, their work unfinished."""

    def edit(result: dict[str, Any]) -> None:
        result["failure"]["others_finished"] = 0
        result["failure"]["others_finished_after_failure"] = 0

    return each_result(evidence, edit)


@contradicts("future_returns_value_and_reraises")
def _future_swallowed(evidence: Evidence) -> Evidence:
    """result() of the failing call returned instead of raising."""

    def edit(result: dict[str, Any]) -> None:
        result["future"]["raised"] = "none"
        result["future"]["message"] = ""

    return each_result(evidence, edit)


# --- recipe_stop_thread -------------------------------------------------------------


def _stop(result: dict[str, Any]) -> dict[str, Any]:
    rounds: dict[str, Any] = result["stop"]
    return rounds


@contradicts("event_stops_the_thread")
def _event_too_slow(evidence: Evidence) -> Evidence:
    """The Event worker ran on as long as the one that never looks (less 10 %)."""
    return set_samples(evidence, _stop, "Event", like("no check", 0.9))


@contradicts("terminate_stops_a_busy_process")
def _terminate_too_slow(evidence: Evidence) -> Evidence:
    """The process took as long to go as the thread that never looks."""
    return set_samples(evidence, _stop, "terminate()", like("no check", 0.9))


@contradicts("thread_without_a_check_runs_on")
def _unchecked_stopped(evidence: Evidence) -> Evidence:
    """The thread that never looks was gone soon after the request."""

    def edit(result: dict[str, Any]) -> None:
        alive = result["alive_after_grace"]["no check"]
        result["alive_after_grace"]["no check"] = [False] * len(alive)
        done = result["steps_done"]["no check"]
        result["steps_done"]["no check"] = [result["steps"] // 2] * len(done)

    return each_result(evidence, edit)


@contradicts("daemon_thread_ends_only_with_the_program")
def _daemon_cleaned_up(evidence: Evidence) -> Evidence:
    """The daemon thread's finally: block ran at exit."""

    def edit(result: dict[str, Any]) -> None:
        for daemon in result["daemon"]:
            daemon["finally_ran"] = True

    return each_result(evidence, edit)


# --- recipe_queue_join --------------------------------------------------------------


@contradicts("join_returns_once_every_item_is_done")
def _join_early(evidence: Evidence) -> Evidence:
    """join() returned with items still being handled."""

    def edit(result: dict[str, Any]) -> None:
        result["task_done"]["done_when_join_returned"] = result["items"] // 2

    return each_result(evidence, edit)


@contradicts("join_does_not_end_the_consumers")
def _consumers_ended(evidence: Evidence) -> Evidence:
    """The consumers had ended by the time join() returned."""

    def edit(result: dict[str, Any]) -> None:
        result["task_done"]["consumers_alive_after_join"] = 0

    return each_result(evidence, edit)


@contradicts("forgotten_task_done_blocks_join")
def _join_not_blocked(evidence: Evidence) -> Evidence:
    """join() returned although one task_done() was missing."""

    def edit(result: dict[str, Any]) -> None:
        result["forgotten"]["join_waiting_after"] = False
        result["forgotten"]["unfinished"] = 0

    return each_result(evidence, edit)
