"""The learning path: nav order, "You'll need" and "Next" lines, the glossary.

The nav runs from the ideas to modern CPython, each page inside a section naming
the pages it builds on (measured/web/path.py); glossary terms carry their
definition on every page (measured/web/glossary.py).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, Build
from mkdocs.utils import meta
from mkdocs.utils.yaml import yaml_load
from site_pages import Links, article_text

from measured.web import glossary, path
from measured.web.pages import glossary as glossary_page

DOCS = ROOT / "docs"
# The order a learner meets the topics in (issue 15): one page standing for each.
PATH = [
    "concepts.md",  # the ideas
    "threads.md",
    "gil.md",
    "processes.md",
    "futures.md",
    "asyncio.md",
    "sharing.md",  # sharing and synchronization
    "synchronization.md",
    "cpu-bound.md",  # performance
    "pool-sizing.md",
    "free-threading.md",  # modern CPython
    "subinterpreters.md",
]
NEEDS_MAX = 80  # characters of text: the line counts against the first screen
FIRST_SCREEN = 600


def nav() -> list[object]:
    return yaml_load((ROOT / "mkdocs.yml").read_text())["nav"]


def nav_files() -> list[tuple[str, bool]]:
    """(source path, inside a section?) for every nav page, in nav order."""
    found: list[tuple[str, bool]] = []
    for entry in nav():
        assert isinstance(entry, dict), entry
        ((_, value),) = entry.items()
        if isinstance(value, str):
            found.append((value, False))
        else:
            found += [(v, True) for item in value for v in item.values()]
    return found


def path_files() -> list[str]:
    return [name for name, inside in nav_files() if inside]


def built(site: Path, source: str) -> str:
    folder = "" if source == "index.md" else Path(source).with_suffix("")
    return (site / folder / "index.html").read_text()


def front_matter(source: str) -> dict:
    file = DOCS / source
    return meta.get_data(file.read_text())[1] if file.suffix == ".md" else {}


# --- The nav ------------------------------------------------------------------------


def test_the_nav_is_a_learning_path() -> None:
    order = [name for name, _ in nav_files()]
    assert order[:2] == ["index.md", "start-here.md"], "Home and Start here first"
    positions = [order.index(page) for page in PATH]
    assert positions == sorted(positions), [order[p] for p in sorted(positions)]
    # Performance comes after sharing and synchronization, modern CPython after it.
    assert order.index("synchronization.md") < order.index("startup-cost.md")
    assert order.index("pool-sizing.md") < order.index("gil-across-versions.md")
    assert order[order.index(PATH[-1]) + 1 :][-4:] == [
        "errata.md",
        "reproduce.md",
        "other-machines.md",
        "glossary.md",
    ]


def test_every_page_is_in_the_nav_once() -> None:
    order = [name for name, _ in nav_files()]
    pages = sorted(
        p.relative_to(DOCS).as_posix()
        for pattern in ("*.md", "*.ipynb")
        for p in DOCS.rglob(pattern)
        if "includes" not in p.relative_to(DOCS).parts
    )
    assert sorted(order) == pages
    assert len(set(order)) == len(order)


def test_every_need_comes_earlier_on_the_path() -> None:
    """What the build enforces (path.PathError), readable without a build."""
    pages = path_files()
    for number, page in enumerate(pages):
        needs = front_matter(page).get(path.NEEDS)
        if page.endswith(".md"):
            assert needs is not None, f"{page} has no `{path.NEEDS}` front matter"
        for need in needs or []:
            assert need in pages[:number], f"{page} needs {need}, later or off path"


# --- "You'll need" and "Next" on the built pages ---------------------------------


def line(html: str, css: str) -> str:
    found = re.findall(rf'<p class="{css}">(.*?)</p>', html, re.S)
    assert len(found) == 1, f"{len(found)} {css} lines"
    return found[0]


def targets(site: Path, source: str, fragment: str) -> list[str]:
    """The built pages a fragment links to, relative to the site; each must exist."""
    parser = Links()
    parser.feed(fragment)
    here = site / Path(source).with_suffix("")
    found = []
    for href in parser.hrefs:
        target = (here / href).resolve()
        assert (target / "index.html").is_file(), f"{source}: {href} is no page"
        found.append(target.relative_to(site.resolve()).as_posix())
    return found


@pytest.mark.build
@pytest.mark.parametrize("source", path_files())
def test_path_page_says_what_it_needs_and_what_comes_next(
    site_build: Build, source: str
) -> None:
    html = built(site_build.site, source)
    needs = line(html, path.NEEDS_CLASS)
    # right under the title, short: it counts against the page's first screen
    assert re.search(r"</h1>\s*<p class=\"measured-needs\">", html), source
    text = re.sub(r"<[^>]+>", "", needs)
    assert text.startswith("You'll need: ") and len(text) <= NEEDS_MAX, text
    declared = front_matter(source).get(path.NEEDS)
    pages = path_files()
    expected = (
        declared
        if declared is not None
        else [pages[pages.index(source) - 1]]  # a notebook: the page before it
    )
    assert targets(site_build.site, source, needs) == [
        Path(p).with_suffix("").as_posix() for p in expected
    ]
    if not expected:
        assert path.NOTHING in text
    # "Next" ends the article and leads to the next page of the nav
    order = [name for name, _ in nav_files()]
    following = order[order.index(source) + 1]
    last = re.search(
        r'<p class="measured-next">[^\n]*</p>\s*'
        r'(<aside class="md-source-file">.*?</aside>\s*)?</article>',  # "Last update"
        html,
        re.S,
    )
    assert last, f"{source}: Next is not the end of the article"
    assert targets(site_build.site, source, line(html, path.NEXT_CLASS)) == [
        Path(following).with_suffix("").as_posix()
    ]


@pytest.mark.build
@pytest.mark.parametrize("source", [n for n, inside in nav_files() if not inside])
def test_pages_off_the_path_have_no_path_lines(site_build: Build, source: str) -> None:
    html = built(site_build.site, source)
    assert path.NEEDS_CLASS not in html and path.NEXT_CLASS not in html


# --- The glossary ------------------------------------------------------------------


def test_glossary_has_twenty_terms_each_shown_on_a_page() -> None:
    entries = glossary.entries()
    assert len(entries) >= 20, f"only {len(entries)} glossary entries"
    firsts = {entry.terms[0] for entry in entries}
    assert set(glossary_page.SHOWN_ON) == firsts
    for page in glossary_page.SHOWN_ON.values():
        assert (DOCS / page).is_file(), page


def test_a_stray_line_in_the_glossary_file_is_refused(tmp_path: Path) -> None:
    # The file is appended to every page: anything but an abbreviation would show.
    file = tmp_path / "abbreviations.md"
    file.write_text("*[GIL]: Global interpreter lock.\nSome text\n")
    with pytest.raises(ValueError, match="not an abbreviation"):
        glossary.abbreviations(file)


def test_tooltips_stay_out_of_code() -> None:
    tip = '<abbr title="Pickling: turning">pickling</abbr>'
    html = f"<p>{tip} <code>--only {tip}</code></p>"
    assert glossary.unwrap_in_code(html) == f"<p>{tip} <code>--only pickling</code></p>"


class Abbrs(HTMLParser):
    """Every <abbr title> of a page with its text, and the elements around it."""

    INSIDE = ("code", "pre", "title", "script", "style", "svg", "abbr")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, tuple[str, ...]]] = []
        self.stack: list[str] = []
        self.open: tuple[str, tuple[str, ...]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "abbr" and (title := dict(attrs).get("title")):
            self.open = (title, tuple(t for t in self.stack if t in self.INSIDE))
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.open and self.stack and self.stack[-1] == "abbr":
            self.found.append((data, *self.open))
            self.open = None


@pytest.mark.build
def test_built_pages_show_twenty_terms_with_their_definition(
    site_build: Build,
) -> None:
    terms = glossary.abbreviations()
    seen: set[str] = set()
    for file in sorted(site_build.site.rglob("*.html")):
        html = file.read_text()
        where = file.relative_to(site_build.site)
        assert not re.search(r'="[^"<>]*<abbr', html), f"{where}: abbr in an attribute"
        parser = Abbrs()
        parser.feed(html)
        for text, title, inside in parser.found:
            assert terms.get(text) == title, f"{where}: {text!r} titled {title!r}"
            assert not inside, f"{where}: {text!r} wrapped inside {inside}"
            seen.add(text)
    assert len(seen) >= 20, f"only {len(seen)} terms show a definition: {seen}"


@pytest.mark.build
def test_glossary_page_lists_every_term_and_concepts_links_to_it(
    site_build: Build,
) -> None:
    html = built(site_build.site, "glossary.md")
    table = re.search(r'<table class="measured-glossary">.*?</table>', html, re.S)
    assert table, "the glossary page has no table"
    assert "<abbr" not in table[0], "a listed term carries its own tooltip"
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table[0], re.S)
    listed = {re.sub(r"<[^>]+>", "", terms): meaning for terms, meaning in rows}
    for entry in glossary.entries():
        assert listed.get(", ".join(entry.terms)) == escape(entry.definition)
    assert 'href="../glossary/"' in built(site_build.site, "concepts.md")


# --- The Concepts page -------------------------------------------------------------

# What the page defines, and the page each idea links to.
CONCEPTS = {
    "concurrency": "cpu-bound.md",
    "parallelism": "cpu-bound.md",
    "I/O-bound": "io-bound.md",
    "CPU-bound": "cpu-bound.md",
    "thread": "threads.md",
    "process": "processes.md",
    "GIL": "gil.md",
    "coroutine": "asyncio.md",
    "event loop": "asyncio.md",
    "pickle": "processes.md",
    "start method": "start-methods.md",
    "chunksize": "when-processes-lose.md",
    "pool": "futures.md",
    "executor": "futures.md",
    "race condition": "synchronization.md",
}


def test_concepts_page_is_short_and_links_each_idea_to_its_page() -> None:
    source = (DOCS / "concepts.md").read_text()
    body = meta.get_data(source)[0]
    prose = re.sub(r"```.*?```", "", body, flags=re.S)
    assert len(prose.split()) <= 700
    for idea, page in CONCEPTS.items():
        assert idea in prose, f"Concepts does not define {idea}"
        assert f"]({page})" in prose, f"Concepts does not link {page}"


@pytest.mark.build
@pytest.mark.parametrize("source", ["concepts.md", "glossary.md"])
def test_new_pages_open_with_their_answer(site_build: Build, source: str) -> None:
    html = built(site_build.site, source)
    answer = re.search(r'<p class="measured-answer">(.*?)</p>', html, re.S)
    assert answer, f"{source} has no answer sentence"
    text = article_text(html)
    first = text[:FIRST_SCREEN]
    assert " ".join(re.sub(r"<[^>]+>", "", answer[1]).split()) in first
    provenance = re.search(r'<p class="measured-provenance">(.*?)</p>', html, re.S)
    assert provenance, f"{source} shows no measured result"
    start = " ".join(re.sub(r"<[^>]+>", "", provenance[1]).split())[:40]
    assert text.index(start) >= FIRST_SCREEN, "a provenance line on the first screen"
