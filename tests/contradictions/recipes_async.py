"""Contradicting inputs for the claims of docs/recipes/async.md."""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence

from . import contradicts, each_result

# ---- recipe_sync_async ---------------------------------------------------------------


def _nested_allowed(result: dict[str, Any]) -> None:
    result["nested"] = {"type": "none", "message": ""}


@contradicts("nested_run_raises")
def nested_run_just_works(evidence: Evidence) -> Evidence:
    """As if asyncio.run() could nest (what nest_asyncio patches in)."""
    return each_result(evidence, _nested_allowed)


def _closed_loop_accepts(result: dict[str, Any]) -> None:
    result["closed"]["loop.call_soon_threadsafe"] = {"type": "none", "message": ""}


@contradicts("closed_loop_refuses_work")
def closed_loop_takes_a_callback(evidence: Evidence) -> Evidence:
    """As if a closed loop queued a callback silently, never to run it."""
    return each_result(evidence, _closed_loop_accepts)


def _result_in_loop_thread(result: dict[str, Any]) -> None:
    background = result["background"]
    background["future_type"] = "asyncio.futures.Future"
    background["is_concurrent_future"] = False
    background["result_in_calling_thread"] = False


@contradicts("threadsafe_future_returns_in_caller")
def threadsafe_returns_an_asyncio_future(evidence: Evidence) -> Evidence:
    """As if run_coroutine_threadsafe returned an asyncio.Future (not thread-safe)."""
    return each_result(evidence, _result_in_loop_thread)


# ---- recipe_fire_forget --------------------------------------------------------------


def _task_survives(result: dict[str, Any]) -> None:
    result["collected"] = {"collected": False, "finished": 0, "logged": []}


@contradicts("unreferenced_task_is_collected")
def loop_keeps_strong_references(evidence: Evidence) -> Evidence:
    """As if the loop held every task strongly: nothing collected, nothing logged."""
    return each_result(evidence, _task_survives)


def _caller_sees_it(result: dict[str, Any]) -> None:
    result["lost"] = {"caller_saw": "ValueError", "logged": []}


@contradicts("forgotten_exception_is_only_logged")
def exception_reaches_the_caller(evidence: Evidence) -> Evidence:
    return each_result(evidence, _caller_sees_it)


def _closed_quietly(result: dict[str, Any]) -> None:
    result["closed"]["close_logged"] = []


@contradicts("closed_loop_destroys_pending_task")
def pending_task_dropped_silently(evidence: Evidence) -> Evidence:
    return each_result(evidence, _closed_quietly)


def _kept_task_lost(result: dict[str, Any]) -> None:
    result["kept"]["alive_after_gc"] = result["tasks"] - 1


@contradicts("kept_references_and_taskgroup_fix_it")
def a_kept_task_is_collected(evidence: Evidence) -> Evidence:
    """As if a task held in the set was collected anyway."""
    return each_result(evidence, _kept_task_lost)


# ---- recipe_http_fanout --------------------------------------------------------------


def _requests_lost(result: dict[str, Any]) -> None:
    level = result["by_level"][str(result["timed"])]
    level["sessions"]["threads"][0]["ok"] -= 1


@contradicts("fanout_answers_every_request")
def a_request_went_unanswered(evidence: Evidence) -> Evidence:
    return each_result(evidence, _requests_lost)


def _same_memory(result: dict[str, Any]) -> None:
    sessions = result["by_level"][str(result["timed"])]["sessions"]
    for threads, tasks in zip(sessions["threads"], sessions["asyncio"], strict=True):
        threads["rss_before"] = tasks["rss_before"]
        threads["rss_peak"] = tasks["rss_peak"]


@contradicts("fanout_threads_use_more_memory")
def thread_pool_as_small_as_asyncio(evidence: Evidence) -> Evidence:
    return each_result(evidence, _same_memory)
