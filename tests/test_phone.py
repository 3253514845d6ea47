"""A phone on a slow connection (issue 15, point 9), without a browser: scripts only
where a page needs them, a search index without harness code or provenance, the
errata table's card markup, one-sentence chart captions.

The browser checks (bytes per page, the errata page at 390 px, chart text size,
"Ctrl-C" in the search box) are in tests/test_browser.py.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import Build
from site_pages import html_pages, page_file

from measured.web import assets, render, search

MERMAID = "javascripts/vendor/mermaid/mermaid.min.js"
BUNDLE = '<script src="../assets/javascripts/bundle.abc.min.js"></script>'


def page(body: str) -> str:
    return f"<html><body><article>{body}</article>\n{BUNDLE}\n</body></html>"


def test_diagram_library_only_where_a_diagram_is() -> None:
    docs = str(Path(__file__).parent.parent / "docs")
    plain = page("<p>no diagram</p>")
    assert assets.add_page_scripts(plain, "cpu-bound/", docs) == plain
    drawn = assets.add_page_scripts(
        page('<pre class="mermaid"><code>flowchart LR</code></pre>'), "start/", docs
    )
    tag = f'<script src="../{MERMAID}" defer></script>'
    # Deferred, and before Material's bundle: defined by DOMContentLoaded, when
    # Material looks for a global `mermaid` before fetching one from a CDN.
    assert drawn.count(tag) == 1 and drawn.index(tag) < drawn.index(BUNDLE)
    errata = assets.add_page_scripts(page("<div data-errata></div>"), "errata/", docs)
    assert '<script src="../javascripts/errata.js"></script>' in errata
    assert "mermaid" not in errata


def test_a_page_script_that_is_missing_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"mermaid\.min\.js"):
        assets.add_page_scripts(page('<pre class="mermaid"></pre>'), "", str(tmp_path))


def test_harness_code_and_provenance_are_marked_for_exclusion() -> None:
    code = '<div class="highlight"><span class="filename">snippets/x.py</span><pre>'
    example = '<div class="highlight"><span class="filename">examples/x.py</span>'
    prov = '<p class="measured-provenance">CPython 3.12</p>'
    out = search.exclude_from_index(code + example + prov + "<p>text</p>")
    assert out.count("data-search-exclude") == 2
    assert example in out and "<p>text</p>" in out


@pytest.mark.parametrize(
    ("description", "caption"),
    [
        (
            "Speedup against workers on 2 cores: processes reach 2.15x; threads 0.9x.",
            "Speedup against workers on 2 cores.",
        ),
        (
            "time.sleep of 8 ms each: wall time against tasks, log scales. With 25 "
            "tasks: serial 203 ms.",
            "time.sleep of 8 ms each: wall time against tasks, log scales.",
        ),
        ("Median time per job: serial 56 ms", "Median time per job."),
    ],
)
def test_a_chart_caption_is_one_sentence(description: str, caption: str) -> None:
    assert render.short_caption(description) == caption
    shown = render.figure("<svg></svg>", description)
    assert f"<figcaption>{caption}</figcaption>" in shown


# --- the built site ----------------------------------------------------------------


@pytest.mark.build
def test_no_page_without_a_diagram_loads_the_diagram_library(
    site_build: Build,
) -> None:
    for name in html_pages(site_build.site):
        text = page_file(site_build.site, name).read_text()
        loads = len(re.findall(r"<script[^>]*mermaid[^>]*>", text))
        if 'class="mermaid"' in text:
            assert loads == 1, f"{name or '(home)'} draws a diagram: load it once"
        else:
            assert loads == 0, f"{name or '(home)'} loads mermaid without a diagram"


@pytest.fixture(scope="module")
def index(site_build: Build) -> dict:
    return json.loads((site_build.site / "search" / "search_index.json").read_text())


def _index_text(index: dict) -> str:
    return html.unescape("\n".join(doc["text"] for doc in index["docs"]))


def _blocks(site: Path, pattern: str) -> list[str]:
    """The text of every element matching ``pattern`` on every built page."""
    found = []
    for name in html_pages(site):
        text = page_file(site, name).read_text()
        for match in re.findall(pattern, text, re.S):
            found.append(html.unescape(re.sub(r"<[^>]+>", "", match)))
    return found


@pytest.mark.build
def test_search_index_holds_no_experiment_script(
    site_build: Build, index: dict
) -> None:
    scripts = _blocks(
        site_build.site,
        r'<span class="filename">snippets/[^<]+</span><pre>(.*?)</pre>',
    )
    assert scripts, "no page includes an experiment script"
    text = _index_text(index)
    for script in scripts:
        lines = sorted({line.strip() for line in script.splitlines()}, key=len)
        for line in lines[-3:]:  # its longest lines: a script's own words
            assert line not in text, f"search index holds script line {line!r}"


@pytest.mark.build
def test_search_index_holds_no_provenance(site_build: Build, index: dict) -> None:
    lines = _blocks(site_build.site, r'<p class="measured-provenance">(.*?)</p>')
    assert lines, "no provenance line on any page"
    text = _index_text(index)
    for line in set(lines):
        assert line.split(" · Run this yourself")[0] not in text, line


@pytest.mark.build
def test_ctrl_c_is_one_search_term(site_build: Build, index: dict) -> None:
    separator = index["config"]["separator"]
    assert "Ctrl-C" in re.split(separator, "Press Ctrl-C to stop")
    # The query lexer splits a typed query with the same separator.
    (worker,) = (site_build.site / "assets/javascripts/workers").glob("search.*.js")
    assert worker.read_text().count(search.ALIGNED) == 1


@pytest.mark.build
def test_errata_cards_name_their_fields_and_filters_wait_for_js(
    site_build: Build,
) -> None:
    text = (site_build.site / "errata" / "index.html").read_text()
    rows = re.findall(r'<tr id="[^"]+".*?</tr>', text, re.S)
    assert rows
    for row in rows:
        labels = re.findall(r'<td[^>]* data-label="([^"]+)"', row)
        assert labels[2:4] == ["Verdict", "Correction"], labels
    # Without JavaScript no control that does nothing, and every entry shown.
    assert '<div class="errata-filters" hidden>' in text
    assert "<tr hidden" not in text


def _sections(markup: str) -> list[tuple[str, str, str]]:
    """What Material's search parser makes of ``markup``: (id, title, text)."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(markup)
    parser.close()
    return [
        (str(s.id), "".join(s.title), "".join(s.text))
        for s in parser.data
        if not s.is_excluded()
    ]


def test_the_index_reads_a_lighter_copy_of_the_same_sections() -> None:
    """What the parser skips is cut before it parses, nothing else; an unclosed
    excluded element is left for the parser to handle as before."""
    code = (
        '<div class="highlight"><span class="filename">snippets/x.py</span>'
        "<pre><span>def work(): pass</span></pre></div>"
    )
    prov = '<details class="measured-provenance-box"><summary>How</summary></details>'
    body = f'<h2 id="a">A</h2>{code}<p>kept <code>text</code></p>{prov}<p>more</p>'
    marked = search.exclude_from_index(body)
    light = search.for_index(marked)
    assert "def work" not in light and "measured-provenance" not in light
    assert _sections(light) == _sections(marked)
    unclosed = '<p>a</p><div data-search-exclude="x"><p>b</p>'
    assert search.for_index(unclosed) == unclosed


@pytest.mark.build
def test_every_built_page_indexes_the_same_from_its_lighter_copy(
    site_build: Build,
) -> None:
    """The built pages, marked again as the build marks them: the parser finds the
    same sections, titles and text in the whole page and in the copy it reads."""
    compared = 0
    for name in html_pages(site_build.site):
        text = page_file(site_build.site, name).read_text()
        article = re.search(r"<article[^>]*>(.*)</article>", text, re.S)
        if article is None:
            continue
        marked = search.exclude_from_index(article[1])
        assert _sections(search.for_index(marked)) == _sections(marked), name
        compared += 1
    assert compared >= 20


def test_the_build_gives_the_search_index_the_lighter_copy() -> None:
    class Index:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def add_entry_from_context(self, page: object) -> None:
            self.seen.append(page.content)  # type: ignore[attr-defined]

    class Page:
        content = '<p>a</p><p class="x" data-search-exclude="y">b</p>'

    index, page = Index(), Page()
    search.index_lightly(index)
    search.index_lightly(index)  # a second build's on_config: wrapped once
    index.add_entry_from_context(page)
    assert index.seen == ["<p>a</p>"]
    assert page.content == Page.content  # the page keeps its whole content
