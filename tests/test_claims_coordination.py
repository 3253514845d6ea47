"""The sharing-and-coordination claims can fail, and say when a machine can't show them.

tests/test_claims.py asserts every registered claim against the real results. Here
each claim is fed a result that contradicts it and must say so, so none of those
assertions can pass by construction.
"""

from __future__ import annotations

from typing import Any

from measured import claims, render, runner
from measured import claims_coordination as cc

GIL = {"gil_enabled": True, "cores": 2}


def race_threads(unsafe: list[int], locked: list[int], naive: list[int]) -> dict:
    rows = []
    for interval in (0.005, 1e-5):
        rows += [
            {"way": "unsafe", "interval": interval, "lost": unsafe},
            {"way": "locked", "interval": interval, "lost": locked},
            {"way": "naive", "interval": interval, "lost": naive},
            {"way": "append", "interval": interval, "lost": [0, 0]},
        ]
    return {
        "rows": rows,
        "default_interval": 0.005,
        "tiny_interval": 1e-5,
        "expected": 1000,
        "threads": 4,
        "env": GIL,
    }


def test_race_claims_fail_on_contradicting_figures() -> None:
    clean = race_threads(unsafe=[0, 0, 0], locked=[3, 0, 0], naive=[5, 0, 0])
    assert cc.read_call_write_loses_updates(clean).holds is False
    assert cc.lock_prevents_lost_updates(clean).holds is False
    assert cc.plain_increment_happens_to_survive(clean).holds is False
    good = race_threads(unsafe=[10, 0, 4], locked=[0, 0, 0], naive=[0, 0, 0])
    assert cc.read_call_write_loses_updates(good).holds is True
    assert cc.lock_prevents_lost_updates(good).holds is True


def test_plain_increment_is_not_claimed_without_the_gil() -> None:
    result = race_threads(unsafe=[9], locked=[0], naive=[7])
    result["env"] = {"gil_enabled": False, "cores": 2}
    outcome = cc.plain_increment_happens_to_survive(result)
    assert outcome.holds is None and "without the GIL" in outcome.reason


def race_processes(unlocked: list[int], thread_lock: list[int], fork: bool) -> dict:
    return {
        "fork_available": fork,
        "processes": 2,
        "expected": 100,
        "env": GIL,
        "rows": [
            {"way": "unlocked", "lost": unlocked},
            {"way": "value.get_lock()", "lost": [0]},
            {"way": "threading.Lock", "lost": thread_lock},
            {"way": "multiprocessing.Lock", "lost": [1]},
        ],
    }


def test_process_race_claims_fail_and_skip() -> None:
    result = race_processes(unlocked=[0, 0], thread_lock=[0], fork=True)
    assert cc.processes_lose_updates_without_lock(result).holds is False
    assert cc.threading_lock_does_not_protect_processes(result).holds is False
    assert cc.process_locks_prevent_lost_updates(result).holds is False
    no_fork = cc.threading_lock_does_not_protect_processes(
        race_processes([], [], fork=False)
    )
    assert no_fork.holds is None and "fork" in no_fork.reason


def ipc(shm_mb: float, pipe_mb: float, queue_mb: float) -> dict:
    rows = []
    for size in (100, 4_000_000):
        for channel, mb in (
            ("shared memory", shm_mb),
            ("Pipe", pipe_mb),
            ("Queue", queue_mb),
        ):
            rows.append(
                {
                    "channel": channel,
                    "size": size,
                    "mb_per_s": mb,
                    "messages_per_s": mb * 1e6 / size,
                }
            )
    return {"sizes": [100, 4_000_000], "rows": rows}


def test_throughput_claims_fail_on_contradicting_figures() -> None:
    flat = ipc(shm_mb=1000, pipe_mb=1000, queue_mb=1000)
    assert cc.shared_memory_wins_for_large_payloads(flat).holds is False
    assert cc.pipe_beats_queue_for_large_payloads(flat).holds is False
    shm_everywhere = ipc(shm_mb=5000, pipe_mb=1000, queue_mb=500)
    assert cc.pipe_wins_for_small_messages(shm_everywhere).holds is False
    assert cc.shared_memory_wins_for_large_payloads(shm_everywhere).holds is True


def test_shared_array_claim_fails_when_no_faster() -> None:
    result: dict[str, Any] = {
        "shared_vs_pickled": 1.1,
        "bytes": 32_000_000,
        "timings": {"shared memory": {"median": 0.1}, "pickled copy": {"median": 0.11}},
        "bytes_sent": {"pickled copy": 32_000_100, "shared memory": 300},
    }
    assert cc.shared_memory_beats_pickled_copy(result).holds is False
    result["bytes_sent"]["shared memory"] = 32_000_000
    assert cc.shared_memory_sends_a_name(result).holds is False


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


def test_lock_cost_claims_fail_on_contradicting_figures() -> None:
    result = {
        "contention_ratio": 1.0,
        "contended_ns": 5_300.0,
        "uncontended_ns": 5_300.0,
        "no_lock_ns": 300.0,
    }
    assert cc.contended_lock_costs_more(result).holds is False
    assert cc.uncontended_lock_is_cheap(result).holds is False


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
