"""snippets/futures_lifecycle.py: the 3.14 parts, exercised on the Pythons here.

This machine has no Python 3.14, so the build shows Process.interrupt(),
terminate_workers(), kill_workers() and map(buffersize=...) as "needs Python
3.14+, not measured here". Three things keep that honest:

- the not-measured path is tested: the claims say why, with the version that was
  measured, and the page gives the command that measures it;
- the script's own 3.14 code runs here against stand-ins that do what CPython
  3.14's source does (an ``interrupt()`` that sends SIGINT, a pool whose
  ``terminate_workers()`` stops its workers after ``shutdown(cancel_futures=True)``,
  a ``map()`` with a buffer), and the claims judge what it observed;
- the claims hold on the real run reshaped as a 3.14 run, and miss on its
  contradictions (tests/contradictions/coordination_futures.py).
"""

from __future__ import annotations

import collections
import copy
import importlib
import itertools
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest
from conftest import ROOT, Build
from contradictions.coordination_futures import as_if_314

from measured import claims
from measured.claims import futures_lifecycle as c
from measured.run import runner
from measured.web import render
from measured.web.pages import futures_lifecycle as page

EXPERIMENT = "futures_lifecycle"
NEWER = [
    c.interrupt_lets_the_task_clean_up,
    c.terminate_workers_stops_a_pool,
    c.buffersize_bounds_what_map_takes,
]
HAS_314 = sys.version_info >= (3, 14)


def real() -> claims.Evidence:
    return render.evidence(runner.run(EXPERIMENT))


@pytest.fixture(scope="module")
def script() -> Any:
    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        return importlib.import_module(EXPERIMENT)
    finally:
        sys.path.remove(str(ROOT / "snippets"))


# --- stand-ins for what Python 3.14 adds, as its source does it ---------------------


class Interruptible(multiprocessing.get_context().Process):  # type: ignore[misc]
    """Process.interrupt() as 3.14 does it on POSIX: send SIGINT."""

    def interrupt(self) -> None:
        os.kill(self.pid, signal.SIGINT)


class Stoppable(ProcessPoolExecutor):
    """terminate_workers()/kill_workers() as 3.14 does them (_force_shutdown)."""

    def _force_shutdown(self, stop: str) -> None:
        processes = dict(self._processes or {})  # shutdown() forgets them
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            if process.is_alive():
                getattr(process, stop)()

    def terminate_workers(self) -> None:
        self._force_shutdown("terminate")

    def kill_workers(self) -> None:
        self._force_shutdown("kill")


class Buffered(ThreadPoolExecutor):
    """map(..., buffersize=n) as 3.14 does it: n submitted, one more per result."""

    def map(  # type: ignore[override]
        self,
        fn: Callable[..., Any],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
        buffersize: int | None = None,
    ) -> Iterator[Any]:
        if buffersize is None:
            return super().map(fn, *iterables, timeout=timeout)
        args = zip(*iterables, strict=False)
        window = collections.deque(
            self.submit(fn, *a) for a in itertools.islice(args, buffersize)
        )

        def results() -> Iterator[Any]:
            while window:
                if more := next(args, None):
                    window.append(self.submit(fn, *more))
                yield window.popleft().result()

        return results()


def as_314_result(evidence: claims.Evidence, **parts: Any) -> claims.Evidence:
    """The real run, relabelled 3.14.0, with parts replaced by simulated ones."""
    result = copy.deepcopy(evidence.result)
    result["env"]["python"] = "3.14.0"
    result.update(parts)
    return claims.Evidence.single(result)


# --- the not-measured path ----------------------------------------------------------


@pytest.mark.skipif(HAS_314, reason="this interpreter has the 3.14 parts")
@pytest.mark.parametrize("check", NEWER, ids=lambda f: f.__name__)
def test_newer_claims_say_not_measured_with_the_version(check: claims.Check) -> None:
    evidence = real()
    outcome = check(evidence)
    assert outcome.holds is None and outcome.why == claims.SHAPE
    version = evidence.env["python"]
    assert outcome.reason == (
        f"needs Python 3.14+, not measured here (this run used Python {version})"
    )


@pytest.mark.skipif(HAS_314, reason="this interpreter has the 3.14 parts")
def test_the_run_here_measured_no_314_part() -> None:
    r = real().result
    assert not r["stop"]["interrupt"] and not r["stop"]["terminate_workers"]
    assert r["stop"]["pools"] == [] and not r["map"]["buffersize"]
    assert {p["how"] for p in r["stop"]["processes"]} == {"terminate", "kill"}


@pytest.mark.skipif(HAS_314, reason="this interpreter has the 3.14 parts")
def test_page_gives_the_command_that_measures_it() -> None:
    text = page.measure_it("3.14")
    assert "*Needs Python 3.14+, not measured here" in text
    assert f"`python3.14 snippets/{EXPERIMENT}.py`" in text
    assert f"--only {EXPERIMENT} --python python3.14" in text
    assert page.measure_it("3.11") == "", "3.11 parts were measured: nothing to add"


@pytest.mark.build
def test_futures_page_shows_the_not_measured_path(site_build: Build) -> None:
    html = (site_build.site / "futures" / "index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    for heading in ("Stop a running task", "Recycle workers: max_tasks_per_child"):
        assert heading in text
    if HAS_314:
        return
    assert text.count("needs Python 3.14+, not measured here") >= len(NEWER)
    assert f"python3.14 snippets/{EXPERIMENT}.py" in text


# --- the script's 3.14 code, run here against the stand-ins -------------------------


def test_interrupt_lets_the_task_clean_up_where_terminate_does_not(
    script: Any,
) -> None:
    interrupted = script.stop_process("interrupt", Interruptible)
    terminated = script.stop_process("terminate", Interruptible)
    assert interrupted["started"] and interrupted["cleaned_up"]
    assert interrupted["interrupted"] and interrupted["exitcode"] == 0
    assert terminated["exitcode"] == -signal.SIGTERM
    assert not terminated["cleaned_up"] and not terminated["interrupted"]


def test_stop_logic_on_stand_ins_satisfies_the_claims(script: Any) -> None:
    """stopping() with 3.14's interrupt and terminate_workers, simulated: what it
    observes, as a 3.14 run, makes every stop claim hold."""
    stop = script.stopping(process_class=Interruptible, executor=Stoppable)
    assert stop["interrupt"] and stop["terminate_workers"]
    assert [p["how"] for p in stop["pools"]] == ["terminate_workers", "kill_workers"]
    for pool in stop["pools"]:
        assert pool["running_task"] == "BrokenProcessPool", pool
        assert set(pool["queued"]) <= {"cancelled", "BrokenProcessPool"}, pool
        assert pool["queued"][-1] == "cancelled" and pool["worker_gone"], pool
    evidence = as_314_result(real(), stop=stop)
    for check in (
        c.terminate_and_kill_stop_a_process,
        c.interrupt_lets_the_task_clean_up,
        c.terminate_workers_stops_a_pool,
    ):
        outcome = check(evidence)
        assert outcome.holds is True, outcome.statement


def test_buffersize_logic_on_a_stand_in_satisfies_the_claim(script: Any) -> None:
    assert script.has_buffersize(Buffered)
    part = script.map_input(Buffered)
    ways = {w["way"]: w for w in part["ways"]}
    buffered = ways[f"map(buffersize={script.WINDOW})"]
    assert buffered["pulled_at_return"] == script.WINDOW
    assert buffered["pulled_at_first_result"] == script.WINDOW + 1
    assert ways["map()"]["pulled_at_return"] == script.ITEMS
    evidence = as_314_result(real(), map=part)
    both = (c.map_takes_the_whole_input_first, c.buffersize_bounds_what_map_takes)
    for check in both:
        outcome = check(evidence)
        assert outcome.holds is True, outcome.statement


# --- the claims on a run shaped like 3.14's -----------------------------------------


@pytest.mark.parametrize("check", NEWER, ids=lambda f: f.__name__)
def test_newer_claims_hold_on_a_run_shaped_like_314(check: claims.Check) -> None:
    outcome = check(as_if_314(real()))
    assert outcome.holds is True, f"{outcome.statement} {outcome.reason}"
    assert outcome.figure is not None


def test_window_map_is_lazy_and_cancels_what_it_left_on_close(script: Any) -> None:
    """window_map() takes nothing until next(), then size+1 items; closing it
    cancels the tasks that had not started."""
    import threading

    started, gate = threading.Event(), threading.Event()
    ran: list[int] = []
    taken: list[int] = []

    def task(x: int) -> int:
        ran.append(x)
        if x == 1:  # holds the one worker while the generator is closed
            started.set()
            gate.wait(5)
        return x

    def items() -> Iterator[int]:
        for x in range(10):
            taken.append(x)
            yield x

    with ThreadPoolExecutor(1) as pool:
        results = script.window_map(pool, task, items(), 3)
        assert taken == []
        assert next(results) == 0 and len(taken) == 3 + 1
        assert started.wait(5)
        results.close()
        gate.set()
    assert ran == [0, 1], "the queued tasks 2 and 3 were cancelled"


@pytest.mark.parametrize(
    "change",
    [
        {"running_task": "still running", "worker_gone": False},
        {"running_task": "CancelledError"},  # any ending but BrokenProcessPool
        {"queued": ["BrokenProcessPool", "ran", "cancelled"]},
        {"queued": ["BrokenProcessPool", "cancelled", "BrokenProcessPool"]},
    ],
    ids=["still-running", "running-not-broken", "queued-ran", "last-not-cancelled"],
)
def test_terminate_workers_claim_misses_on_what_the_page_does_not_say(
    change: dict[str, Any],
) -> None:
    evidence = as_if_314(real())
    for result in (run.result for run in evidence.runs):
        result["stop"]["pools"][-1].update(change)
    outcome = c.terminate_workers_stops_a_pool(evidence)
    assert outcome.holds is False, change
