"""Links that markdown-exec blocks print, made to work like ordinary Markdown links.

MkDocs rewrites ``[text](page.md#anchor)`` to the page's URL and validates it, but
not inside the HTML a markdown-exec block produces: there the link stays
``page.md`` (a 404 on the built site) and an ``id`` the block prints is invisible
to MkDocs' anchor check. The hooks call :func:`rewrite` on every page's HTML and
:func:`broken_anchors` once all pages are built.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# A relative link to a source page, as left in the HTML: href="x.md" or "x.md#a".
SOURCE_LINK = re.compile(
    r'href="(?P<path>(?![a-z][a-z0-9+.-]*:|/|#)[^"#?]+\.(?:md|ipynb))'
    r'(?:#(?P<anchor>[^"]*))?"'
)
ID_ATTR = re.compile(r'\sid="([^"]+)"')


@dataclass
class Checker:
    """Anchor ids of every built page, and the links that need one of them."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    wanted: list[tuple[str, str, str]] = field(default_factory=list)

    def clear(self) -> None:
        self.ids.clear()
        self.wanted.clear()

    def rewrite(self, html: str, page: Page, files: Files) -> tuple[str, list[str]]:
        """Point source-page links at built URLs. Returns (html, missing pages)."""
        here = page.file.src_uri
        missing: list[str] = []

        def replace(match: re.Match[str]) -> str:
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(here), match["path"])
            )
            found = files.get_file_from_path(target)
            if found is None:
                missing.append(match["path"])
                return match[0]
            anchor = match["anchor"]
            if anchor:
                self.wanted.append((here, target, anchor))
            url = found.url_relative_to(page.file)
            return f'href="{url}{"#" + anchor if anchor else ""}"'

        html = SOURCE_LINK.sub(replace, html)
        self.ids[here] = set(ID_ATTR.findall(html))
        return html, missing

    def broken_anchors(self) -> list[str]:
        return [
            f"{source} links to {target}#{anchor}, which has no such anchor"
            for source, target, anchor in self.wanted
            if anchor not in self.ids.get(target, set())
        ]
