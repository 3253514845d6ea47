"""What the site search indexes, and how it splits a query.

Material's search plugin indexes a page's HTML but skips any element carrying
``data-search-exclude`` (and its children), whatever produced the HTML: Markdown, a
custom fence or a markdown-exec block. Two kinds of text are excluded here, because
they filled the index and the result teasers without answering a reader's question:

- the experiment scripts a page includes (code blocks titled ``snippets/…``): the
  timing harness, about half of the index text;
- provenance lines (interpreter, machine, date, how long it ran), repeated on every
  figure.

The valued form ``data-search-exclude="…"`` is used because the plugin strips it from
the page once indexed: the published HTML is unchanged.

``separator`` in mkdocs.yml keeps "Ctrl-C" one term. lunr's query lexer, though,
copies lunr's default separator (which splits on hyphens) when the search worker
loads, before Material applies the configured one, so a typed query would still be
split. :func:`align_query_lexer` makes the built worker re-read the configured
separator; it fails the build if a Material upgrade changed the code it relies on.

The worker also turns every query word into a prefix ("a" -> "a*") before lunr
sees it. The index holds no stop words ("a", "the", "how"), so a stop word only
matches as the prefix of other words: "stop a thread" ranked the asyncio page,
full of words starting with "a", above the section titled "Stop a running
thread". :func:`align_query_lexer` also drops the stop words from a query, with
the index's own list (lunr.stopWordFilter), before the prefixes are made.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_EXCLUDE = ' data-search-exclude="not-for-search"'
# For page code that writes HTML the index should skip (an element that holds no
# element of its own name: the exclusion ends at the first closing tag of it).
EXCLUDE_ATTRIBUTE = _EXCLUDE.strip()
# An included experiment script: pymdownx.highlight writes the title first.
_SCRIPT = re.compile(r'<div class="highlight">(?=<span class="filename">snippets/)')
# Any element whose class list holds measured-provenance (a <p> today).
_PROVENANCE = re.compile(r'(<[a-z]+ class="[^"]*\bmeasured-provenance\b[^"]*")')


def exclude_from_index(html: str) -> str:
    """``html`` with experiment scripts and provenance lines marked for exclusion.

    The plugin ends an exclusion at the first closing tag of the same name, so the
    marked elements must not nest another of their kind: a highlight <div> holds a
    <span> and a <pre>, a provenance <p> only inline elements.
    """
    html = _SCRIPT.sub(f'<div class="highlight"{_EXCLUDE}>', html)
    return _PROVENANCE.sub(rf"\1{_EXCLUDE}", html)


# An element Material's parser skips: it then skips everything up to the first
# closing tag of the same name (its Element compares by tag name).
_SKIPPED = re.compile(r"<([a-z][a-z0-9]*)\b[^>]*\sdata-search-exclude\b[^>]*>")


def for_index(html: str) -> str:
    """``html`` without the elements the search index skips anyway.

    Material's parser reads every tag of a page in Python, excluded or not, and
    the experiment scripts are most of the markup (about a second of every
    build). Each excluded element is cut from its opening tag to the first
    closing tag of its name, which is where the parser's exclusion ends too, so
    the index is the same (tests/test_search.py compares them page by page).
    """
    parts, pos = [], 0
    while match := _SKIPPED.search(html, pos):
        end = html.find(f"</{match[1]}>", match.end())
        if end < 0:
            break  # unclosed: let the parser see it as it is
        parts.append(html[pos : match.start()])
        pos = end + len(match[1]) + 3
    parts.append(html[pos:])
    return "".join(parts)


def index_lightly(search_index: Any) -> None:
    """Make Material's ``SearchIndex`` parse :func:`for_index` of each page.

    The page keeps its whole content: only the parser's copy is lighter.
    """
    add = search_index.add_entry_from_context
    if getattr(add, "lightened", False):
        return

    def add_light(page: Any) -> None:
        whole = page.content
        page.content = for_index(whole)
        try:
            add(page)
        finally:
            page.content = whole

    add_light.lightened = True  # type: ignore[attr-defined]
    search_index.add_entry_from_context = add_light


# Where Material applies the configured separator in its search worker; the
# property names survive minification.
_APPLIED = re.compile(r"lunr\.tokenizer\.separator=new RegExp\([\w.]+\)")
_LEXER_COPIES = ".QueryLexer.termSeparator="
ALIGNED = ",lunr.QueryLexer.termSeparator=lunr.tokenizer.separator"


# Where the worker's query transform splits a query into words, before it makes
# each a prefix (`${word}*`); the stop words are dropped right there.
_SPLIT_WORDS = ".split(/\\s+/g).reduce("
_WITHOUT_STOP_WORDS = (
    ".split(/\\s+/g).filter(w=>!(lunr.stopWordFilter&&"
    "lunr.stopWordFilter(w.toLowerCase())===void 0)).reduce("
)


def align_query_lexer(site_dir: str) -> list[Path]:
    """Patch the built search worker(s) so a query splits like the index and
    drops the index's stop words; return the files patched. Raise RuntimeError if
    the worker's shape has changed."""
    patched = []
    workers = Path(site_dir, "assets", "javascripts", "workers")
    for worker in sorted(workers.glob("search.*.min.js")):
        source = worker.read_text(encoding="utf-8")
        if ALIGNED in source and _WITHOUT_STOP_WORDS in source:
            continue
        found = _APPLIED.findall(source)
        if (
            _LEXER_COPIES not in source
            or len(found) != 1
            or source.count(_SPLIT_WORDS) != 1
        ):
            raise RuntimeError(
                f"{worker.name}: Material's search worker changed shape; the query "
                "lexer cannot be aligned with the separator (measured/web/search.py)"
            )
        source = _APPLIED.sub(lambda m: m.group(0) + ALIGNED, source, count=1)
        worker.write_text(
            source.replace(_SPLIT_WORDS, _WITHOUT_STOP_WORDS, 1), encoding="utf-8"
        )
        patched.append(worker)
    return patched
