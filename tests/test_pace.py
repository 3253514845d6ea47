"""The cores the machine delivered during a run, from a probe no claim judges.

A shared CI machine once gave a process pool 1.2x with the kernel's counters
showing both cores free. These tests pin how the probe's rounds turn into
"delivered cores", that the runner and the claims treat a run whose probe got
too few cores as busy, and that a pool slow for Python's own reasons, on a
machine that delivered every core to the probe, still makes the claim miss.
"""

from __future__ import annotations

import copy

import pytest

from measured import claims
from measured.claims import modern
from measured.run import pace, runner, stats


def _rounds(alone: list[float], together: list[float]) -> dict:
    return {"samples": {pace.ALONE: alone, pace.TOGETHER: together}}


def test_delivered_cores_are_the_median_alone_over_together() -> None:
    entry = pace.record(_rounds([0.04, 0.04, 0.04], [0.02, 0.032, 0.021]), 2)
    assert entry["per_round"] == [2.0, 1.25, 1.905]
    assert entry["cores"] == 1.905 and entry["workers"] == 2
    assert pace.delivered({pace.FIELD: entry}) == 1.905


def test_delivered_cores_never_exceed_the_workers() -> None:
    """A slow 'alone' round (a spell on this process's core) is not a third core."""
    assert pace.record(_rounds([0.09] * 3, [0.02] * 3), 2)["cores"] == 2.0


def test_free_cores_is_the_fewer_of_meter_and_probe() -> None:
    probed = {pace.FIELD: {"cores": 1.2}}
    assert pace.free_cores({"free_cores": 2.0}, probed) == 1.2
    assert pace.free_cores({"free_cores": 1.0}, probed) == 1.0
    assert pace.free_cores({"free_cores": 2.0}, {}) == 2.0
    assert pace.free_cores({}, probed) == 1.2
    assert pace.free_cores({}, {}) is None


def test_the_probe_runs_its_work_in_parallel_processes_and_ends_them() -> None:
    with pace.Probe(2) as probe:
        procs = list(probe._procs)
        assert all(p.is_alive() for p in procs)
        probe.alone()
        probe.together()
        assert set(probe.alternatives()) == {pace.ALONE, pace.TOGETHER}
    assert not any(p.is_alive() for p in procs)
    assert pace.work() == pace.work()  # a fixed piece of work


def test_a_run_whose_probe_got_too_few_cores_is_busy_for_the_runner() -> None:
    machine = {"free_cores": 1.98, "cores": 2}
    short = runner.Execution({pace.FIELD: {"cores": 1.2}}, "", "", 1.0, machine)
    assert short.busy()
    assert "probe got about 1.2 of 2 cores" in runner.another_run([short], ())
    full = runner.Execution({pace.FIELD: {"cores": 1.9}}, "", "", 1.0, machine)
    assert not full.busy() and runner.another_run([full], ()) == ""


def _matrix_evidence(speedup: float, delivered: float) -> claims.Evidence:
    """A 2-core GIL run of gil_across_versions: the pool ``speedup`` times faster
    than the loop in every round, the probe at ``delivered`` cores."""
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


def test_a_pool_on_a_machine_the_probe_found_short_is_not_shown() -> None:
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.2, delivered=1.2))
    assert outcome.holds is None and outcome.why == claims.BUSY, outcome.statement
    assert "probe of plain processes hashing in C got about 1.2" in outcome.reason


def test_a_pool_slow_while_the_probe_got_every_core_misses() -> None:
    """The probe cannot excuse Python: every core delivered, a 1.2x pool misses."""
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.2, delivered=2.0))
    assert outcome.holds is False, outcome.reason


@pytest.mark.parametrize("delivered", [1.95, 2.0])
def test_a_pool_at_full_speed_on_a_full_machine_holds(delivered: float) -> None:
    outcome = modern.matrix_processes_scale(_matrix_evidence(1.9, delivered))
    assert outcome.holds is True, outcome.reason


def test_busy_runs_left_out_are_named_not_counted_as_misses() -> None:
    held = claims.Claim(True, "held", figure=1.0)
    busy = claims.Claim(None, "x", "busy", figure=1.0, why=claims.BUSY)
    missed = claims.Claim(False, "missed", figure=1.0)
    assert claims.tally([held, busy, busy]) == (
        "held in 1 of 3 runs (2 of them busy, left out of the verdict)"
    )
    assert claims.tally([held, missed]) == "held in 1 of 2 runs"
    assert claims.tally([busy]) == "held in 0 of 1 run"  # the reason says busy
    assert claims.busy_runs([held, busy, missed]) == 1


def _noisy(cores: float | None, free: float = 2.0) -> runner.Execution:
    """A run whose one judged ratio is 'cmp: a / b'; wide unless ``cores`` is None."""
    b = [0.2] * 4 + [1.0] + [5.0] * 4
    result = {
        "cmp": {
            "kind": stats.ROUNDS_KIND,
            "rounds": 9,
            "warmup": 0,
            "samples": {"a": [1.0] * 9, "b": b},
        }
    }
    if cores is not None:
        result[pace.FIELD] = {"method": "probe", "cores": cores, "workers": 2}
    return runner.Execution(result, "", "", 1.0, {"free_cores": free, "cores": 2})


def test_noise_is_judged_on_the_runs_a_verdict_rests_on() -> None:
    """A busy run's rounds are not pooled into the noise decision (its rounds never
    reach a timed verdict); with every run busy, all of them are."""
    quiet = runner.Execution(
        {
            "cmp": {
                "kind": stats.ROUNDS_KIND,
                "rounds": 9,
                "warmup": 0,
                "samples": {"a": [1.0] * 9, "b": [0.5] * 9},
            }
        },
        "",
        "",
        1.0,
        {"free_cores": 2.0, "cores": 2},
    )
    busy = _noisy(cores=1.0)
    width, _ = runner.pooled_noise([busy, quiet], ("cmp: a / b",))
    assert width < runner.NOISE_LIMIT
    assert runner.pooled_noise([busy], ("cmp: a / b",))[0] > runner.NOISE_LIMIT


def test_a_run_only_the_probe_found_busy_is_followed_without_a_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The meter cannot see what the probe saw: pausing to read it again would
    only ever say 'quiet'. A run the meter found busy still gets the pause."""
    probe_busy = _noisy(cores=1.0, free=2.0)
    meter_busy = _noisy(cores=None, free=1.0)
    assert probe_busy.busy() and not probe_busy.meter_busy()
    assert meter_busy.busy() and meter_busy.meter_busy()
