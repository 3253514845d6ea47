"""The cores a pool's workers got, read from their own pace (measured.run.pace).

A shared CI machine once gave a process pool 1.2x with the kernel's counters
showing both cores free: the host had taken one away without reporting steal
time. These tests pin how the workers' pace turns into "delivered cores", and
that a run the pace calls busy is treated as one by the runner and the claims,
while a pool that is slow for Python's own reasons still makes the claim miss.
"""

from __future__ import annotations

import copy

import pytest

from measured import claims
from measured.claims import modern
from measured.run import pace, runner, stats

A, B, MAIN = 101, 102, 100


def test_full_pace_workers_deliver_every_core() -> None:
    alone = [(MAIN, 0.035)] * 4
    together = [(A, 0.035), (B, 0.036), (A, 0.034), (B, 0.035)]
    assert pace.in_round(alone, together, 2) == pytest.approx(2.0, abs=0.03)


def test_a_worker_at_half_pace_delivers_half_a_core() -> None:
    alone = [(MAIN, 0.035)] * 4
    together = [(A, 0.035), (B, 0.070), (A, 0.035), (B, 0.070)]
    assert pace.in_round(alone, together, 2) == pytest.approx(1.5)


def test_a_faster_worker_counts_one_core_at_most() -> None:
    alone = [(MAIN, 0.070)] * 4  # the serial tasks hit a slow spell
    together = [(A, 0.035), (B, 0.035)]
    assert pace.in_round(alone, together, 2) == 2.0


def test_a_worker_the_pool_left_idle_is_not_the_machines_doing() -> None:
    """One worker got every task: the pool's fault, so the idle worker counts as
    a whole core and the claim can still miss (see the claim test below)."""
    alone = [(MAIN, 0.035)] * 4
    together = [(A, 0.035)] * 4
    assert pace.in_round(alone, together, 2) == 2.0


def test_the_run_figure_is_the_median_of_the_timed_rounds() -> None:
    log = pace.Log()
    warm = [("warm", MAIN, 9.0)]
    log.record("serial", warm)  # a warm-up call: never counted
    log.record("processes", [("warm", A, 9.0), ("warm", B, 90.0)])
    for slow in (0.035, 0.070, 0.035):
        assert log.record("serial", [(1, MAIN, 0.035), (2, MAIN, 0.035)]) == [1, 2]
        log.record("processes", [(1, A, 0.035), (2, B, slow)])
    entry = pace.record(log, "serial", "processes", workers=2, warmup=1)
    assert entry["per_round"] == [2.0, 1.5, 2.0]
    assert entry["cores"] == 2.0
    assert pace.delivered({pace.FIELD: entry}) == 2.0


def test_free_cores_is_the_fewer_of_meter_and_pace() -> None:
    paced = {pace.FIELD: {"cores": 1.2}}
    assert pace.free_cores({"free_cores": 2.0}, paced) == 1.2
    assert pace.free_cores({"free_cores": 1.0}, paced) == 1.0
    assert pace.free_cores({"free_cores": 2.0}, {}) == 2.0
    assert pace.free_cores({}, paced) == 1.2
    assert pace.free_cores({}, {}) is None


def test_timed_reports_where_and_how_long() -> None:
    import os

    value, pid, seconds = pace.timed(sum, [1, 2, 3])
    assert (value, pid) == (6, os.getpid()) and seconds >= 0


def test_a_run_whose_workers_lagged_is_busy_for_the_runner() -> None:
    machine = {"free_cores": 1.98, "cores": 2}
    lagging = runner.Execution({pace.FIELD: {"cores": 1.2}}, "", "", 1.0, machine)
    assert lagging.busy()
    why = runner.another_run([lagging], ())
    assert "pace of about 1.2 of 2 cores" in why
    full = runner.Execution({pace.FIELD: {"cores": 1.9}}, "", "", 1.0, machine)
    assert not full.busy() and runner.another_run([full], ()) == ""


def _matrix_evidence(speedup: float, delivered: float) -> claims.Evidence:
    """A 2-core GIL run of gil_across_versions: the pool ``speedup`` times faster
    than the loop in every round, its workers at ``delivered`` cores' pace."""
    rounds = 9
    serial = [0.14 + 0.001 * i for i in range(rounds)]
    result = {
        "experiment": "gil_across_versions",
        "tasks": 4,
        "size": 500_000,
        "cores": 2,
        "workers": 2,
        "headline_workers": 2,
        "start_method": "fork",
        "cpu": {
            "kind": stats.ROUNDS_KIND,
            "rounds": rounds,
            "warmup": 1,
            "samples": {
                "serial": serial,
                "threads": list(serial),
                "processes": [s / speedup for s in serial],
            },
        },
        pace.FIELD: {
            "cores": delivered,
            "per_round": [delivered] * rounds,
            "reference": "serial",
            "pool": "processes",
            "workers": 2,
        },
        "env": {
            "python": "3.13.0",
            "implementation": "CPython",
            "free_threaded_build": False,
            "gil_enabled": True,
            "cores": 2,
        },
    }
    return claims.Evidence.single(copy.deepcopy(result), free_cores=2.0, cores=2)


def test_a_pool_the_machine_starved_is_not_shown_not_missed() -> None:
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.2, delivered=1.2))
    assert outcome.holds is None and outcome.why == claims.BUSY, outcome.statement
    assert "pace of about 1.2 of 2 cores" in outcome.reason


def test_a_pool_slow_at_full_pace_misses() -> None:
    """The pace cannot excuse Python: workers at full pace and a 1.2x pool miss."""
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.2, delivered=2.0))
    assert outcome.holds is False, outcome.reason


def test_a_pool_at_full_pace_and_full_speed_holds() -> None:
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.9, delivered=1.95))
    assert outcome.holds is True, outcome.reason
