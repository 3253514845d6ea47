"""Contradicting inputs for the sharing and synchronization claims.

The experiments sharing_demo, ipc_throughput, shared_array, race_threads,
race_processes, lock_cost and sync_primitives (measured/claims/coordination.py).
"""

from __future__ import annotations

from collections.abc import Callable

from measured.claims import Evidence
from measured.run.shapes import coordination as shape
from measured.run.shapes.common import RoundsRecord

from . import contradicts, each_result, like, samples_like, set_samples

# --- sharing_demo -----------------------------------------------------------------


@contradicts("processes_communicate")
def queue_child_answer_lost(evidence: Evidence) -> Evidence:
    def edit(result: shape.SharingDemo) -> None:
        result["queue"]["got"] = 0  # the parent never got the child's square

    return each_result(evidence, edit)


@contradicts("segments_are_unlinked")
def segment_left_in_dev_shm(evidence: Evidence) -> Evidence:
    def edit(result: shape.SharingDemo) -> None:
        result["shared_memory"]["gone_after_unlink"] = False

    return each_result(evidence, edit)


# --- ipc_throughput ---------------------------------------------------------------


def _ipc(size: int) -> Callable[[shape.IpcThroughput], shape.IpcRow]:
    return lambda result: next(r for r in result["rows"] if r["size"] == size)


def _ipc_rounds(size: int) -> Callable[[shape.IpcThroughput], RoundsRecord]:
    return lambda result: _ipc(size)(result)["rounds"]


def _per_message_like(
    evidence: Evidence, size: int, channel: str, other: str, speed: float = 1.0
) -> Evidence:
    """``channel`` as fast per message as ``other`` times ``speed``, round by round."""
    messages = _ipc(size)(evidence.result_as(shape.IpcThroughput))["messages"]
    factor = messages[channel] / messages[other] / speed
    return set_samples(evidence, _ipc_rounds(size), channel, like(other, factor))


@contradicts("shared_memory_wins_for_large_payloads")
def shared_memory_as_slow_as_pipe_for_large(evidence: Evidence) -> Evidence:
    size = max(evidence.result_as(shape.IpcThroughput)["sizes"])
    return _per_message_like(evidence, size, "shared memory", "Pipe")


@contradicts("shared_memory_gains_nothing_for_small_messages")
def shared_memory_twice_as_fast_for_small(evidence: Evidence) -> Evidence:
    size = min(evidence.result_as(shape.IpcThroughput)["sizes"])
    return _per_message_like(evidence, size, "shared memory", "Pipe", speed=2.0)


@contradicts("pipe_beats_queue_for_large_payloads")
def pipe_as_slow_as_queue_for_large(evidence: Evidence) -> Evidence:
    size = max(evidence.result_as(shape.IpcThroughput)["sizes"])
    return _per_message_like(evidence, size, "Pipe", "Queue")


# --- shared_array -----------------------------------------------------------------


def _array_rounds(result: shape.SharedArray) -> RoundsRecord:
    return result["rounds"]


samples_like(
    "shared_memory_beats_pickled_copy", _array_rounds, "shared memory", "pickled copy"
)


@contradicts("shared_memory_sends_a_name")
def shared_memory_workers_received_their_chunks(evidence: Evidence) -> Evidence:
    def edit(result: shape.SharedArray) -> None:
        chunk = result["bytes"] // result["chunks"]
        result["received"]["shared memory"] = [
            [chunk for _ in call] for call in result["received"]["shared memory"]
        ]

    return each_result(evidence, edit)


# --- race_threads -----------------------------------------------------------------


def _set_lost(
    way: str, lost: list[int], interval: str | None = None
) -> Callable[[shape.RaceThreads | shape.RaceProcesses], None]:
    """An edit giving every trial of ``way`` (at one interval, or all) ``lost``;
    an ``interval`` ("default_interval", "tiny_interval") only in race_threads."""

    def edit(result: shape.RaceThreads | shape.RaceProcesses) -> None:
        for row in result["rows"]:
            if row["way"] == way and (
                interval is None or row["interval"] == result[interval]
            ):
                row["lost"] = [lost[i % len(lost)] for i in range(len(row["lost"]))]

    return edit


@contradicts("read_call_write_loses_updates")
def unsafe_threads_lost_nothing(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("unsafe", [0], "tiny_interval"))


@contradicts("lock_prevents_lost_updates")
def locked_threads_lost_some(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("locked", [5, 0, 0]))


@contradicts("plain_increment_happens_to_survive")
def plain_increment_lost_some(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("naive", [3, 0, 0]))


@contradicts("list_append_loses_nothing")
def list_append_lost_an_item(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("append", [1, 0, 0]))


# --- race_processes ---------------------------------------------------------------


@contradicts("processes_lose_updates_without_lock")
def unlocked_processes_lost_nothing(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("unlocked", [0]))


@contradicts("threading_lock_does_not_protect_processes")
def threading_lock_protected_processes(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("threading.Lock", [0]))


@contradicts("process_locks_prevent_lost_updates")
def process_lock_lost_updates(evidence: Evidence) -> Evidence:
    return each_result(evidence, _set_lost("value.get_lock()", [2, 0, 0]))


# --- lock_cost --------------------------------------------------------------------


def _lock_rounds(result: shape.LockCost) -> RoundsRecord:
    return result["rounds"]


@contradicts("uncontended_lock_is_cheap")
def uncontended_lock_adds_two_microseconds(evidence: Evidence) -> Evidence:
    n = evidence.result_as(shape.LockCost)["acquisitions"]

    def slower(_old: list[float], samples: dict[str, list[float]]) -> list[float]:
        bare = [s / n["no lock"] for s in samples["no lock"]]
        return [(per_turn + 2e-6) * n["Lock"] for per_turn in bare]

    return set_samples(evidence, _lock_rounds, "Lock", slower)


@contradicts("contended_lock_costs_more")
def contended_as_cheap_as_uncontended(evidence: Evidence) -> Evidence:
    n = evidence.result_as(shape.LockCost)["acquisitions"]
    factor = n["Lock, contended"] / n["Lock"]
    return set_samples(evidence, _lock_rounds, "Lock, contended", like("Lock", factor))


# --- sync_primitives --------------------------------------------------------------


@contradicts("semaphore_bounds_concurrency")
def semaphore_let_one_too_many_in(evidence: Evidence) -> Evidence:
    def edit(result: shape.SyncPrimitives) -> None:
        result["semaphore"]["peak_inside"] = result["limit"] + 1

    return each_result(evidence, edit)


@contradicts("rlock_reenters_lock_does_not")
def lock_let_its_owner_in_again(evidence: Evidence) -> Evidence:
    def edit(result: shape.SyncPrimitives) -> None:
        result["rlock"]["Lock"] = {"second_acquire": True, "waited_s": 0.0}

    return each_result(evidence, edit)


@contradicts("event_condition_barrier_coordinate")
def barrier_let_a_party_through_early(evidence: Evidence) -> Evidence:
    def edit(result: shape.SyncPrimitives) -> None:
        barrier = result["barrier"]
        last = max(barrier["arrived_ms"])
        barrier["passed_ms"] = [last - 5.0, *barrier["passed_ms"][1:]]

    return each_result(evidence, edit)


@contradicts("queue_delivers_each_item_once")
def queue_delivered_an_item_twice(evidence: Evidence) -> Evidence:
    def edit(result: shape.SyncPrimitives) -> None:
        result["queue"]["distinct"] = result["queue"]["items"] - 1

    return each_result(evidence, edit)


@contradicts("deadlock_detected_by_timeout")
def opposite_orders_never_deadlocked(evidence: Evidence) -> Evidence:
    def edit(result: shape.SyncPrimitives) -> None:
        deadlock = result["deadlock"]
        deadlock["opposite_order_got_second_lock"] = [
            True for _ in deadlock["opposite_order_got_second_lock"]
        ]

    return each_result(evidence, edit)
