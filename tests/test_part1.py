"""Guide part 1: experiments clean up after themselves, claims can fail, pages render.

The claims themselves are asserted from the build's results in test_claims.py
(through the registry). Here: what a claim test cannot see.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import pytest
from conftest import ROOT, Build, nav_pages
from contradictions import each_result, with_env
from site_pages import Links, notebook_pages

from measured import claims
from measured.claims import part1 as c
from measured.run import runner, stats
from measured.run.shapes.part1 import GilRelease, IoBound, StartupCost
from measured.web import render

PAGES = nav_pages("Start here", "Threads and processes", "Performance, measured")
MERMAID = ROOT / "docs" / "javascripts" / "vendor" / "mermaid"


SETTLE = """
import threading
from measured.run import forksafe
workers = [threading.Thread(target=lambda: None) for _ in range(50)]
for t in workers:
    t.start()
for t in workers:
    t.join()
print(forksafe.settle_threads(timeout=5), forksafe.os_threads())
"""


def test_settle_threads_waits_for_joined_threads() -> None:
    # In a fresh interpreter: pytest's own process may run threads of its own.
    out = subprocess.run(
        [sys.executable, "-c", SETTLE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[0] == "True"
    if out[1] != "None":  # Linux: the OS counts one thread again
        assert out[1] == "1"


# --- claims fail on contradicting figures ---------------------------------------


def test_gil_claims_step_aside_where_the_machine_cannot_show_them() -> None:
    """What the registry walk cannot reach on this machine: NumPy missing, a build
    without the GIL (tests/test_claims.py covers holds, misses, one core, busy)."""
    release = render.evidence(runner.run("gil_release"))

    def without_numpy(result: GilRelease) -> None:
        result["kinds"].pop("numpy", None)
        result["numpy"] = None

    missing = c.numpy_threads_scale(each_result(release, without_numpy))
    assert missing.holds is None and missing.why == claims.SHAPE
    assert "NumPy" in missing.reason
    blocking = render.evidence(runner.run("gil_blocking"))
    no_gil = with_env(blocking, gil_enabled=False, free_threaded_build=True)
    for check in (c.python_code_holds_the_gil, c.blocking_waits_release_the_gil):
        outcome = check(no_gil)
        assert outcome.holds is None and outcome.why == claims.SHAPE
        assert "without the GIL" in outcome.reason


def test_spawn_against_fork_needs_both_start_methods() -> None:
    start = render.evidence(runner.run("startup_cost"))

    def no_fork(result: StartupCost) -> None:
        result["methods"] = [m for m in result["methods"] if m != "fork"]

    outcome = c.spawn_start_costs_more_than_fork(each_result(start, no_fork))
    assert outcome.holds is None and outcome.why == claims.SHAPE


def test_one_shot_pools_that_did_not_start_every_worker_miss() -> None:
    """A pool reuses an idle worker before it starts a new one: a pool that ran
    its tasks on fewer workers than asked is not a whole pool, whatever the times."""
    start = render.evidence(runner.run("startup_cost"))

    def one_thread_per_pool(result: StartupCost) -> None:
        started = result["pool_workers_started"]
        started["thread pool"] = result["pools_created"]["thread pool"]

    short = each_result(start, one_thread_per_pool)
    outcome = c.one_shot_process_pool_costs_more(short)
    assert outcome.holds is False and "NOT every worker started" in outcome.statement
    io = render.evidence(runner.run("io_bound"))

    def fewer_threads(result: IoBound) -> None:
        result["pool_start_workers"]["threads"]["started"] -= 1

    outcome = c.process_pools_cost_more_to_start(each_result(io, fewer_threads))
    assert outcome.holds is False and "NOT every worker started" in outcome.statement


def test_statements_count_in_the_right_number_on_one_core() -> None:
    """A one-core machine (reproduce) gets "1 core", "1 worker", never "1 cores"."""
    wrong = re.compile(r"\b1 (cores|threads|workers|worker processes|CPUs)\b")
    for experiment in ("cpu_bound", "startup_cost", "task_size", "gil_release"):
        one_core = with_env(render.evidence(runner.run(experiment)), cores=1)
        for check in claims.for_experiment(experiment):
            statement = check(one_core).statement
            assert not wrong.search(statement), f"{check.__name__}: {statement}"
    assert c._n(1, "worker process") == "1 worker process"
    assert c._n(2, "worker process") == "2 worker processes"
    assert c._n(0, "child process") == "0 child processes"


def test_forkserver_preloads_main_from_the_fixed_releases() -> None:
    """GH-135295 made the forkserver import `__main__` once: 3.13.8, 3.14.1, 3.15."""
    before = ("3.11.7", "3.12.12", "3.13.7", "3.14.0", "3.14.0rc3")
    after = ("3.13.8", "3.13.11", "3.14.1", "3.15.0a1", "3.16.0")
    assert not any(c.forkserver_preloads_main(v) for v in before)
    assert all(c.forkserver_preloads_main(v) for v in after)


def test_process_pool_default_follows_the_documented_counter() -> None:
    """Through 3.12 os.cpu_count(), from 3.13 os.process_cpu_count(); capped at 61
    on Windows (ProcessPoolExecutor only)."""
    result = {
        "cpu_counts": {"os.cpu_count()": 128, "os.process_cpu_count()": None},
        "env": {"os": "Windows 11", "python": "3.12.1"},
    }
    assert c.cpu_count_function(result) == "os.cpu_count()"
    defaults = c.documented_defaults(result)
    assert defaults["ProcessPoolExecutor()"] == c.WINDOWS_PROCESS_POOL_MAX
    assert defaults["multiprocessing.Pool()"] == 128
    result["cpu_counts"]["os.process_cpu_count()"] = 8
    result["env"] = {"os": "Linux 6.1", "python": "3.13.0"}
    assert c.cpu_count_function(result) == "os.process_cpu_count()"
    assert c.documented_defaults(result)["ProcessPoolExecutor()"] == 8
    # Decided by the version, not the value: an undetermined count (None) on 3.13+
    # makes the pools use 1, not os.cpu_count().
    result["cpu_counts"]["os.process_cpu_count()"] = None
    assert c.cpu_count_function(result) == "os.process_cpu_count()"
    assert c.documented_defaults(result)["multiprocessing.Pool()"] == 1


def test_rough_points_keep_one_significant_figure() -> None:
    assert [c.rough(x) for x in (37.4, 0.034, 950.0, 1234.5)] == [
        "40",
        "0.03",
        "1,000",
        "1,000",
    ]
    assert c.rough_bytes(1.23 * 2**20) == "1 MiB"
    assert c.rough_bytes(640 * 2**10) == "600 KiB"


def test_render_code_fence_outgrows_backticks_in_the_text() -> None:
    block = render.code("a\n```\nb", "text")
    assert block.startswith("````text\n") and block.rstrip().endswith("````")
    assert render.code("plain").startswith("```text\n")


# --- pages: vendored mermaid, figures, links ------------------------------------


def test_vendored_mermaid_matches_its_record() -> None:
    record = (MERMAID / "SOURCE.txt").read_text()
    digest = hashlib.sha256((MERMAID / "mermaid.min.js").read_bytes()).hexdigest()
    assert digest in record, "mermaid.min.js changed: update SOURCE.txt"
    assert "MIT" in (MERMAID / "LICENSE").read_text()
    # Material uses a global `mermaid` when one exists, else loads it from a CDN.
    assert 'globalThis["mermaid"]' in (MERMAID / "mermaid.min.js").read_text()[-300:]


def page(build: Build, name: str) -> str:
    return (build.site / name / "index.html").read_text()


@pytest.mark.build
def test_start_page_diagram_is_built_html_citing_figures(site_build: Build) -> None:
    """The decision diagram is drawn at build time (a ladder of questions whose
    answers link to their pages): text that reads on a phone, not a 1,355 px
    mermaid flowchart scaled to 4 px. Any page that still has a mermaid diagram
    loads the vendored copy, never a CDN."""
    html = page(site_build, "start-here")
    diagram = re.search(r'<ol class="measured-ladder">(.*?)</ol>', html, re.S)
    assert diagram, "no decision ladder on Start here"
    assert re.search(r"\d\.\d\d×|\d+×", diagram[1]), "the diagram cites no figure"
    assert diagram[1].count("<a href=") >= 6
    for built in site_build.site.rglob("*.html"):
        text = built.read_text()
        if 'class="mermaid"' in text:
            assert "javascripts/vendor/mermaid/mermaid.min.js" in text, built
    # Material's bundle fetches mermaid from a CDN only while no global `mermaid`
    # exists; the vendored script, a deferred <script> tag, defines it before the
    # page's DOMContentLoaded. If a Material upgrade changes that rule, fail here.
    (bundle,) = (site_build.site / "assets" / "javascripts").glob("bundle.*.min.js")
    assert 'typeof mermaid=="undefined"' in bundle.read_text()
    for built in site_build.site.rglob("*.html"):
        assert "unpkg.com" not in built.read_text(), built


@pytest.mark.build
@pytest.mark.parametrize("name", PAGES)
def test_part1_page_links_resolve(site_build: Build, name: str) -> None:
    """Links printed by markdown-exec or written in a notebook are not rewritten
    by MkDocs: every internal link on these pages must point at a built file."""
    parser = Links()
    parser.feed(page(site_build, name))
    here = site_build.site / name
    for href in parser.hrefs:
        if re.match(r"([a-z]+:|#)", href):
            continue
        target = (here / href.split("#")[0]).resolve()
        if target.is_dir():
            target = target / "index.html"
        assert not href.split("#")[0].endswith(".md"), f"{name}: raw link {href}"
        assert target.is_file(), f"{name}: {href} -> {target} does not exist"


@pytest.mark.build
@pytest.mark.parametrize("name", [p for p in PAGES if p + "/" not in notebook_pages()])
def test_part1_page_shows_provenance_and_charts_state_figures(
    site_build: Build, name: str
) -> None:
    html = page(site_build, name)
    assert '<p class="measured-provenance">' in html
    for label in re.findall(r'<svg[^>]*role="img"[^>]*aria-label="([^"]*)"', html):
        assert re.search(r"\d", label), f"{name}: chart alt text has no figure"


@pytest.mark.build
def test_notebook_page_executes_the_failure_and_the_fix(site_build: Build) -> None:
    html = page(site_build, "processes-notebook")
    assert "BrokenProcessPool" in html
    assert "Can&#39;t get attribute" in html or "Can't get attribute" in html
    assert "result: 49" in html
    assert "executed" in html and "by the site build" in html
    assert "Traceback" not in html


@pytest.mark.build
def test_processes_page_shows_the_real_error_messages(site_build: Build) -> None:
    result = runner.run("pickling").result
    html = page(site_build, "processes")
    text = re.sub(r"<[^>]+>", "", html)
    assert "bootstrapping phase" in text
    assert "attribute lookup &lt;lambda&gt; on __main__ failed" in text
    assert result["repl"]["error"]["type"] == "AttributeError"


# --- crossings are derived from the raw rounds at judge time ----------------------


def test_crossing_needs_intervals_on_both_sides_of_one() -> None:
    def at(low: float, estimate: float, high: float) -> stats.Interval:
        return stats.Interval(estimate, low, high, 9, 0.96)

    points = [(10.0, at(0.1, 0.2, 0.3)), (100.0, at(0.7, 0.8, 0.9))]
    points += [(1000.0, at(1.2, 1.5, 1.7)), (10000.0, at(1.6, 1.8, 1.9))]
    cross = c._crossing(points, rising=True)
    assert cross is not None
    assert (cross["low"], cross["high"]) == (100.0, 1000.0)
    assert 100.0 < cross["estimate"] < 1000.0
    # An interval that straddles 1.0 places nothing: noise could move the crossing.
    blurred = [points[1], (1000.0, at(0.9, 1.5, 1.7))]
    assert c._crossing(blurred, rising=True) is None
    # Falling (payload size): the first point above 1.0, the next below.
    falling = [(1.0, at(1.4, 1.6, 1.7)), (8.0, at(0.2, 0.3, 0.4))]
    assert c._crossing(falling, rising=False)["high"] == 8.0
