"""InterpreterPoolExecutor beside the other two executors (snippets/subinterpreters.py).

This machine measures it on 3.13 with the PEP 734 backport. A 3.14 run, with the
standard library's executor, is exercised here on a fixture shaped like one: the
claims judge it, the page renders it. The "not measured here" path, where no
interpreter of a build has the API, is rendered from an unavailable result.
"""

from __future__ import annotations

import copy
import re
from html import unescape

import pytest
from conftest import ROOT, Build
from contradictions.modern import _synthetic_subinterpreters

from measured.claims import SHAPE, Claim, Evidence, executors
from measured.run import stats
from measured.web.pages import start_here
from measured.web.pages import subinterpreters as page

PYTHON_314 = {
    "python": "3.14.0",
    "free_threaded_build": False,
    "gil_enabled": True,
    "cores": 2,
}


def run_like_314() -> Evidence:
    """A result shaped like a 3.14 run: the standard library's pool, forkserver."""
    base = {"experiment": "subinterpreters", "env": copy.deepcopy(PYTHON_314)}
    result = _synthetic_subinterpreters(base)  # type: ignore[arg-type]
    result["source"] = "concurrent"
    # Rounds that differ a little, as measured ones do.
    for record in (result["cpu"], result["tiny"], result["pool_starts"]):
        for name, values in record["samples"].items():
            record["samples"][name] = [v * (1 + i / 100) for i, v in enumerate(values)]
    return Evidence.single(dict(result), free_cores=2.0)


def unavailable() -> Evidence:
    return Evidence.single(
        {
            "experiment": "subinterpreters",
            "available": False,
            "reason": "Python 3.11.7 has no concurrent.interpreters (3.14+)",
            "env": copy.deepcopy({**PYTHON_314, "python": "3.11.7"}),
        }
    )


CLAIMS = (
    executors.interpreter_pool_outruns_thread_pool,
    executors.interpreter_task_costs_more_than_thread_task,
    executors.interpreters_share_process_state,
    executors.interpreters_share_memoryview,
)


@pytest.mark.parametrize("check", CLAIMS, ids=lambda c: c.__name__)
def test_claims_hold_on_a_run_shaped_like_314(check: executors.Check) -> None:
    outcome = check(run_like_314())
    assert outcome.holds, outcome.statement


@pytest.mark.parametrize("check", CLAIMS, ids=lambda c: c.__name__)
def test_claims_are_not_shown_without_the_api(check: executors.Check) -> None:
    outcome = check(unavailable())
    assert outcome.holds is None
    assert outcome.why == SHAPE
    assert "not measured here" in outcome.reason


def test_the_pool_claim_is_not_shown_without_a_gil() -> None:
    evidence = run_like_314()
    evidence.runs[0].result["env"].update(free_threaded_build=True, gil_enabled=False)
    outcome = executors.interpreter_pool_outruns_thread_pool(evidence)
    assert outcome.holds is None and "without the GIL" in outcome.reason


def test_a_314_run_renders_the_standard_library_pool() -> None:
    text = page.executors_text(run_like_314())
    assert "Measured on Python 3.14.0 with `concurrent.futures." in text
    assert "backport" not in text
    assert "`forkserver`" in text
    for name in executors.NAMES.values():
        assert f"| `{name}` |" in text
    # Who won each measure, from the fixture: threads start and hand over fastest.
    assert "- Tiny tasks (throughput cost per task): `ThreadPoolExecutor` won" in text
    # Memory ranks only the two pools measured the same way.
    assert "- Memory, threads against interpreters" in text
    assert "`ThreadPoolExecutor` added 0 KiB" in text
    assert "each worker's private pages" in text and "`forkserver`" in text
    assert "each worker sleeps 1 ms" in text


def test_a_refused_memoryview_misses_and_the_page_says_not_observed() -> None:
    evidence = run_like_314()
    evidence.runs[0].result["shared_buffer"] = {
        "passed": False,
        "seen_here": 0,
        "error": "InterpreterError('failed to apply namespace to __main__')",
    }
    outcome = executors.interpreters_share_memoryview(evidence)
    assert outcome.holds is False
    assert "refused" in outcome.statement


def test_undecided_measures_say_so() -> None:
    evidence = run_like_314()
    cpu = evidence.runs[0].result["cpu"]["samples"]
    cpu["processes"] = list(cpu["interpreters"])
    text = page.wins(evidence)
    assert re.search(
        r"The CPU-bound work: no difference shown between `\w+` and `\w+`", text
    ), text


def test_start_here_label_quotes_no_estimate_when_the_claim_is_not_shown() -> None:
    gain = stats.Interval(1.82, 0.9, 2.1, 9, 0.96)
    label = start_here.figure(gain, Claim(None, "x", why="noise"))
    assert "1.82" not in label and "0.90–2.10×" in label and "undecided" in label
    assert start_here.figure(gain, Claim(True, "x")) == "1.82×"


def test_without_the_api_the_page_says_what_measures_it() -> None:
    text = page.executors_text(unavailable())
    assert text.startswith("`InterpreterPoolExecutor` needs Python 3.14+, not measured")
    assert "python -m measured reproduce --only subinterpreters" in text
    assert "|" not in text  # no table of figures it does not have


def test_futures_page_has_the_third_executor_between_its_neighbours(
    site_build: Build,
) -> None:
    source = (ROOT / "docs" / "futures.md").read_text()
    headings = re.findall(r"^## (.+)$", source, re.M)
    at = headings.index("InterpreterPoolExecutor: the third executor")
    assert headings[at - 1] == "One API over threads and processes, side by side"
    assert headings[at + 1] == "The API, feature by feature"
    html = (site_build.site / "futures" / "index.html").read_text()
    assert "InterpreterPoolExecutor" in html
    assert "subinterpreters/" in html
    measured = "Measured on Python" in html
    assert measured or "not measured here" in html


def test_start_here_diagram_has_both_branches(site_build: Build) -> None:
    html = (site_build.site / "start-here" / "index.html").read_text()
    assert "free-threaded build?" in html
    assert "InterpreterPoolExecutor" in html
    # Each branch shows a figure or says this build could not measure it.
    for label in (start_here.free_threaded_label(), start_here.subinterpreters_label()):
        assert "×" in label or "not measured in this build" in label
        assert label in unescape(html)


def test_interpreters_against_processes_per_measure() -> None:
    text = page.against_processes_text(run_like_314())
    assert "`forkserver`" in text
    # The fixture: interpreter pools start slower than process pools.
    assert "- Starting a pool and shutting it down: processes faster" in text
    assert page.against_processes_text(unavailable()).startswith(
        "`InterpreterPoolExecutor` needs Python 3.14+"
    )
