"""The sharing-and-coordination claims can fail, and say when a machine can't show them.

tests/test_claims.py asserts every registered claim against the real results. Here
each claim is fed a result that contradicts it and must say so, so none of those
assertions can pass by construction.
"""

from __future__ import annotations

import functools
from typing import Any

from contradictions import CONTRADICTIONS, each_result, with_env, with_machine

from measured import claims
from measured.claims import coordination as cc
from measured.run import runner
from measured.web import render


@functools.cache
def evidence_of(experiment: str) -> claims.Evidence:
    """The runs this build made (or cached) of one experiment."""
    return render.evidence(runner.run(experiment))


def test_plain_increment_is_not_claimed_without_the_gil() -> None:
    free = with_env(evidence_of("race_threads"), gil_enabled=False)
    outcome = cc.plain_increment_happens_to_survive(free)
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert "without the GIL" in outcome.reason


def test_process_races_are_not_shown_without_fork() -> None:
    def no_fork(result: dict[str, Any]) -> None:
        result["fork_available"], result["rows"] = False, []

    evidence = each_result(evidence_of("race_processes"), no_fork)
    for check in (
        cc.processes_lose_updates_without_lock,
        cc.threading_lock_does_not_protect_processes,
        cc.process_locks_prevent_lost_updates,
    ):
        outcome = check(evidence)
        assert outcome.holds is None and "fork" in outcome.reason, check.__name__


def test_no_lost_update_misses_on_any_machine() -> None:
    """One core shows the process race too (measured with taskset -c 0), so a run
    that lost nothing is a miss there as well, not a machine that cannot show it."""
    evidence = evidence_of("race_processes")
    none_lost = CONTRADICTIONS["processes_lose_updates_without_lock"].make(evidence)
    check = cc.processes_lose_updates_without_lock
    assert check(with_env(none_lost, cores=1)).holds is False
    assert check(with_machine(none_lost, free_cores=1.0, cores=2)).holds is False
    assert check(with_env(evidence, cores=1)).holds is True


def test_a_lock_is_not_credited_when_there_was_no_race() -> None:
    def quiet(ways: tuple[str, ...]) -> Any:
        def edit(result: dict[str, Any]) -> None:
            for row in result["rows"]:
                if row["way"] in ways:
                    row["lost"] = [0 for _ in row["lost"]]

        return edit

    threads = each_result(evidence_of("race_threads"), quiet(("unsafe", "locked")))
    outcome = cc.lock_prevents_lost_updates(threads)
    assert outcome.holds is None and outcome.why == claims.NOISE
    processes = each_result(
        evidence_of("race_processes"),
        quiet(("unlocked", "value.get_lock()", "multiprocessing.Lock")),
    )
    outcome = cc.process_locks_prevent_lost_updates(processes)
    assert outcome.holds is None


def test_uncounted_bytes_are_not_shown() -> None:
    def uncounted(result: dict[str, Any]) -> None:
        for calls in result["received"].values():
            for call in calls:
                call[0] = None  # a worker with nothing to count from

    evidence = each_result(evidence_of("shared_array"), uncounted)
    outcome = cc.shared_memory_sends_a_name(evidence)
    assert outcome.holds is None and outcome.why == claims.NOISE


def test_segments_are_not_judged_without_dev_shm() -> None:
    def elsewhere(result: dict[str, Any]) -> None:
        result["shared_memory"].update(dev_shm=False, visible_in_dev_shm=False)

    evidence = each_result(evidence_of("sharing_demo"), elsewhere)
    outcome = cc.segments_are_unlinked(evidence)
    assert outcome.holds is None and outcome.why == claims.SHAPE


def test_connection_levels_over_the_descriptor_limit_are_not_claimed() -> None:
    """A level the file-descriptor limit skipped: "every level" is not shown."""
    from contradictions import each_result

    evidence = render.evidence(runner.run("many_connections"))

    def capped(result: dict[str, Any]) -> None:
        result["skipped_levels"] = [10_000]
        result["fd_limit"]["soft"] = 4_096

    outcome = cc.both_clients_serve_every_level(each_result(evidence, capped))
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert "file-descriptor limit (4,096)" in outcome.reason


def test_futures_claims_are_not_shown_where_the_platform_cannot_show_them() -> None:
    """No fork: no spawn-vs-fork verdict. No GIL: no "threads gain nothing"."""
    from contradictions import each_result, with_env

    def no_fork(result: dict[str, Any]) -> None:
        del result["start_methods"]["samples"]["fork"]

    api = render.evidence(runner.run("futures_api"))
    outcome = cc.spawn_starts_slower_than_fork(each_result(api, no_fork))
    assert outcome.holds is None and outcome.why == claims.SHAPE

    compare = render.evidence(runner.run("futures_compare"))
    outcome = cc.threads_do_not_speed_up_cpu(with_env(compare, gil_enabled=False))
    assert outcome.holds is None and "without the GIL" in outcome.reason


def test_every_coordination_claim_is_registered() -> None:
    """Every public function of the module that returns a Claim is registered.

    Pages' view functions (tables, intervals) live beside the claims and return
    other things; a function declared to return a Claim must be a registered claim.
    """
    registered = {entry.check for entry in claims.registered()}
    defined = {
        value
        for name, value in vars(cc).items()
        if callable(value)
        and getattr(value, "__module__", "") == cc.__name__
        and not name.startswith("_")
        and getattr(value, "__annotations__", {}).get("return") == "Claim"
    }
    assert defined <= registered, sorted(f.__name__ for f in defined - registered)


def test_a_condition_consumer_that_never_waited_misses() -> None:
    """The Condition part is observed: a consumer whose predicate was already true
    at its first check never waited, so the claim that it waited and woke misses."""

    def never_waited(result: dict[str, Any]) -> None:
        result["condition"]["predicate_checks"] = [True]

    evidence = each_result(evidence_of("sync_primitives"), never_waited)
    outcome = cc.event_condition_barrier_coordinate(evidence)
    assert outcome.holds is False and "did NOT wait" in outcome.statement


def test_a_segment_not_seen_while_open_misses() -> None:
    """Each segment is looked for in /dev/shm while open, ShareableList's too."""

    def unseen(result: dict[str, Any]) -> None:
        result["shareable_list"]["visible_in_dev_shm"] = False

    evidence = each_result(evidence_of("sharing_demo"), unseen)
    outcome = cc.segments_are_unlinked(evidence)
    assert outcome.holds is False and "**1** of 2" in outcome.statement


def test_ipc_verdicts_name_the_placement() -> None:
    evidence = evidence_of("ipc_throughput")
    for check in (
        cc.shared_memory_wins_for_large_payloads,
        cc.shared_memory_gains_nothing_for_small_messages,
        cc.pipe_beats_queue_for_large_payloads,
    ):
        assert cc.ipc_placement(evidence) in check(evidence).statement, check
