"""The learning path: a "You'll need" line under a page's title, "Next" at its end.

The path is the nav: every page inside a nav section is on it, in nav order (Home,
Start here, Errata, Reproduce and Glossary sit at the top level, off the path). A
page names what it builds on in its front matter::

    ---
    needs: [threads.md, gil.md]
    ---

``needs: []`` means basic Python is enough. Without the key (a notebook has no
front matter) the page needs the page before it on the path. Every need must be a
page earlier on the path: a reader following the nav has read it already.

The hook renders both lines into the page's HTML, so they never sit in the page's
Markdown that other people edit, and a link to a missing page fails the build
(the hook's link checker resolves the ``.md`` links printed here).
"""

from __future__ import annotations

import html
import posixpath
from typing import Any

from mkdocs.structure.files import Files

NEEDS = "needs"
NEEDS_CLASS = "measured-needs"
NEXT_CLASS = "measured-next"
NOTHING = "basic Python, nothing more."


class PathError(ValueError):
    """A page's ``needs`` names a page that is missing or later on the path."""


def on_path(page: Any) -> bool:
    """Inside a nav section: the learning path (top-level pages stand apart)."""
    return page.parent is not None


def _title(target: Any) -> str:
    return str(target.title or target.file.src_uri)


def _link(target: Any, page: Any) -> str:
    # A source path relative to the page (a page may sit in a folder, recipes/):
    # measured.web.links rewrites it to the built URL and checks it.
    here = posixpath.dirname(page.file.src_uri) or "."
    href = html.escape(posixpath.relpath(target.file.src_uri, here))
    text = html.escape(_title(target))
    return f'<a href="{href}">{text}</a>'


def _path(page: Any) -> list[Any]:
    """Every page of the path, in nav order, from the page's own nav links."""
    first = page
    while first.previous_page is not None and on_path(first.previous_page):
        first = first.previous_page
    pages = [first]
    while pages[-1].next_page is not None and on_path(pages[-1].next_page):
        pages.append(pages[-1].next_page)
    return pages


def needs(page: Any, files: Files) -> list[Any]:
    """The pages ``page`` builds on, checked against the path's order."""
    declared = page.meta.get(NEEDS)
    if declared is None:  # no front matter: the page before it on the path
        before = page.previous_page
        return [before] if before is not None and on_path(before) else []
    if not isinstance(declared, list):
        raise PathError(f"{page.file.src_uri}: {NEEDS} must be a list of pages")
    earlier = [p.file.src_uri for p in _path(page)]
    earlier = earlier[: earlier.index(page.file.src_uri)]
    found = []
    for name in declared:
        file = files.get_file_from_path(str(name))
        if file is None or file.page is None:
            raise PathError(f"{page.file.src_uri}: {NEEDS} names {name}, no page")
        if file.src_uri not in earlier:
            raise PathError(
                f"{page.file.src_uri}: {NEEDS} names {name}, which is not earlier "
                "on the path (the nav sections, in order)"
            )
        found.append(file.page)
    return found


def needs_line(page: Any, files: Files) -> str:
    required = needs(page, files)
    links = ", ".join(_link(p, page) for p in required) if required else NOTHING
    return f'<p class="{NEEDS_CLASS}">You\'ll need: {links}</p>'


def next_line(page: Any) -> str:
    after = page.next_page
    if after is None:
        return ""
    section = after.parent
    where = (
        f" ({html.escape(section.title)})"
        if section is not None and section is not page.parent
        else ""
    )
    return f'<p class="{NEXT_CLASS}">Next: {_link(after, page)}{where}</p>'


def add_lines(content: str, page: Any, files: Files) -> str:
    """A path page's HTML with "You'll need" after its H1 and "Next" at the end."""
    if not on_path(page):
        return content
    top = content.find("</h1>")
    if top < 0:
        raise PathError(f"{page.file.src_uri}: no title (H1) to put {NEEDS} under")
    top += len("</h1>")
    return (
        content[:top]
        + "\n"
        + needs_line(page, files)
        + content[top:]
        + "\n"
        + next_line(page)
    )
