"""Renderer rules a review of issue 15 flagged: say only what was measured.

- A limit nobody raised is not "raised".
- "At every level" is not said of levels that ran one round: no interval there.
- A verdict that held in only some runs says so visibly, after those that held in
  every run.
"""

from __future__ import annotations

from typing import Any

import pytest

from measured.run import stats
from measured.web import render
from measured.web.pages import many_connections


def test_fd_limit_already_at_the_hard_limit_is_not_raised() -> None:
    limits = {"soft_before": 20_000, "soft": 20_000, "hard": 20_000}
    text = many_connections.fd_limit_text(limits, [])
    assert "raised" not in text
    assert "already the hard limit" in text


def test_fd_limit_raised_says_so() -> None:
    limits = {"soft_before": 1_024, "soft": 20_000, "hard": 20_000}
    text = many_connections.fd_limit_text(limits, [5_000])
    assert "raised it to **20,000**, the hard limit" in text
    assert "5,000" in text


def _row(seconds: float, kib: float, rounds: int) -> dict[str, Any]:
    def interval(value: float) -> stats.Interval:
        return stats.Interval(value, value * 0.9, value * 1.1, rounds, 0.97)

    return {"time": interval(seconds), "rss_per_connection": interval(kib * 1024)}


def _rows(rounds: dict[int, int]) -> dict[tuple[str, int], Any]:
    rows = {}
    for level, n in rounds.items():
        rows[("threads", level)] = _row(2.0, 16.0, n)
        rows[("asyncio", level)] = _row(1.0, 8.0, n)
    return rows


def test_leaner_tells_single_rounds_from_intervals() -> None:
    text = many_connections._where_leaner(
        _rows({100: 1, 1_000: 1, 2_000: stats.MIN_ROUNDS}), [100, 1_000, 2_000]
    )
    assert "every level" not in text
    assert f"at 2,000 connections (medians of {stats.MIN_ROUNDS} rounds" in text
    assert "at 100 and 1,000, single rounds pointed the same way" in text


def test_leaner_with_no_interval_says_so() -> None:
    text = many_connections._where_leaner(_rows({100: 1}), [100])
    assert text == "at 100 connections (a single round, no interval)"


def _fake(name: str) -> Any:
    def check(evidence: Any) -> Any:
        raise AssertionError("the test replaces the judging")

    check.__name__ = name
    return check


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[int, int]]:
    """Claims by name: (runs held alone, runs made); every one holds pooled."""
    held: dict[str, tuple[int, int]] = {}

    class Holds:
        holds = True

    monkeypatch.setattr(render, "judge", lambda run, check: Holds())
    monkeypatch.setattr(render, "runs_held", lambda run, check: held[check.__name__])
    monkeypatch.setattr(
        render, "verdict_line", lambda run, check: f"- {check.__name__}"
    )
    return held


def test_marginal_note_only_when_some_run_missed(judged) -> None:
    judged.update({"solid": (3, 3), "shaky": (1, 3)})
    assert render.marginal_note(None, _fake("solid")) == ""
    assert "held in only 1 of the 3 runs it rests on" in render.marginal_note(
        None, _fake("shaky")
    )


def test_replicated_verdicts_lead(judged) -> None:
    judged.update({"shaky": (1, 3), "solid": (3, 3), "single": (1, 1)})
    text = render.verdicts_replicated_first(
        None, _fake("shaky"), _fake("solid"), _fake("single")
    )
    lines = text.splitlines()
    assert lines[:2] == ["- solid", "- single"]
    assert lines[2] == "- shaky"
    assert "held in only 1 of the 3 runs it rests on" in lines[3]
