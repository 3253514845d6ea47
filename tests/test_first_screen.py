"""The top of every page, as a reader landing from a search meets it (issue 15).

Every topic page opens with its answer: the paragraph marked ``.measured-answer``
lies within the first 600 characters of the article's text, and no provenance line
starts there. Two rendering defects stay gone: a dunder name Markdown turned into
bold (``if **name** == "**main**":``), and a count that disagrees with its noun
("0.98x at best (1 threads)"). Each check runs on the session's build and on a
crafted bad page, so it is shown to catch what it is for.

tests/test_browser.py checks the first screen again in Chromium (rendered text).
"""

from __future__ import annotations

import builtins
import re
import sys
import types
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Build
from site_pages import page_file, sitemap_pages

pytestmark = pytest.mark.build

# How much text a reader sees first: about one screen on a phone.
FIRST_SCREEN = 600
ANSWER = "measured-answer"
PROVENANCE = "measured-provenance"  # every provenance element's class starts so
# Pages that are no topic: the Errata page is a ledger of another text's claims.
NOT_TOPICS = {"errata/"}


def topic_pages(site: Path) -> list[str]:
    """Every page of the nav (the sitemap lists exactly those) except the Errata."""
    return [page for page in sitemap_pages(site) if page not in NOT_TOPICS]


# --- the first screen ---------------------------------------------------------------


@dataclass
class FirstScreen:
    """The article's text, whitespace collapsed, and where its pieces sit in it."""

    text: str
    answers: list[str] = field(default_factory=list)
    provenance_at: int | None = None  # where the first provenance element starts


# Elements without an end tag: never pushed on the reader's stack.
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
# Elements whose text starts on a line of its own: a space around them.
BLOCKS = frozenset(
    [
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
    ]
)


class _Reader(HTMLParser):
    """The article's text roughly as Chromium's innerText has it: no scripts,
    styles or diagram sources, and of a closed <details> only its summary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.answers: list[str] = []
        self.provenance_at: int | None = None
        self._stack: list[tuple[str, bool, int | None]] = []  # tag, hidden, answer
        self._in_article = False

    def _hidden(self) -> bool:
        return any(hidden for _, hidden, _ in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "article":
            self._in_article = True
        if not self._in_article:
            return
        if tag in BLOCKS:
            self.parts.append(" ")
        if tag in VOID:
            return
        parent = self._stack[-1] if self._stack else None
        # a mermaid diagram's source: the browser draws it in a shadow root, which
        # innerText leaves out
        hidden = tag in ("script", "style") or "mermaid" in classes
        # the content of a closed <details>, all but its <summary>
        if parent and parent[0] == "details-closed" and tag != "summary":
            hidden = True
        provenance = any(c.startswith(PROVENANCE) for c in classes)
        if provenance and self.provenance_at is None and not self._hidden():
            self.provenance_at = len(self.text())
        # where an answer starts in the text, to cut it out at its end
        answer = len(self.text()) if ANSWER in classes else None
        name = "details-closed" if tag == "details" and "open" not in a else tag
        self._stack.append((name, hidden, answer))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article = False
        names = [name.removesuffix("-closed") for name, _, _ in self._stack]
        if tag not in names:  # a void element, or an end tag without a start
            return
        # pop to the matching tag (HTML may leave a <p> or <li> unclosed)
        while self._stack:
            name, _, answer = self._stack.pop()
            if answer is not None:
                self.answers.append(self.text()[answer:].strip())
            if name.removesuffix("-closed") == tag:
                break
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_article and not self._hidden():
            self.parts.append(data)

    def text(self) -> str:
        return _collapse("".join(self.parts))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def first_screen(html: str) -> FirstScreen:
    reader = _Reader()
    reader.feed(html)
    return FirstScreen(reader.text(), reader.answers, reader.provenance_at)


def first_screen_problems(
    head: str, answers: list[str], provenance_at: int | None
) -> list[str]:
    """What is wrong with a page's first screen: ``head`` is the first
    FIRST_SCREEN characters of its text, ``answers`` the text of each answer
    paragraph, ``provenance_at`` where the first provenance element starts."""
    found = []
    if not answers:
        found.append(f"no answer paragraph (class {ANSWER!r})")
    elif len(answers) > 1:
        found.append(f"{len(answers)} answer paragraphs, not one: {answers}")
    elif answers[0] not in head:
        found.append(
            f"the answer is not within the first {FIRST_SCREEN} characters: "
            f"{answers[0]!r}"
        )
    if provenance_at is not None and provenance_at < FIRST_SCREEN:
        found.append(f"provenance starts at character {provenance_at}")
    return found


def screen_problems(html: str) -> list[str]:
    screen = first_screen(html)
    head = screen.text[:FIRST_SCREEN]
    return first_screen_problems(head, screen.answers, screen.provenance_at)


GOOD_PAGE = """
<html><body><nav>Navigation text that is not the article</nav>
<article class="md-content__inner md-typeset">
<h1 id="t">Title</h1>
<p class="measured-answer">Use processes for <code>CPU</code> work.</p>
<ul><li>A verdict.</li></ul>
<pre class="mermaid"><code>flowchart TD</code></pre>
<p>{filler}</p>
<details class="measured-provenance-box"><summary>How this was measured</summary>
<p class="measured-provenance">CPython · 2 usable cores</p></details>
</article></body></html>
"""


def test_first_screen_check_passes_a_page_that_opens_with_its_answer() -> None:
    page = GOOD_PAGE.format(filler="x " * FIRST_SCREEN)
    screen = first_screen(page)
    assert screen.answers == ["Use processes for CPU work."]
    assert screen.text.startswith("Title Use processes for CPU work. A verdict.")
    assert "Navigation" not in screen.text
    assert "2 usable cores" not in screen.text  # inside a closed <details>
    assert "flowchart" not in screen.text  # drawn as a diagram
    assert screen_problems(page) == []


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        (GOOD_PAGE.format(filler=""), "provenance starts at character"),
        (GOOD_PAGE.replace(' class="measured-answer"', ""), "no answer paragraph"),
        (
            GOOD_PAGE.replace("<h1 id", "<p>" + "y " * FIRST_SCREEN + "</p><h1 id"),
            "the answer is not within the first",
        ),
        (
            GOOD_PAGE.replace("<ul>", '<p class="measured-answer">Two.</p><ul>'),
            "2 answer paragraphs",
        ),
    ],
    ids=["provenance-on-top", "no-answer", "answer-too-late", "two-answers"],
)
def test_first_screen_check_fails_a_crafted_bad_page(page: str, problem: str) -> None:
    found = screen_problems(page.format(filler="x " * FIRST_SCREEN))
    assert any(problem in line for line in found), found


def test_every_topic_page_opens_with_its_answer(site_build: Build) -> None:
    """Done when #1 of issue 15, checked without a browser (the text extraction
    approximates innerText; tests/test_browser.py checks the rendered page)."""
    pages = topic_pages(site_build.site)
    assert len(pages) > 10
    found = [
        f"{page or '(home)'}: {problem}"
        for page in pages
        for problem in screen_problems(page_file(site_build.site, page).read_text())
    ]
    assert not found, "\n".join(found)


# --- dunder names eaten by Markdown -------------------------------------------------


def _dunder_names() -> frozenset[str]:
    """Python's dunder names without their underscores ("name", "main", "init"):
    what Markdown leaves of ``__name__`` when it reads the underscores as bold."""
    names = set(sys.modules) | set(dir(builtins)) | set(dir(types.ModuleType("m")))
    for kind in (object, type, int, float, complex, str, bytes, list, dict, set):
        names |= set(dir(kind))
    for kind in (tuple, BaseException, property, types.FunctionType):
        names |= set(dir(kind))
    # the protocols a concurrency text names that the types above lack
    names |= {"__enter__", "__exit__", "__aenter__", "__aexit__", "__await__"}
    names |= {"__iter__", "__next__", "__aiter__", "__anext__", "__call__"}
    names |= {"__main__", "__future__", "__file__", "__path__", "__all__"}
    names |= {"__getstate__", "__setstate__", "__reduce__", "__del__", "__slots__"}
    dunder = re.compile(r"__([a-z][a-z0-9_]*[a-z0-9])__")
    return frozenset(m[1] for name in names if (m := dunder.fullmatch(name)))


DUNDERS = _dunder_names()
STRONG = re.compile(r"<strong>([a-z][a-z0-9_]*)</strong>")


def strong_dunders(html: str) -> list[str]:
    """Every ``<strong>`` whose whole text is a dunder name without underscores."""
    return [
        f"<strong>{m[1]}</strong>" for m in STRONG.finditer(html) if m[1] in DUNDERS
    ]


def test_dunder_check_knows_the_names_and_catches_eaten_underscores() -> None:
    assert {"name", "main", "init", "enter", "exit", "file"} <= DUNDERS
    bad = '<p>if <strong>name</strong> == "<strong>main</strong>":</p>'
    assert strong_dunders(bad) == ["<strong>name</strong>", "<strong>main</strong>"]
    good = '<p>if <code>__name__ == "__main__"</code>: <strong>always</strong></p>'
    assert strong_dunders(good) == []


def site_files(site: Path) -> list[Path]:
    """Every page of the built site, and the search index built from them."""
    return [*sorted(site.rglob("*.html")), site / "search" / "search_index.json"]


def test_no_dunder_name_renders_as_bold_anywhere(site_build: Build) -> None:
    found = [
        f"{file.relative_to(site_build.site)}: {hit}"
        for file in site_files(site_build.site)
        for hit in strong_dunders(file.read_text())
    ]
    assert not found, "\n".join(found)


# --- counts that agree with their nouns ---------------------------------------------

# The nouns the guide's claim sentences count. Derived ones are added from the site
# itself: a noun seen as "2 <plural>" and as "1 <singular>" (see counted_nouns).
NOUNS = {
    "thread",
    "process",
    "run",
    "round",
    "worker",
    "task",
    "core",
    "CPU",
    "connection",
    "interpreter",
    "request",
    "start",
    "call",
    "item",
    "entry",
    "sentence",
    "experiment",
    "second",
    "byte",
    "chunk",
    "wait",
    "update",
    "time",
}
# A count in prose: not part of a longer number ("11", "0.1", "1,000") or of
# arithmetic ("n + 1 tasks", "size+1 tasks").
COUNT = re.compile(r"(?<![\w.,×+\-*/=])(?<![+\-*/=] )(\d+) ([A-Za-z]+)\b")


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def counted_nouns(text: str) -> set[str]:
    """NOUNS, plus each word the text counts both in the plural and as one."""
    counts = COUNT.findall(text)
    ones = {word for n, word in counts if n == "1"}
    many = {word for n, word in counts if n != "1" and int(n) > 1}
    return NOUNS | {word for word in ones if plural(word) in many}


def plural_slips(text: str) -> list[str]:
    """Every "1 <plural>" of a counted noun, with a little context."""
    plurals = {plural(noun) for noun in counted_nouns(text)}
    return [
        text[max(0, m.start() - 30) : m.end() + 10]
        for m in COUNT.finditer(text)
        if m[1] == "1" and m[2] in plurals
    ]


class _SiteText(HTMLParser):
    """A page's prose: no scripts or styles, no code or output blocks (a terminal
    table wraps its columns into each other) and no chart (axis labels)."""

    SKIP = ("script", "style", "pre", "svg")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in self.SKIP
        self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")  # <path/> and <br/>: no content to skip

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in self.SKIP and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _SiteText()
    parser.feed(html)
    return _collapse("".join(parser.parts))


def test_plural_check_catches_one_with_a_plural_noun() -> None:
    bad = "<p>0.98× at best (1 <strong>threads</strong>); 1 runs, 12 rounds</p>"
    slips = plural_slips(page_text(bad))
    assert len(slips) == 2, slips
    assert "(1 threads)" in slips[0] and "1 runs," in slips[1]
    good = "<p>1 thread, 1 process, 2 threads, 11 threads, 0.1 threads, 1 entry</p>"
    assert plural_slips(page_text(good)) == []
    arithmetic = "<p>size+1 tasks in flight, so n + 1 tasks wait; x += 1 items</p>"
    assert plural_slips(page_text(arithmetic)) == []
    # not prose: a wrapped terminal table, a chart's axis labels
    blocks = "<pre>held in 1 of 1   threads\nrun</pre><svg><text>1</text> runs</svg>"
    assert plural_slips(page_text(blocks)) == []
    # a noun the list lacks is learned from the text: "2 widgets" and "1 widget"
    slips = plural_slips("2 widgets and 1 widget, then 1 widgets")
    assert len(slips) == 1 and slips[0].endswith("then 1 widgets"), slips
    assert len(plural_slips("1 processes and 1 entries")) == 2


def test_counts_agree_with_their_nouns_anywhere(site_build: Build) -> None:
    found = [
        f"{file.relative_to(site_build.site)}: …{slip}…"
        for file in sorted(site_build.site.rglob("*.html"))
        for slip in plural_slips(page_text(file.read_text()))
    ]
    assert not found, "\n".join(found)
