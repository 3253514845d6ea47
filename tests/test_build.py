"""The site builds strictly, shows real output, and fails loudly on a bad experiment."""

from __future__ import annotations

import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Build, mkdocs_build, scratch_project

from measured.run import runner
from measured.web import links

pytestmark = pytest.mark.build


def page_text(build: Build, page: str) -> str:
    return (build.site / page / "index.html").read_text()


def test_strict_build_succeeds(site_build: Build) -> None:
    assert (site_build.site / "index.html").is_file()
    assert "experiments:" in site_build.log


def test_page_shows_the_real_output_and_provenance(site_build: Build) -> None:
    html = page_text(site_build, "cpu-bound")
    cached = runner.run("cpu_bound")  # the same inputs, so the run the build showed
    for line in cached.stdout.strip().splitlines():
        assert line.strip() in html, f"stdout line missing from the page: {line!r}"
    provenance = re.findall(r'<p class="measured-provenance">(.*?)</p>', html, re.S)
    assert provenance, "no provenance line on the page"
    env = cached.env
    for part in (
        env["python"],
        "free-threaded build" if env["free_threaded_build"] else "GIL build",
        env["implementation"],
        env["cpu"],
        f"{env['cores']} usable cores",
        "measured ",
    ):
        assert part in provenance[0], f"{part!r} missing from {provenance[0]!r}"
    assert re.search(r"\b(fresh|cached)\b", provenance[0])


def test_page_has_chart_with_alt_text_and_source_tab(site_build: Build) -> None:
    html = page_text(site_build, "cpu-bound")
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Speedup against', html)
    text = re.sub(r"<[^>]+>", "", html)  # the highlighter splits code into spans
    assert "def work(n: int)" in text  # the snippet source, included by path
    assert "Source" in html and "Output" in html


def test_output_tab_comes_before_source_tab(site_build: Build) -> None:
    """A reader meets an experiment's result first; its harness is one click away
    (issue 15: the Source tab was the default in every tab set)."""
    seen = 0
    for page in site_build.site.rglob("*.html"):
        html = page.read_text()
        # __tabbed_<set>_<tab>: pair tabs within one tab set, never across two.
        labels = re.findall(r'<label for="__tabbed_(\d+)_\d+">([^<]+)</label>', html)
        for (set_a, first), (set_b, second) in itertools.pairwise(labels):
            if set_a == set_b and {first, second} == {"Source", "Output"}:
                seen += 1
                assert (first, second) != ("Source", "Output"), page
    assert seen, "no Source/Output tab pair found"


# An experiment's own source, listed on its page: it may name "Traceback" (a
# script that counts another program's tracebacks); a failure never lands there.
SOURCE_LISTING = re.compile(
    r'<div class="highlight"><span class="filename">snippets/.*?</pre></div>', re.S
)


def test_no_error_text_from_a_snippet(site_build: Build) -> None:
    for page in site_build.site.rglob("*.html"):
        html = SOURCE_LISTING.sub("", page.read_text())
        assert "Traceback" not in html, page
        assert not re.search(r"\b\w+Error:", html), page


WARM = re.compile(r"experiments: 0 executed, [1-9]\d* from cache")


def test_warm_rebuild_runs_no_experiment(site_build: Build, tmp_path: Path) -> None:
    """A second build with nothing changed runs no experiment.

    Right after `make build` the session build is that second build, and its log
    shows it; only when the session build had to measure does this build again.
    """
    if WARM.search(site_build.log):
        return
    again = mkdocs_build(tmp_path / "site")
    assert again.returncode == 0, again.log[-3000:]
    assert WARM.search(again.log), again.log[-3000:]


class AssetLinks(HTMLParser):
    """Collect every URL a browser fetches while loading the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.urls.append(a["src"] or "")
        # canonical/alternate links name a page; they do not fetch anything
        if tag == "link" and a.get("rel") not in ("canonical", "alternate"):
            self.urls.append(a.get("href") or "")


def test_no_request_to_other_hosts(site_build: Build) -> None:
    """theme.font false and no CDN: every asset the pages load is local."""
    for page in site_build.site.rglob("*.html"):
        parser = AssetLinks()
        parser.feed(page.read_text())
        assert parser.urls, page
        external = [u for u in parser.urls if re.match(r"(https?:)?//", u)]
        assert external == [], f"{page}: {external}"


def build_scratch(tmp_path: Path, project: Path) -> Build:
    return mkdocs_build(
        tmp_path / "site",
        config=project / "mkdocs.yml",
        env={"MEASURED_ROOT": str(project)},
    )


BROKEN_PAGE = """\
    # Broken

    ```python exec="on"
    from measured.web import render

    print(render.output(render.experiment("broken")))
    ```
    """


@pytest.mark.parametrize(
    ("snippet", "reason", "stderr_line"),
    [
        (
            """\
            import sys
            print("working", file=sys.stderr)
            raise RuntimeError("the experiment broke")
            """,
            "exited with status 1",
            "RuntimeError: the experiment broke",
        ),
        (
            """\
            import sys, time
            TIMEOUT = 2
            print("waiting forever", file=sys.stderr, flush=True)
            time.sleep(600)
            """,
            "timed out after 2 s",
            "waiting forever",
        ),
    ],
    ids=["raises", "hangs"],
)
def test_broken_experiment_fails_the_build_loudly(
    tmp_path: Path, snippet: str, reason: str, stderr_line: str
) -> None:
    project = scratch_project(
        tmp_path / "project", {"broken-page.md": BROKEN_PAGE}, {"broken.py": snippet}
    )
    build = build_scratch(tmp_path, project)
    assert build.returncode != 0
    assert "broken-page.md" in build.log
    assert "snippets/broken.py" in build.log
    assert reason in build.log
    assert stderr_line in build.log
    assert not list(project.glob(".cache/experiments/*.json")), "failure was cached"


LEAKY_PAGE = BROKEN_PAGE.replace("broken", "leaky").replace("Broken", "Leaky")
LEAKY = """\
    from multiprocessing import resource_tracker, shared_memory

    from measured.run import measure

    segment = shared_memory.SharedMemory(create=True, size=4096)
    resource_tracker.unregister(segment._name, "shared_memory")  # nobody unlinks it
    segment.close()
    print("leaked", segment.name)
    measure.emit({"segment": segment.name})
    """


@pytest.mark.skipif(not runner.SHM_DIR.is_dir(), reason="needs /dev/shm (Linux)")
def test_what_a_run_left_behind_is_logged_and_published(tmp_path: Path) -> None:
    """The build names the leftover and keeps it in results.json (test_cleanup.py
    fails on it); the runner has freed it."""
    project = scratch_project(
        tmp_path / "project", {"leaky-page.md": LEAKY_PAGE}, {"leaky.py": LEAKY}
    )
    build = build_scratch(tmp_path, project)
    assert build.returncode == 0, build.log[-3000:]
    (entry,) = json.loads((build.site / "results.json").read_text())["experiments"]
    segment = entry["runs"][0]["result"]["segment"].lstrip("/")
    assert entry["runs"][0]["leftovers"]["shared_memory"] == [segment]
    assert f"leaky, run 1, left behind shared_memory: {segment}" in build.log
    assert not (runner.SHM_DIR / segment).exists()


PRINTS_LINK = """\
    # Links

    ```python exec="on"
    print("[the target](other.md#{anchor})")
    ```
    """
PRINTS_ANCHOR = """\
    # Other

    ```python exec="on" html="1"
    print('<p id="printed-anchor">here</p>')
    ```
    """


def test_links_printed_by_blocks_point_at_built_pages(tmp_path: Path) -> None:
    pages = {
        "links.md": PRINTS_LINK.format(anchor="printed-anchor"),
        "other.md": PRINTS_ANCHOR,
    }
    build = build_scratch(tmp_path, scratch_project(tmp_path / "project", pages))
    assert build.returncode == 0, build.log[-3000:]
    html = (build.site / "links" / "index.html").read_text()
    assert 'href="../other/#printed-anchor"' in html


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("other.md#no-such-anchor", "links to other.md#no-such-anchor"),
        ("missing.md", "links to missing pages: missing.md"),
    ],
)
def test_broken_printed_link_fails_the_build(
    tmp_path: Path, target: str, message: str
) -> None:
    page = PRINTS_LINK.replace("other.md#{anchor}", target)
    pages = {"links.md": page, "other.md": PRINTS_ANCHOR}
    build = build_scratch(tmp_path, scratch_project(tmp_path / "project", pages))
    assert build.returncode != 0
    assert message in build.log, build.log[-3000:]


def test_no_link_points_at_a_markdown_source(site_build: Build) -> None:
    for page in site_build.site.rglob("*.html"):
        stale = links.SOURCE_LINK.findall(page.read_text())
        assert stale == [], f"{page}: {stale}"


def test_provenance_lines_carry_no_raw_markdown(site_build: Build) -> None:
    """A provenance line printed from an html="1" block is not Markdown-rendered."""
    for page in site_build.site.rglob("*.html"):
        for line in re.findall(
            r'<p class="measured-provenance">(.*?)</p>', page.read_text(), re.S
        ):
            assert "](" not in line and "`" not in line, f"{page}: {line}"
