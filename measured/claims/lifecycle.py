"""Claims about ending things cleanly: who unlinks shared memory, how consumers stop.

``shm_tracking`` (the Sharing page): the resource tracker of the program that
registered a segment unlinks it when that program exits, also when the program only
attached to it; ``track=False`` (Python 3.13+, gh-82300) leaves the segment to
whoever calls ``unlink()``. ``queue_shutdown`` and ``asyncio_queue_shutdown``
(Synchronization, asyncio): a sentinel ends consumers on every version;
``Queue.shutdown()`` (3.13+, gh-96471) does it without one, and wakes consumers
already blocked in ``get()`` and a ``put()`` blocked on a full queue.

Every claim is an observation (a segment there or gone, an exception type, a
count), so none has a margin. A feature the interpreter lacks is "not shown" by the
machine's nature (SHAPE), with the version that has it.
"""

from __future__ import annotations

from measured.claims.registry import (
    SHAPE,
    Claim,
    Evidence,
    claim,
    not_shown,
    observed,
)
from measured.run.shapes.lifecycle import (
    BlockedPart,
    ImmediatePart,
    QueueShutdown,
    SentinelPart,
    ShutdownPart,
    TrackingCase,
)

NEEDS_313 = "needs Python 3.13+, not measured here"


def _python(evidence: Evidence) -> str:
    return f"Python {evidence.env['python']}"


def _needs_313(statement: str, feature: str) -> Claim:
    return not_shown(statement, f"{NEEDS_313} ({feature} was added in 3.13)", SHAPE)


# --- shm_tracking --------------------------------------------------------------------


def _cases(evidence: Evidence, key: str) -> list[TrackingCase] | None:
    """The case ``key`` of every run, or None if a run could not make it."""
    found: list[TrackingCase | None] = evidence.values(lambda r: r[key])
    cases = [case for case in found if case is not None]
    return cases if len(cases) == len(found) else None


@claim("shm_tracking")
def attaching_program_unlinks_segment(evidence: Evidence) -> Claim:
    """A program that only attaches (default tracking) unlinks the segment at exit."""
    cases = _cases(evidence, "attach")
    assert cases is not None  # every version makes this case
    gone = sum(not case["exists_after"] for case in cases)
    warned = all(case["warning"] for case in cases)
    # Only the name goes: the creator's mapping still works, its unlink() fails.
    creator = all(
        case["creator_still_reads"] is True
        and case["creator_unlink_error"] == "FileNotFoundError"
        for case in cases
    )
    python = _python(evidence)
    if gone == len(cases) and warned and creator:
        return observed(
            True,
            f"On {python}, a separate program that only attached to a segment with "
            "`SharedMemory(name=...)` and closed it took the segment's name with "
            "it: its own resource tracker unlinked it when the program exited, with "
            "a “leaked shared_memory” warning. The creator's own mapping still read "
            "the data, but opening the name failed and the creator's `unlink()` "
            "raised `FileNotFoundError`.",
            float(gone),
        )
    return observed(
        False,
        f"On {python}, a separate program that only attached to a segment did NOT "
        f"take its name with it, as described, in every run (gone in {gone} of "
        f"{len(cases)}, warned: {warned}, creator still read and its unlink() "
        f"raised FileNotFoundError: {creator}).",
        float(gone),
    )


@claim("shm_tracking")
def creator_tracker_unlinks_forgotten_segment(evidence: Evidence) -> Claim:
    """The creator's tracker unlinks a segment nobody unlinked, with a warning."""
    cases = _cases(evidence, "forgotten")
    assert cases is not None  # every version makes this case
    gone = sum(not case["exists_after"] for case in cases)
    warned = all(case["warning"] for case in cases)
    python = _python(evidence)
    if gone == len(cases) and warned:
        return observed(
            True,
            f"On {python}, a segment whose creator exited without `unlink()` was "
            "unlinked by the creator's resource tracker, which warned about "
            "“leaked shared_memory objects”.",
            float(gone),
        )
    return observed(
        False,
        f"On {python}, a segment whose creator forgot `unlink()` was NOT cleaned up "
        f"by its tracker in every run (gone in {gone} of {len(cases)}, warned: "
        f"{warned}).",
        float(gone),
    )


@claim("shm_tracking")
def untracked_attach_keeps_segment(evidence: Evidence) -> Claim:
    """With track=False, a program that attaches and exits leaves the segment be."""
    statement = (
        "With `SharedMemory(name=..., track=False)`, a program that attaches and "
        "exits leaves the segment to its creator."
    )
    cases = _cases(evidence, "attach_untracked")
    if cases is None:
        return _needs_313(statement, "the `track` parameter")
    kept = sum(
        case["exists_after"]
        and not case["warning"]
        and case["creator_unlink_error"] == "none"
        for case in cases
    )
    if kept == len(cases):
        return observed(
            True,
            f"On {_python(evidence)}, a program that attached with `track=False` and "
            "exited left the segment in place, with no warning: the creator still "
            "had it, and its `unlink()` then removed it.",
            float(kept),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a program that attached with `track=False` did NOT "
        f"leave the segment alone in every run (kept in {kept} of {len(cases)}).",
        float(kept),
    )


@claim("shm_tracking")
def untracked_segment_outlives_its_creator(evidence: Evidence) -> Claim:
    """A segment created with track=False stays after its creator exits."""
    statement = (
        "A segment created with `track=False` and never unlinked outlives its "
        "creator: nobody removes it."
    )
    cases = _cases(evidence, "forgotten_untracked")
    if cases is None:
        return _needs_313(statement, "the `track` parameter")
    kept = sum(case["exists_after"] and not case["warning"] for case in cases)
    if kept == len(cases):
        return observed(
            True,
            f"On {_python(evidence)}, a segment created with `track=False` by a "
            "program that exited without `unlink()` was still there afterwards, "
            "with no warning: no tracker removes it (the script then unlinked it).",
            float(kept),
        )
    return observed(
        False,
        f"On {_python(evidence)}, a segment created with `track=False` did NOT "
        f"outlive its creator in every run (kept in {kept} of {len(cases)}).",
        float(kept),
    )


# --- queue_shutdown, asyncio_queue_shutdown --------------------------------------


def _all_taken_once(part: SentinelPart, result: QueueShutdown) -> bool:
    items, consumers = result["items"], result["consumers"]
    return part["consumed"] == part["distinct"] == items and part["exited"] == consumers


def _sentinel(evidence: Evidence, who: str) -> Claim:
    results: list[QueueShutdown] = evidence.values(lambda r: r)
    first = results[0]
    ok = all(_all_taken_once(r["sentinel"], r) for r in results)
    taken = float(min(r["sentinel"]["distinct"] for r in results))
    if ok:
        return observed(
            True,
            f"On {_python(evidence)}, one sentinel per consumer ended all "
            f"{first['consumers']} consumer {who} after they had taken every one of "
            f"the {first['items']:,} items exactly once.",
            taken,
        )
    return observed(
        False,
        f"On {_python(evidence)}, the sentinels did NOT end every consumer {who} "
        "after each item was taken exactly once.",
        taken,
    )


def _shutdown_parts(evidence: Evidence) -> list[ShutdownPart] | None:
    found: list[ShutdownPart | None] = evidence.values(lambda r: r["shutdown"])
    parts = [part for part in found if part is not None]
    return parts if len(parts) == len(found) else None


def _immediate_parts(evidence: Evidence) -> list[ImmediatePart] | None:
    found: list[ImmediatePart | None] = evidence.values(lambda r: r["immediate"])
    parts = [part for part in found if part is not None]
    return parts if len(parts) == len(found) else None


def _blocked_parts(evidence: Evidence) -> list[BlockedPart] | None:
    found: list[BlockedPart | None] = evidence.values(lambda r: r.get("blocked"))
    parts = [part for part in found if part is not None]
    return parts if len(parts) == len(found) else None


def _blocked(evidence: Evidence, who: str, error: str, queue: str) -> Claim:
    statement = (
        f"`{queue}.shutdown()` wakes the consumer {who} already blocked in `get()` "
        f"and a `put()` blocked on a full queue: each raises `{error}`."
    )
    parts = _blocked_parts(evidence)
    if parts is None:
        return _needs_313(statement, f"`{queue}.shutdown()`")
    consumers = evidence.result_as(QueueShutdown)["consumers"]
    ok = all(
        part["waiting"] == consumers
        and part["per_consumer"] == [0] * consumers
        and part["errors"] == [error] * consumers
        and part["exited"] == consumers
        and part["put_waiting"]
        and part["put_error"] == error
        for part in parts
    )
    woken = float(min(part["errors"].count(error) for part in parts))
    if ok:
        return observed(
            True,
            f"On {_python(evidence)}, with all {consumers} consumer {who} blocked "
            f"in `get()` on an empty queue, `{queue}.shutdown()` woke each one: "
            f"every `get()` raised `{error}` and every consumer returned, none with "
            f"an item. A `put()` blocked on a full queue (`maxsize=1`) raised "
            f"`{error}` too.",
            woken,
        )
    return observed(
        False,
        f"On {_python(evidence)}, `{queue}.shutdown()` did NOT wake every blocked "
        f"`get()` and the blocked `put()` with `{error}` (per run: "
        + "; ".join(
            f"{part['waiting']} waiting, errors {part['errors']}, put "
            f"{part['put_error']}"
            for part in parts
        )
        + ").",
        woken,
    )


def _shutdown(evidence: Evidence, who: str, error: str, queue: str) -> Claim:
    statement = (
        f"`{queue}.shutdown()` ends the consumer {who} once they have drained the "
        f"queue: `get()` raises `{error}`."
    )
    parts = _shutdown_parts(evidence)
    if parts is None:
        return _needs_313(statement, f"`{queue}.shutdown()`")
    result = evidence.result_as(QueueShutdown)
    consumers = result["consumers"]
    ok = all(
        _all_taken_once(part, result)
        and part["errors"] == [error] * consumers
        and part["put_after"] == error
        for part in parts
    )
    taken = float(min(part["distinct"] for part in parts))
    if ok:
        return observed(
            True,
            f"On {_python(evidence)}, after `{queue}.shutdown()` all {consumers} "
            f"consumer {who} still took every one of the {result['items']:,} items "
            f"queued before it, exactly once; then `get()` raised `{error}` in each, "
            f"and a later `put()` raised `{error}` too. No sentinel needed.",
            taken,
        )
    return observed(
        False,
        f"On {_python(evidence)}, `{queue}.shutdown()` did NOT end every consumer "
        f"{who} with `{error}` after each item was taken exactly once.",
        taken,
    )


def _immediate(evidence: Evidence, error: str, queue: str) -> Claim:
    statement = (
        f"`{queue}.shutdown(immediate=True)` drops the queued items, `get()` raises "
        f"`{error}` at once and `join()` returns."
    )
    parts = _immediate_parts(evidence)
    if parts is None:
        return _needs_313(statement, f"`{queue}.shutdown()`")
    ok = all(
        part["queued"] > 0
        and part["left"] == 0
        and part["consumed"] == 0
        and part["get_error"] == error
        and part["join_returned"]
        for part in parts
    )
    first: ImmediatePart = parts[0]
    if ok:
        return observed(
            True,
            f"On {_python(evidence)}, `{queue}.shutdown(immediate=True)` with "
            f"{first['queued']:,} items queued left none: a consumer got no item, "
            f"its `get()` raised `{error}` at once, and `join()` returned although "
            "nobody had called `task_done()`: each dropped item counts as if "
            "`task_done()` had been called for it.",
            float(first["queued"] - first["left"]),
        )
    return observed(
        False,
        f"On {_python(evidence)}, `{queue}.shutdown(immediate=True)` did NOT drop "
        f"every queued item, raise `{error}` in `get()` at once and release "
        "`join()`.",
        float(first["queued"] - first["left"]),
    )


@claim("queue_shutdown")
def sentinel_ends_consumer_threads(evidence: Evidence) -> Claim:
    """One sentinel per consumer ends every consumer thread, after all the work."""
    return _sentinel(evidence, "threads")


@claim("queue_shutdown")
def shutdown_ends_consumer_threads(evidence: Evidence) -> Claim:
    """queue.Queue.shutdown() ends consumer threads after they drain the queue."""
    return _shutdown(evidence, "threads", "ShutDown", "queue.Queue")


@claim("queue_shutdown")
def immediate_shutdown_drops_items(evidence: Evidence) -> Claim:
    """shutdown(immediate=True) empties the queue and releases get() and join()."""
    return _immediate(evidence, "ShutDown", "queue.Queue")


@claim("queue_shutdown")
def shutdown_wakes_blocked_threads(evidence: Evidence) -> Claim:
    """shutdown() wakes threads blocked in get(), and a put() on a full queue."""
    return _blocked(evidence, "threads", "ShutDown", "queue.Queue")


@claim("asyncio_queue_shutdown")
def sentinel_ends_consumer_tasks(evidence: Evidence) -> Claim:
    """One sentinel per consumer ends every consumer task, after all the work."""
    return _sentinel(evidence, "tasks")


@claim("asyncio_queue_shutdown")
def shutdown_ends_consumer_tasks(evidence: Evidence) -> Claim:
    """asyncio.Queue.shutdown() ends consumer tasks after they drain the queue."""
    return _shutdown(evidence, "tasks", "QueueShutDown", "asyncio.Queue")


@claim("asyncio_queue_shutdown")
def async_immediate_shutdown_drops_items(evidence: Evidence) -> Claim:
    """asyncio shutdown(immediate=True) empties the queue, releases get() and join()."""
    return _immediate(evidence, "QueueShutDown", "asyncio.Queue")


@claim("asyncio_queue_shutdown")
def shutdown_wakes_blocked_tasks(evidence: Evidence) -> Claim:
    """asyncio shutdown() wakes tasks suspended in get(), and a put() when full."""
    return _blocked(evidence, "tasks", "QueueShutDown", "asyncio.Queue")
