"""Timelines and mechanism diagrams: the span arithmetic, the SVG, and the pictures
on the built pages (alt text drawn from the run, at least four timelines and two
diagrams). Phone and dark-mode legibility is checked by the browser survey."""

from __future__ import annotations

import html
import itertools
import re
import statistics

import pytest
from conftest import Build

from measured.claims import part1
from measured.run import runner, spans
from measured.run.shapes.part1 import Timelines
from measured.web import charts_timeline as tl
from measured.web import diagrams, timelines

# page -> the pictures it must carry, by the alt text's opening words
PICTURES = {
    "cpu-bound": ["Timeline of two CPU-bound tasks"],
    "io-bound": ["Timeline of two waits"],
    "gil": ["Timeline of two threads on CPU work"],
    "asyncio": ["Diagram of an event loop", "Timeline of 3 asyncio tasks"],
    "processes": ["Diagram of a task's round trip"],
}


# --- span arithmetic ------------------------------------------------------------


def test_overlap_of_turns_and_of_side_by_side_work() -> None:
    turns_a = [(0.0, 1.0), (2.0, 3.0)]
    turns_b = [(1.0, 2.0), (3.0, 4.0)]
    assert spans.overlap(turns_a, turns_b) == 0.0
    assert spans.overlap_share(turns_a, turns_b) == 0.0
    assert spans.overlap_share([(0.0, 2.0)], [(0.5, 1.5)]) == 1.0  # shorter inside
    assert spans.overlap_share([(0.0, 2.0)], [(1.0, 3.0)]) == pytest.approx(0.5)


def test_runs_from_stamps_drops_the_waits() -> None:
    # chunks of 1 ms, then a 5 ms wait (the lock went to the other thread)
    stamps = [0.000, 0.001, 0.002, 0.007, 0.008, 0.009]
    assert spans.runs_from_stamps(stamps) == [(0.0, 0.002), (0.007, 0.009)]
    assert spans.runs_from_stamps([0.0]) == []


# --- the SVG --------------------------------------------------------------------


def sample() -> str:
    lane = tl.Lane("thread 1", running=[((0.0, 0.01), 0)], waiting=[((0.01, 0.02), 0)])
    return tl.gantt([tl.Group("2 threads: 20 ms", [lane])], alt="thread 1 ran 50 %")


def test_gantt_is_accessible_phone_sized_and_follows_the_scheme() -> None:
    svg = sample()
    assert svg.startswith('<svg role="img" aria-label="thread 1 ran 50 %"')
    assert "<title>thread 1 ran 50 %</title>" in svg
    # text at FONT units in a VIEW_WIDTH viewBox: >= 12 px in a 358 px column
    assert f'viewBox="0 0 {tl.VIEW_WIDTH} ' in svg
    assert tl.FONT * 358 / tl.VIEW_WIDTH >= 12
    texts = re.findall(r"<text [^>]*>", svg)
    assert texts and all('fill="currentColor"' in t for t in texts)
    assert "font-size" not in "".join(texts)  # one size, set on the svg
    assert "\n\n" not in tl.figure(svg, "caption")  # a blank line ends raw HTML


def test_diagrams_carry_their_measured_figures() -> None:
    svg, alt = diagrams.round_trip(0.13, 0.1, 40)
    assert "0.13 ms" in alt and "0.10 ms" in alt and "0.13 ms" in svg
    svg, alt = diagrams.event_loop(3, 2.4, 96)
    assert "2.4 ms" in alt and "96 µs" in alt and "96 µs" in svg


# --- the built pages ------------------------------------------------------------


def labels(build: Build, page: str) -> list[str]:
    text = (build.site / page / "index.html").read_text()
    found = re.findall(r'<svg role="img" aria-label="([^"]*)"', text)
    return [html.unescape(label) for label in found]


@pytest.mark.build
def test_at_least_four_timelines_and_two_diagrams(site_build: Build) -> None:
    found = {page: labels(site_build, page) for page in PICTURES}
    for page, openings in PICTURES.items():
        for opening in openings:
            assert any(a.startswith(opening) for a in found[page]), (page, opening)
    every = [a for alts in found.values() for a in alts]
    assert sum(a.startswith("Timeline of") for a in every) >= 4
    assert sum(a.startswith("Diagram of") for a in every) >= 2


@pytest.mark.build
def test_alt_texts_state_the_measured_figures(site_build: Build) -> None:
    """Each alt text names figures of the very run the page was built from."""
    result: Timelines = runner.run("timelines").result  # type: ignore[assignment]

    def pct(share: float) -> str:
        return f"{share:.0%}".replace("%", " %")

    cpu = next(a for a in labels(site_build, "cpu-bound") if "CPU-bound" in a)
    assert f"side by side {pct(part1.timeline_process_overlap(result))}" in cpu
    serial = max(s[-1] for _, s in result["cpu"]["serial"])
    assert f"One after another: {serial * 1000:.0f} ms" in cpu
    gil = next(a for a in labels(site_build, "gil") if a.startswith("Timeline"))
    assert f"side by side {pct(part1.timeline_gil_overlap(result))}" in gil
    assert f"switch interval is {result['switch_interval'] * 1000:g} ms" in gil
    trips = next(a for a in labels(site_build, "processes") if "round trip" in a)
    assert f"({len(result['round_trips'])} tasks" in trips
    for page in PICTURES:
        for alt in labels(site_build, page):
            if alt.startswith(("Timeline of", "Diagram of")):
                assert re.search(r"\d+(\.\d+)? (ms|µs|%)", alt), (page, alt)


# --- a free-threaded build: shown where measured, else said how to measure it ----


def test_free_threaded_timeline_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    from measured.web import across
    from measured.web.pages import gil

    monkeypatch.setattr(across, "runs", lambda name, where=None: [])
    monkeypatch.setattr(across, "expected", lambda *labels: ["3.14t"])
    monkeypatch.setattr(
        across,
        "not_measured",
        lambda labels, what, experiment="": f"{labels} not measured: {experiment}",
    )
    absent = gil.free_threaded_timeline()
    assert "not measured" in absent and "timelines" in absent
    assert "<svg" not in absent
    real = runner.run("timelines")  # the cached run, relabelled as a 3.14t one
    monkeypatch.setattr(across, "runs", lambda name, where=None: [real])
    monkeypatch.setattr(across, "label", lambda run: "3.14t")
    shown = gil.free_threaded_timeline()
    assert 'aria-label="Timeline of two threads on CPU work on Python 3.14t' in shown
    assert "not measured" not in shown


def test_the_process_timeline_gives_each_worker_s_pace() -> None:
    """Overlap is not a core each: a process on a slow core still overlaps, so the
    picture states each worker's median time per piece of work, from the record."""
    result: Timelines = runner.run("timelines").result  # type: ignore[assignment]
    chart = timelines.cpu_chart()
    for worker, stamps in result["cpu"]["processes"]:
        chunk = statistics.median(b - a for a, b in itertools.pairwise(stamps))
        assert f"{worker} {chunk * 1000:.2f} ms" in chart, worker
    assert "core of its own" not in chart


def test_diagrams_say_what_their_medians_include() -> None:
    """One run's medians carry their spread and what they time: the executor's own
    thread hand-offs, and for the loop, the sleep call and timer handling."""
    svg, alt = diagrams.round_trip(0.13, 0.1, 40, ((0.11, 0.16), (0.08, 0.12)))
    assert "IQR 0.11–0.16" in svg and "IQR 0.08–0.12" in alt
    assert "hand-offs" in alt and "1 run" in alt
    svg, alt = diagrams.event_loop(3, 2.4, 96, 41)
    assert "41 hops in 1 run" in alt and "timer handling" in alt
