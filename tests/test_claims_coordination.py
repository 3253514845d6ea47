"""The sharing-and-coordination claims can fail, and say when a machine can't show them.

tests/test_claims.py asserts every registered claim against the real results. Here
each claim is fed a result that contradicts it and must say so, so none of those
assertions can pass by construction.
"""

from __future__ import annotations

import functools
from typing import Any

from contradictions import CONTRADICTIONS, each_result, with_env, with_machine

from measured import claims, render, runner
from measured import claims_coordination as cc


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


def test_event_loop_claims_fail_on_contradicting_figures() -> None:
    stalls = {
        cc.BLOCKING: 20.0,  # a blocking call that did not stall: wrong
        cc.TO_THREAD: 3.0,
        cc.EXECUTOR: 3.0,
        cc.CPU_INLINE: 200.0,
        cc.CPU_POOL: 180.0,  # a process pool that stalled the loop: wrong
    }
    result = {"stall_ms": stalls, "block": 0.2, "cpu_work_ms": 200.0}
    assert cc.blocking_call_stalls_the_loop(result).holds is False
    assert cc.cpu_work_belongs_in_a_process_pool(result).holds is False


def connections(thread_kib: float, async_kib: float, skipped: list[int]) -> dict:
    rows = [
        {
            "kind": kind,
            "connections": 5000,
            "rss_per_connection": kib * 1024,
            "seconds": seconds,
            "failures": 0,
        }
        for kind, kib, seconds in (
            ("threads", thread_kib, 2.0),
            ("asyncio", async_kib, 2.0),
        )
    ]
    return {
        "levels": [5000],
        "skipped_levels": skipped,
        "fd_limit": {"soft": 1024, "hard": 1024, "soft_before": 1024},
        "server": {"peak": 5000},
        "rows": rows,
    }


def test_connection_claims_fail_and_skip() -> None:
    even = connections(thread_kib=10, async_kib=10, skipped=[])
    assert cc.asyncio_uses_less_memory_per_connection(even).holds is False
    assert cc.asyncio_is_faster_at_scale(even).holds is False
    assert cc.both_clients_serve_every_level(even).holds is True
    capped = cc.both_clients_serve_every_level(connections(16, 8, skipped=[10_000]))
    assert capped.holds is None and "file-descriptor limit" in capped.reason


def test_every_coordination_claim_is_registered() -> None:
    registered = {entry.check for entry in claims.registered()}
    # Every public function of the module that returns a Claim (views that feed
    # tables and charts return rows instead).
    defined = {
        value
        for name, value in vars(cc).items()
        if callable(value)
        and getattr(value, "__module__", "") == cc.__name__
        and not name.startswith("_")
        and getattr(value, "__annotations__", {}).get("return") == "Claim"
    }
    assert defined <= registered, sorted(f.__name__ for f in defined - registered)
