"""The site's side of reproducing: results.json, "Run this yourself", the docs page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Build, mkdocs_build, scratch_project

from measured import claims
from measured.web import example, results

pytestmark = pytest.mark.build


def html(build: Build, page: str) -> str:
    return (build.site / page / "index.html").read_text()


# -- the real site -------------------------------------------------------------------


def test_site_publishes_every_run_with_pages_and_claims(site_build: Build) -> None:
    published = results.load(str(site_build.site / results.FILENAME))
    assert published.data["kind"] == "site"
    by_name = {run["experiment"]: run for run in published.entries}
    cpu = by_name["cpu_bound"]
    assert {"cpu-bound.md", "index.md"} <= set(cpu["pages"])
    assert cpu["script"] == "snippets/cpu_bound.py"
    assert len(cpu["runs"]) >= 1  # every run the runner made, with its raw rounds
    for one in cpu["runs"]:
        assert one["result"]["env"]["cores"] >= 1
        assert one["result"]["cpu"]["kind"] == "rounds"
        assert one["machine"]["free_cores"] >= 0
    assert [c["claim"] for c in cpu["claims"]] == [
        check.__name__ for check in claims.for_experiment("cpu_bound")
    ]
    assert all(isinstance(c["figure"], float) for c in cpu["claims"])
    # Every experiment a page showed is in the file, and only those.
    # (cpu-bound also draws the timelines experiment's chart of threads taking turns)
    assert sorted(published.pages()["cpu-bound.md"]) == ["cpu_bound", "timelines"]


def test_every_result_links_to_the_reproduce_page(site_build: Build) -> None:
    page = html(site_build, "cpu-bound")
    lines = re.findall(r'<p class="measured-provenance">(.*?)</p>', page, re.S)
    assert lines
    commands = set()
    for line in lines:
        assert '<a href="../reproduce/">Run this yourself</a>' in line
        commands |= set(
            re.findall(r"<code>python -m measured reproduce --only (\w+)</code>", line)
        )
    # one command per experiment the page shows, each naming that experiment
    assert commands == {"cpu_bound", "timelines"}


def test_no_link_to_a_markdown_file_is_left_in_the_site(site_build: Build) -> None:
    for page in site_build.site.rglob("*.html"):
        left = re.findall(r'href="(?![a-z]+:)[^"]*\.md(?:#[^"]*)?"', page.read_text())
        assert left == [], f"{page}: {left}"


def test_reproduce_page_shows_a_real_run_and_the_help(site_build: Build) -> None:
    page = html(site_build, "reproduce")
    text = re.sub(r"<[^>]+>", "", page)  # the highlighter splits lines into spans
    run = re.search(
        r"\$ python -m measured reproduce --only (?P<ids>[\w ]+?) --against", text
    )
    assert run, "no example command on the page"
    published = results.load(str(site_build.site / results.FILENAME))
    shown = {r["experiment"] for r in published.entries}
    for name in run["ids"].split():
        assert name in shown, f"the example ran {name}, which no page shows"
        assert re.search(rf"✓ {name}\s+\d+\.\d s", text), f"no progress line for {name}"
    assert "conclusions hold on your machine" in text
    assert re.search(r"\d+\.\d\d×", text), "no ratio in the example table"
    assert "Real output, captured" in text
    assert "usage: python -m measured reproduce" in text
    assert example.published_url() in text


# -- a scratch site, built with our hooks ---------------------------------------------

EXPERIMENT = (
    "from measured.run import measure\nprint('tiny ran')\nmeasure.emit({'n': 1})\n"
)
PAGE = """\
# Tiny

```python exec="on"
from measured.web import render

run = render.experiment("tiny")
print(render.output(run))
print(render.provenance(run))
```
"""


def scratch_site(folder: Path, *, reproduce_page: bool, extra: str = "") -> Path:
    pages = {"guide/tiny.md": PAGE + extra}
    if reproduce_page:
        pages["reproduce.md"] = "# Reproduce\n"
    return scratch_project(
        folder,
        pages,
        {"tiny.py": EXPERIMENT},
        site_url="https://example.invalid/scratch/",
    )


def test_scratch_build_writes_results_and_reproduce_reads_them(tmp_path: Path) -> None:
    project = scratch_site(tmp_path / "project", reproduce_page=True)
    build = mkdocs_build(project / "site", config=project / "mkdocs.yml")
    assert build.returncode == 0, build.log[-3000:]
    assert "results: 1 runs written to results.json" in build.log

    data = json.loads((build.site / "results.json").read_text())
    (run,) = data["experiments"]
    assert run["experiment"] == "tiny" and run["pages"] == ["guide/tiny.md"]
    assert run["runs"][0]["stdout"] == "tiny ran\n" and run["claims"] == []
    assert data["site_url"] == "https://example.invalid/scratch/"

    page = html(build, "guide/tiny")
    assert '<a href="../../reproduce/">Run this yourself</a>' in page

    # Without --against, the command compares with this local build.
    proc = subprocess.run(
        [sys.executable, "-m", "measured", "reproduce", "--page", "guide/tiny"],
        cwd=project,
        env={**os.environ, "MEASURED_ROOT": str(project), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Published: site/results.json (your last local build)" in proc.stdout
    assert re.search(r"^tiny\s+—\s+", proc.stdout, re.M), proc.stdout
    assert "no conclusion registered" in proc.stdout


def test_no_reproduce_link_where_the_site_has_no_reproduce_page(tmp_path: Path) -> None:
    project = scratch_site(tmp_path / "project", reproduce_page=False)
    build = mkdocs_build(project / "site", config=project / "mkdocs.yml")
    assert build.returncode == 0, build.log[-3000:]
    assert "Run this yourself" not in html(build, "guide/tiny")


def test_printed_link_to_a_missing_page_fails_the_strict_build(tmp_path: Path) -> None:
    printed = '\n```python exec="on"\nprint("[gone](../gone.md)")\n```\n'
    project = scratch_site(tmp_path / "project", reproduce_page=True, extra=printed)
    build = mkdocs_build(project / "site", config=project / "mkdocs.yml")
    assert build.returncode != 0
    assert "../gone.md" in build.log  # named, whichever hook reports it
