"""The Thread recipes page (docs/recipes/threads.md): its claims' other branches,
and the reader's words in its headings.

tests/test_claims.py walks every claim with one contradiction each; here the
branches those do not reach: an observation that fails beside a timed figure, and
an interval that straddles its margin. Evidence comes from the build's cached runs.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from conftest import ROOT
from contradictions import each_result, set_samples

from measured import claims
from measured.claims import recipes_threads as c
from measured.run import runner
from measured.web import render

PAGE = ROOT / "docs" / "recipes" / "threads.md"


@functools.cache
def evidence_of(experiment: str) -> claims.Evidence:
    return render.evidence(runner.run(experiment))


def _stop(result: dict[str, Any]) -> dict[str, Any]:
    rounds: dict[str, Any] = result["stop"]
    return rounds


def test_an_event_worker_that_ran_to_the_end_misses() -> None:
    def edit(result: dict[str, Any]) -> None:
        done = result["steps_done"]["Event"]
        result["steps_done"]["Event"] = [result["steps"]] * len(done)

    outcome = c.event_stops_the_thread(
        each_result(evidence_of("recipe_stop_thread"), edit)
    )
    assert outcome.holds is False and "NOT" in outcome.statement


def test_terminate_without_sigterm_misses() -> None:
    def edit(result: dict[str, Any]) -> None:
        codes = result["terminate_exitcodes"]
        result["terminate_exitcodes"] = [0] * len(codes)

    outcome = c.terminate_stops_a_busy_process(
        each_result(evidence_of("recipe_stop_thread"), edit)
    )
    assert outcome.holds is False and "NOT" in outcome.statement


def test_a_stop_time_straddling_its_margin_is_not_shown() -> None:
    """Per round, from well under to well over a quarter of the unchecked time."""
    evidence = evidence_of("recipe_stop_thread")

    def straddle(old: list[float], samples: dict[str, list[float]]) -> list[float]:
        share = [0.05 if i % 2 else 1.0 for i in range(len(old))]
        return [x * s for x, s in zip(samples["no check"], share, strict=True)]

    outcome = c.event_stops_the_thread(set_samples(evidence, _stop, "Event", straddle))
    assert outcome.holds is None and outcome.why == claims.NOISE
    assert "within" not in outcome.statement


def test_an_event_worker_stopped_late_in_one_round_still_holds() -> None:
    """No hidden deadline: one round whose stop a stall delayed past the grace
    period is one ratio of nine, not a miss."""
    evidence = evidence_of("recipe_stop_thread")

    def edit(result: dict[str, Any]) -> None:
        result["alive_after_grace"]["Event"][0] = True

    outcome = c.event_stops_the_thread(each_result(evidence, edit))
    assert outcome.holds is not False


def test_a_daemon_thread_that_ran_its_finally_block_misses() -> None:
    def edit(result: dict[str, Any]) -> None:
        result["daemon"][0]["finally_ran"] = True

    outcome = c.daemon_thread_ends_only_with_the_program(
        each_result(evidence_of("recipe_stop_thread"), edit)
    )
    assert outcome.holds is False


def test_a_queue_that_lost_the_value_misses() -> None:
    def edit(result: dict[str, Any]) -> None:
        result["queue"]["raised"] = "none"

    outcome = c.future_returns_value_and_reraises(
        each_result(evidence_of("recipe_thread_result"), edit)
    )
    assert outcome.holds is False


def _sections() -> dict[str, str]:
    """Each `##` heading of the page, with the text up to the next one."""
    parts = re.split(r"^## (.+)$", PAGE.read_text(), flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_each_recipe_has_the_readers_words() -> None:
    """The words a reader searches with are in the section that answers them."""
    wanted = {
        "return value": ("return value", "exception"),
        "stop a running thread": ("stop", "kill"),
        "producer/consumer": ("poison pill", "shutdown()", "task_done()"),
    }
    sections = _sections()
    for key, words in wanted.items():
        found = [h for h in sections if key in h.lower()]
        assert found, f"no heading with {key!r}: {list(sections)}"
        text = (found[0] + sections[found[0]]).lower()
        assert all(word in text for word in words), (found[0], words)
