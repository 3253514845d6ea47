"""Start here: the answer first, a "which one?" table whose every measured cell
comes from results, a clickable diagram, and the last published figure beside a
claim this build could not show (issue 15, points 1, 5 and 7)."""

from __future__ import annotations

import copy
import html
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Build

from measured.claims import Evidence, for_experiment, modern
from measured.run import stats
from measured.web import published, render, results
from measured.web.pages import start_here, start_here_table

pytestmark = pytest.mark.build


def entry(data: dict[str, Any], experiment: str, python: str | None) -> dict[str, Any]:
    """The results-file entry of ``experiment`` run by interpreter ``python``."""
    return next(
        e
        for e in data["experiments"]
        if e["experiment"] == experiment and e["interpreter"]["command"] == python
    )


def page_text(build: Build) -> str:
    page = (build.site / "start-here" / "index.html").read_text()
    article = re.search(r"<article.*?</article>", page, re.S)
    assert article
    return article[0]


def visible(markup: str) -> str:
    text = re.sub(r'<pre class="mermaid">.*?</pre>', " ", markup, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())


# --- point 1: the answer first -------------------------------------------------------


def test_the_page_opens_with_its_answer_and_no_provenance(site_build: Build) -> None:
    article = page_text(site_build)
    answer = re.search(r'<p class="measured-answer">(.*?)</p>', article, re.S)
    assert answer, "no paragraph marked { .measured-answer }"
    assert answer[1].startswith("Use threads when your tasks mostly wait")
    # The answer is the first paragraph, then at most three measured bullets.
    first = visible(article)[:600]
    assert visible(answer[1]) in first
    assert "measured-provenance" not in article[: article.find("<h2")]
    for part in ("usable cores", "Run this yourself", "cached", "fresh"):
        assert part not in first, part
    bullets = re.match(r"\s*<ul>(.*?)</ul>", article[answer.end() :], re.S)
    assert bullets and 1 <= bullets[1].count("<li>") <= 3
    assert re.search(r"\d×", bullets[1]), "the bullets cite no measured figure"


def test_provenance_sits_in_one_collapsed_block(site_build: Build) -> None:
    article = page_text(site_build)
    lines = re.findall(r'<p class="measured-provenance">', article)
    block = re.search(
        r'<details class="measured-sources">(.*?)</details>', article, re.S
    )
    assert block and lines
    assert block[1].count('<p class="measured-provenance">') == len(lines)


# --- point 5: the "which one?" table -------------------------------------------------


def test_every_measured_cell_traces_to_the_builds_results(
    site_build: Build, build_results: results.Published
) -> None:
    cells = start_here_table.cells()
    rows = {c.row for c in cells}
    assert rows == {
        "Threads",
        "Processes",
        "asyncio",
        "Subinterpreters",
        "Free-threaded threads",
    }
    shown = visible(page_text(site_build))
    measured = [c for c in cells if c.measure is not None and c.value is not None]
    assert len(measured) >= 12, [c.text for c in measured]
    for c in measured:
        assert c.measure is not None
        record = entry(build_results.data, c.measure.experiment, c.python)
        again = c.measure.compute(Evidence.of(record["runs"]))
        assert again == c.value, (c.row, c.column, again, c.value)
        assert re.search(r"\d", again)
        assert c.text == f"[{c.value}]({c.measure.href})"
        assert re.sub(r"[\s`]", "", c.value) in re.sub(r"\s", "", shown)
    for c in cells:  # a cell not shown says so in the one wording
        if c.measure is not None and c.value is None:
            assert c.text.startswith(f"*{render.NOT_SHOWN}: ")


def _scale(result: dict[str, Any], where: str, name: str, factor: float) -> None:
    """Multiply one alternative's seconds in the rounds record at ``where``."""
    found = dict(stats.find_rounds(result))
    samples = found[where]["samples"]
    samples[name] = [x * factor for x in samples[name]]


# A changed result per column: by the experiment the cell read (the paired
# subinterpreters run, or the fallback on a build without one), the rounds record
# and the alternative to slow down.
CONTRADICTIONS = {
    ("Threads", "CPU speedup here"): {
        "subinterpreters": ("cpu", "serial"),
        "cpu_bound": ("cpu", "serial"),
    },
    ("Processes", "Cost per task"): {
        "subinterpreters": ("tiny", "processes"),
        "futures_compare": ("workloads/tiny/rounds", "processes"),
    },
    ("Threads", "Start one worker"): {
        "subinterpreters": ("starts", "thread"),
        "startup_cost": ("starts", "thread"),
    },
    ("Processes", "Start one worker"): {"startup_cost": ("starts", "spawn")},
}


@pytest.mark.parametrize("where", sorted(CONTRADICTIONS))
def test_a_changed_result_changes_its_cell(
    build_results: results.Published, where: tuple[str, str]
) -> None:
    (c,) = [c for c in start_here_table.cells() if (c.row, c.column) == where]
    assert c.measure is not None and c.value is not None
    rounds, name = CONTRADICTIONS[where][c.measure.experiment]
    record = copy.deepcopy(entry(build_results.data, c.measure.experiment, c.python))
    for run in record["runs"]:
        _scale(run["result"], rounds, name, 3.0)
    assert c.measure.compute(Evidence.of(record["runs"])) != c.value


def test_a_columns_pooled_cells_come_from_one_run() -> None:
    """Threads, processes and interpreters in a column compare only when one run
    measured them; every cell names the experiment and Python it read."""
    cells = start_here_table.cells()
    for c in cells:
        if c.value is not None:
            assert c.measure is not None
            assert f"{c.measure.experiment}, Python " in c.value, c.value
    if not any(c.row == "Subinterpreters" and c.value is not None for c in cells):
        pytest.skip("no Python with subinterpreters in this build")
    for column in ("Cost per task", "Memory", "CPU speedup here"):
        sources = {
            (c.measure.experiment, c.python)
            for c in cells
            if c.column == column
            and c.row in ("Threads", "Processes", "Subinterpreters")
            and c.measure is not None
            and c.value is not None
        }
        assert len(sources) == 1, (column, sources)


def test_memory_cells_follow_the_measured_bytes(
    build_results: results.Published,
) -> None:
    (c,) = [
        c
        for c in start_here_table.cells()
        if (c.row, c.column) == ("asyncio", "Memory")
    ]
    assert c.measure is not None and c.value is not None
    record = copy.deepcopy(entry(build_results.data, "many_connections", c.python))
    for run in record["runs"]:
        for level in run["result"]["by_level"].values():
            for session in level["sessions"]["asyncio"]:
                session["rss_peak"] += 10 * 2**20  # 10 MiB more at every level
    assert c.measure.compute(Evidence.of(record["runs"])) != c.value


# --- point 3: the diagram ------------------------------------------------------------


def test_every_diagram_answer_opens_a_built_page_and_section(
    site_build: Build,
) -> None:
    page = (site_build.site / "start-here" / "index.html").read_text()
    ladder = re.search(r'<ol class="measured-ladder">(.*?)</ol>\s*$', page, re.S | re.M)
    assert ladder
    answers = re.findall(
        r'<li class="measured-(held|unshown)" id="node-(\w+)"><a href="([^"]+)">',
        ladder[1],
    )
    assert {node for _, node, _ in answers} == set(start_here.NODE_PAGES)
    for _, node, href in answers:
        path, _, anchor = href.partition("#")
        assert not path.endswith(".md"), f"{node}: unrewritten link {href}"
        target = (site_build.site / "start-here" / path / "index.html").resolve()
        assert target.is_file(), href
        if anchor:
            assert f'id="{anchor}"' in target.read_text(), href
    # The two version-dependent branches are drawn as their verdicts allow.
    held = {node: kind == "held" for kind, node, _ in answers}
    assert held["ft"] == start_here._free_threaded_held()
    assert held["si"] == start_here._subinterpreters_held()
    assert held["a"] == start_here._connections()[1]


def test_every_measured_diagram_answer_quotes_a_figure(site_build: Build) -> None:
    """The intro says each answer quotes the figure behind it: each one does, or
    says it was not measured (the free-threading and subinterpreter branches)."""
    page = (site_build.site / "start-here" / "index.html").read_text()
    ladder = re.search(r'<ol class="measured-ladder">(.*?)</ol>\s*$', page, re.S | re.M)
    assert ladder
    items = re.findall(
        r'<li class="measured-\w+" id="node-(\w+)">(.*?)</li>', ladder[1]
    )
    assert items
    for node, markup in items:
        text = visible(markup)
        assert re.search(r"\d[\d.,]*\s?(×|ms|µs|KiB|MiB)", text) or (
            "not measured" in text
        ), (node, text)


# --- point 7: the last published figure ---------------------------------------------


def _published_file(
    tmp_path: Path, build_results: results.Published, **changes: Any
) -> Path:
    """The build's results file as if the publish build had decided the
    free-threaded claim, on a machine and date of its own."""
    data = copy.deepcopy(build_results.data)
    data["generated"] = "2026-11-30 09:15 UTC"
    for e in data["experiments"]:
        if e["experiment"] != "free_threading":
            continue
        for run in e["runs"]:
            env = run["result"]["env"]
            env.update(os="Fixture Linux 9", free_threaded_build=True)
            env.update(gil_enabled=False)
        for record in e["claims"]:
            if record["claim"] == "free_threaded_threads_scale":
                record.update(holds=True, statement="Threads reached **3.70×** here.")
    data.update(changes)
    path = tmp_path / "published.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def no_published(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv(published.ENV, raising=False)
    published.reset()
    yield
    published.reset()


def getattr_claim(experiment: str, name: str) -> Any:
    return next(c for c in for_experiment(experiment) if c.__name__ == name)


def _free_threaded_line() -> str:
    run = render.experiment("free_threading")
    if render.judge(run, modern.free_threaded_threads_scale).holds is not None:
        pytest.skip("this build has a free-threaded Python: the claim is shown")
    return render.verdict_line(run, modern.free_threaded_threads_scale)


def test_a_claim_not_shown_quotes_the_published_figure(
    tmp_path: Path,
    build_results: results.Published,
    monkeypatch: pytest.MonkeyPatch,
    no_published: None,
) -> None:
    assert "Last published" not in _free_threaded_line()  # no file: nothing extra
    path = _published_file(tmp_path, build_results)
    monkeypatch.setenv(published.ENV, str(path))
    published.reset()
    line = _free_threaded_line()
    assert render.NOT_SHOWN in line  # still this build's verdict first
    assert "Last published: Threads reached **3.70×** here." in line
    assert "Fixture Linux 9" in line and "2026-11-30 09:15 UTC" in line
    assert "by the publish build" in line
    # A claim this build showed keeps its own figure, with no published one.
    shown = [
        (name, claim)
        for _, name, claim, _ in start_here.ANSWER
        if render.judge(render.experiment(name), getattr_claim(name, claim)).holds
        is not None
    ]
    assert shown, "every answer claim was not shown: nothing to compare"
    for name, claim in shown:
        check = getattr_claim(name, claim)
        assert render.last_published(render.experiment(name), check) == ""
    # The table's free-threaded cell computes the figure from the published runs.
    (c,) = [
        c
        for c in start_here_table.cells()
        if (c.row, c.column) == ("Free-threaded threads", "CPU speedup here")
    ]
    assert c.value is None and "Last published: " in c.text
    assert re.search(r"Last published: \d+\.\d\d× with \d+ threads", c.text)
    assert "Fixture Linux 9" in c.text


def test_a_malformed_published_file_is_ignored_with_a_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    no_published: None,
) -> None:
    path = tmp_path / "published.json"
    path.write_text("{not json")
    monkeypatch.setenv(published.ENV, str(path))
    published.reset()
    with caplog.at_level(logging.WARNING, logger="measured.published"):
        line = _free_threaded_line()
    assert "Last published" not in line
    assert any("not valid JSON" in r.getMessage() for r in caplog.records)


def test_the_published_file_is_never_this_builds_result(
    tmp_path: Path,
    build_results: results.Published,
    monkeypatch: pytest.MonkeyPatch,
    no_published: None,
) -> None:
    """Only page text reads it: results.json and `check` never see it."""
    monkeypatch.setenv(published.ENV, str(_published_file(tmp_path, build_results)))
    published.reset()
    _free_threaded_line()
    run = render.experiment("free_threading")
    (record,) = [
        r
        for r in results.record(run)["claims"]
        if r["claim"] == "free_threaded_threads_scale"
    ]
    assert record["holds"] is None
    for module in ("measured/cli/check.py", "measured/web/results.py"):
        source = (Path(__file__).parent.parent / module).read_text()
        assert not re.search(r"import .*\bpublished\b|web\.published", source)
