"""Contradicting inputs for the claims about ending things (claims/lifecycle.py).

shm_tracking, queue_shutdown and asyncio_queue_shutdown. The build's own
interpreter may predate Python 3.13 and have no ``track`` parameter or
``Queue.shutdown()``: the claims about those are then fed the 3.13+ run this build
made through the interpreter matrix, or, without one, a result shaped like it
(:func:`as_313`), so their logic is exercised here and must miss.
"""

from __future__ import annotations

import copy
from typing import Any

from measured.claims import Evidence
from measured.run.shapes import lifecycle as shape

from . import contradicts, each_result

# What a 3.13+ run records, as documented (the segment outlives a program that
# attached or created it with track=False; shutdown() drains, then raises).
KEPT: shape.TrackingCase = {
    "exists_after": True,
    "warning": "",
    "creator_still_reads": None,
    "creator_unlink_error": None,
}
# The attach case with track=False: kept, and the creator's unlink() removes it.
KEPT_ATTACHED: shape.TrackingCase = {
    **KEPT,
    "creator_still_reads": True,
    "creator_unlink_error": "none",
}


def _shutdown_part(result: shape.QueueShutdown, error: str) -> shape.ShutdownPart:
    return {
        "consumed": result["items"],
        "distinct": result["items"],
        "exited": result["consumers"],
        "errors": [error] * result["consumers"],
        "put_after": error,
    }


def _immediate_part(result: shape.QueueShutdown, error: str) -> shape.ImmediatePart:
    return {
        "queued": result["items"],
        "left": 0,
        "consumed": 0,
        "get_error": error,
        "join_returned": True,
    }


def _blocked_part(result: shape.QueueShutdown, error: str) -> shape.BlockedPart:
    consumers = result["consumers"]
    return {
        "waiting": consumers,
        "per_consumer": [0] * consumers,
        "errors": [error] * consumers,
        "exited": consumers,
        "put_waiting": True,
        "put_error": error,
    }


def synthetic_313(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` (of any version) completed as a Python 3.13+ run records it."""
    out = copy.deepcopy(result)
    out["env"] = {**out["env"], "python": "3.13.0"}
    if out["experiment"] == "shm_tracking":
        out.update(
            has_track=True, attach_untracked=KEPT_ATTACHED, forgotten_untracked=KEPT
        )
    else:
        error = "ShutDown" if out["experiment"] == "queue_shutdown" else "QueueShutDown"
        out.update(
            has_shutdown=True,
            shutdown=_shutdown_part(out, error),
            immediate=_immediate_part(out, error),
            blocked=_blocked_part(out, error),
        )
    return out


def as_313(evidence: Evidence) -> Evidence:
    """Evidence of a 3.13+ run: ``evidence`` itself, the matrix's, or synthetic."""
    experiment = evidence.result["experiment"]
    if evidence.result.get("has_track") or evidence.result.get("has_shutdown"):
        return evidence
    from measured.web.pages import lifecycle

    if (run := lifecycle.newest_run(experiment)) is not None:
        from measured.web import render

        newer = render.evidence(run)
        if newer.result.get("has_track") or newer.result.get("has_shutdown"):
            return newer
    return each_result(evidence, lambda r: r.update(synthetic_313(r)))


# --- shm_tracking -------------------------------------------------------------------


@contradicts("attaching_program_unlinks_segment")
def attached_segment_survives(evidence: Evidence) -> Evidence:
    """As if attaching registered nothing: the segment outlives the program."""

    def edit(result: shape.ShmTracking) -> None:
        result["attach"].update(exists_after=True, warning="")

    return each_result(evidence, edit)


@contradicts("creator_tracker_unlinks_forgotten_segment")
def forgotten_segment_stays(evidence: Evidence) -> Evidence:
    def edit(result: shape.ShmTracking) -> None:
        result["forgotten"] = dict(KEPT)  # type: ignore[assignment]

    return each_result(evidence, edit)


def _gone(key: str) -> Any:
    def edit(result: shape.ShmTracking) -> None:
        result[key].update(  # type: ignore[literal-required]
            exists_after=False,
            warning="resource_tracker: There appear to be 1 leaked shared_memory "
            "objects to clean up at shutdown",
        )

    return edit


@contradicts("untracked_attach_keeps_segment")
def untracked_attach_still_unlinks(evidence: Evidence) -> Evidence:
    """As if track=False were ignored on attach: the program's tracker unlinks."""
    return each_result(as_313(evidence), _gone("attach_untracked"))


@contradicts("untracked_segment_outlives_its_creator")
def untracked_segment_cleaned_up(evidence: Evidence) -> Evidence:
    return each_result(as_313(evidence), _gone("forgotten_untracked"))


# --- queue_shutdown, asyncio_queue_shutdown --------------------------------------


def _consumer_left_running(result: shape.QueueShutdown) -> None:
    result["sentinel"]["exited"] = result["consumers"] - 1


@contradicts("sentinel_ends_consumer_threads", "sentinel_ends_consumer_tasks")
def a_consumer_never_stops(evidence: Evidence) -> Evidence:
    return each_result(evidence, _consumer_left_running)


def _items_lost_at_shutdown(result: shape.QueueShutdown) -> None:
    part = result["shutdown"]
    assert part is not None
    part["consumed"] = part["distinct"] = result["items"] - 1  # one item dropped


@contradicts("shutdown_ends_consumer_threads", "shutdown_ends_consumer_tasks")
def shutdown_drops_a_queued_item(evidence: Evidence) -> Evidence:
    """As if shutdown() (not immediate) threw away what was still queued."""
    return each_result(as_313(evidence), _items_lost_at_shutdown)


def _join_still_waits(result: shape.QueueShutdown) -> None:
    part = result["immediate"]
    assert part is not None
    part["join_returned"] = False


@contradicts("immediate_shutdown_drops_items", "async_immediate_shutdown_drops_items")
def join_waits_for_dropped_items(evidence: Evidence) -> Evidence:
    """As if the dropped items still counted as unfinished tasks."""
    return each_result(as_313(evidence), _join_still_waits)


def _a_blocked_get_sleeps_on(result: shape.QueueShutdown) -> None:
    part = result["blocked"]
    assert part is not None
    part["errors"] = part["errors"][1:]  # one blocked get() never woke
    part["exited"] -= 1


@contradicts("shutdown_wakes_blocked_threads", "shutdown_wakes_blocked_tasks")
def shutdown_misses_a_blocked_consumer(evidence: Evidence) -> Evidence:
    """As if shutdown() only stopped new get() calls and left waiting ones asleep."""
    return each_result(as_313(evidence), _a_blocked_get_sleeps_on)
