"""The measurement helper: repeats, warm-up, interleaving, ratios."""

from __future__ import annotations

import pytest

from measured import measure


def test_interleaved_rounds_take_turns() -> None:
    calls: list[str] = []
    timings = measure.time_interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        repeats=3,
        warmup=1,
    )
    assert calls == ["a", "b"] * 4  # one warm-up round, then three timed rounds
    assert [len(t.samples) for t in timings.values()] == [3, 3]


def test_time_call_defaults_to_five_repeats_after_a_warmup() -> None:
    calls = []
    timing = measure.time_call(lambda: calls.append(1))
    assert len(calls) == 6 and len(timing.samples) == 5


def test_timing_summary_and_ratios() -> None:
    slow, fast = measure.Timing((2.0, 4.0, 3.0)), measure.Timing((1.0, 1.5, 2.0))
    assert (slow.median, slow.min, slow.max) == (3.0, 2.0, 4.0)
    assert measure.speedup(slow, fast) == 2.0
    assert measure.efficiency(2.0, workers=4, cores=2) == 1.0


def test_repeats_must_be_positive() -> None:
    with pytest.raises(ValueError):
        measure.time_call(lambda: None, repeats=0)
