"""The decision rule every verdict rests on: intervals, verdicts, error rates."""

from __future__ import annotations

import math
import random

import pytest

from measured.claims import rule
from measured.run import measure, stats


def test_order_statistic_ranks_reach_the_confidence_from_six_rounds() -> None:
    assert stats.rank(5) == 1 and stats.coverage(5, 1) < stats.CONFIDENCE
    for n in range(stats.MIN_ROUNDS, 60):
        k = stats.rank(n)
        assert stats.coverage(n, k) >= stats.CONFIDENCE
        if k + 1 <= (n + 1) // 2:  # the next rank in would not reach it
            assert stats.coverage(n, k + 1) < stats.CONFIDENCE
    assert (stats.rank(9), stats.rank(12)) == (2, 3)


def test_the_interval_covers_the_median_as_often_as_it_says() -> None:
    rng = random.Random(3)
    n, trials, covered = 12, 4000, 0
    for _ in range(trials):  # a skewed distribution whose median is 1.0
        values = [math.exp(rng.gauss(0, 0.3)) ** 3 for _ in range(n)]
        interval = stats.median_interval(values)
        covered += interval.low <= 1.0 <= interval.high
    assert covered / trials >= stats.coverage(n, stats.rank(n)) - 0.015


def test_paired_ratios_pair_by_round() -> None:
    record = measure.Rounds(
        {"serial": (2.0, 4.0, 3.0), "pool": (1.0, 2.0, 1.0)},
        (("serial", "pool"),) * 3,
        0,
        1,
    )
    assert stats.paired_ratios([2.0, 4.0], [1.0, 2.0]) == [2.0, 2.0]
    assert record.ratio("serial", "pool").estimate == 2.0
    with pytest.raises(ValueError):
        stats.paired_ratios([1.0], [1.0, 2.0])


def test_pooled_rounds_stay_paired() -> None:
    a = {"kind": "rounds", "rounds": 2, "samples": {"x": [1, 2], "y": [1, 1]}}
    b = {"kind": "rounds", "rounds": 1, "samples": {"x": [4], "y": [2]}}
    pooled = stats.pooled([a, b])
    assert pooled["rounds"] == 3
    assert stats.paired_ratios(pooled["samples"]["x"], pooled["samples"]["y"]) == [
        1.0,
        2.0,
        2.0,
    ]


def interval(low: float, high: float) -> stats.Interval:
    return stats.Interval((low + high) / 2, low, high, 12, 0.96)


def test_three_verdicts() -> None:
    assert stats.at_least(interval(1.5, 1.9), 1.4) is True
    assert stats.at_least(interval(1.0, 1.3), 1.4) is False
    assert stats.at_least(interval(1.3, 1.9), 1.4) is None
    assert stats.at_most(interval(0.9, 1.1), 1.3) is True
    assert stats.at_most(interval(1.5, 1.9), 1.3) is False
    assert stats.at_most(interval(1.1, 1.5), 1.3) is None


def test_a_speedup_above_the_ideal_is_a_measurement_error() -> None:
    assert stats.impossible_speedup(interval(2.1, 2.3), workers=2, cores=2)
    assert not stats.impossible_speedup(interval(1.9, 2.1), workers=2, cores=2)
    assert stats.impossible_speedup(interval(1.07, 1.2), workers=1, cores=2)


def test_rounds_run_in_a_new_random_order_each_round() -> None:
    calls: list[str] = []
    names = "abcde"
    rounds = measure.time_rounds(
        {n: (lambda n=n: calls.append(n)) for n in names}, rounds=8, warmup=1, seed=5
    )
    assert len(calls) == 9 * len(names)
    assert rounds.rounds == 8 and all(len(v) == 8 for v in rounds.samples.values())
    assert len(set(rounds.order)) > 1, "every round in the same order"
    assert all(sorted(order) == list(names) for order in rounds.order)
    again = measure.time_rounds({n: lambda: None for n in names}, rounds=8, seed=5)
    assert again.order == rounds.order  # the seed is recorded: the order reproduces


@pytest.mark.parametrize(
    "scenario", [rule.AT, rule.BELOW, rule.ABOVE], ids=["at", "below", "above"]
)
def test_the_rule_has_the_stated_error_rates(scenario: rule.Scenario) -> None:
    """Simulated: a ratio at or just below the margin is published as holding in
    at most 5 % of trials (the bound the rule states is tighter: P(B <= k-1));
    one comfortably above it holds in at least 95 %."""
    rates = rule.simulated(scenario)
    n = scenario.rounds
    bound = 1 - stats.coverage(n, stats.rank(n))  # both tails
    slack = 3 * (bound / 2 / rule.TRIALS) ** 0.5  # three standard errors
    if scenario.true_over_margin <= 1:
        assert rates["holds"] <= rule.MAX_FALSE_HOLDS
        assert rates["holds"] <= bound / 2 + slack  # the stated bound
    else:
        assert rates["holds"] >= rule.MIN_TRUE_HOLDS
    if scenario.true_over_margin >= 1:
        assert rates["misses"] <= bound / 2 + slack


def test_noise_is_the_widest_relative_interval() -> None:
    steady = {
        "kind": "rounds",
        "rounds": 9,
        "samples": {"a": [1.0] * 9, "b": [0.5] * 9},
    }
    assert stats.noise({"x": steady})[0] == 0.0
    wild = {
        "kind": "rounds",
        "rounds": 9,
        "samples": {"a": [1.0] * 9, "b": [0.2, 5.0, 1.0] * 3},
    }
    width, where = stats.noise({"x": steady, "y": wild})
    assert width > 1 and where == "y: a / b"


def _rounds(**samples: list[float]) -> dict[str, object]:
    return {"kind": "rounds", "rounds": 9, "samples": samples}


def test_noise_counts_only_the_judged_ratios() -> None:
    """Undeclared, every alternative against its record's first counts; declared,
    only the judged ratios do, in the direction they are named."""
    wild = [0.2, 5.0, 1.0] * 3
    result = {"x": _rounds(a=[1.0] * 9, b=wild, c=[0.5] * 9)}
    assert stats.noise(result)[1] == "x: a / b"  # the fallback: b against a
    assert stats.noise(result, lambda label: label == "x: a / c") == (0.0, "")
    assert stats.noise(result, lambda label: False) == (0.0, "")
    # "c / b" is not against the first alternative: only a declaration counts it.
    width, where = stats.noise(result, lambda label: label == "x: c / b")
    assert width > 1 and where == "x: c / b"
    few = {"x": {**_rounds(a=[1.0], b=[5.0]), "rounds": 1}}
    assert stats.noise(few, lambda label: True) == (0.0, "")  # under MIN_ROUNDS


def test_a_declared_ratio_names_fields_and_any_text() -> None:
    fields = {"top": 2000, "workers": 2, "flag": True}
    pattern = stats.ratio_pattern("by_level/{top}/time: threads / asyncio", fields)
    assert pattern.fullmatch("by_level/2000/time: threads / asyncio")
    assert not pattern.fullmatch("by_level/100/time: threads / asyncio")
    wild = stats.ratio_pattern("rows[0]/cpu: processes {workers} / processes *", fields)
    assert wild.fullmatch("rows[0]/cpu: processes 2 / processes 4")
    assert not wild.fullmatch("rows[1]/cpu: processes 2 / processes 4")  # [ is literal
    double = stats.ratio_pattern(
        "cpu: processes {workers} / processes {2*workers}", fields
    )
    assert double.fullmatch("cpu: processes 2 / processes 4")
    assert not double.fullmatch("cpu: processes 2 / processes 1")
    for absent in ("x: a / {missing}", "x: a / {flag}"):  # only numbers and text
        assert not stats.ratio_pattern(absent, fields).fullmatch("x: a / True")
    label = stats.ratio_label("workloads/CPU/rounds", "serial", "processes")
    assert label == "workloads/CPU/rounds: serial / processes"
