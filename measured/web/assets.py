"""Keep pages light: move very large inline stylesheets into shared files.

mkdocs-jupyter inlines the whole JupyterLab stylesheet (about 570 KB) into every
notebook page, which alone breaks the 500 KB page budget. The CSS is the same on
every notebook page, so it is written once, named by its content hash, and linked:
the browser downloads it once and caches it.

Most of that stylesheet styles JupyterLab widgets a static notebook page never shows,
and it alone would push a page over the 1.2 MB it may transfer: before it is written,
every rule whose selectors all name a class the page does not use is dropped
(:func:`prune`). At-rules (keyframes, fonts) stay; media blocks are pruned inside.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

# Smaller inline styles (Material's, markdown-exec's) stay where they are.
INLINE_STYLE_LIMIT = 32 * 1024
_STYLE = re.compile(r"<style([^>]*)>(.*?)</style>", re.S)
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][-\w]*)")
# Blocks whose insides are rules to prune; any other at-rule is kept whole.
_NESTED = ("@media", "@supports")


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Top-level ``(prelude, body)`` pairs; a statement at-rule has body ``None``."""
    found: list[tuple[str, str | None]] = []
    depth, start, open_at = 0, 0, 0
    for i, char in enumerate(css):
        if char == "{":
            if depth == 0:
                open_at = i
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                found.append((css[start:open_at].strip(), css[open_at + 1 : i]))
                start = i + 1
        elif char == ";" and depth == 0:  # @charset, @import
            found.append((css[start : i + 1].strip(), None))
            start = i + 1
    return found


def _selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not inside :is(a, b))."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p.strip() for p in [*parts, current] if p.strip()]


def _outside_parens(selector: str) -> str:
    """The selector without its (...) parts: a class inside :not(), :is() or :has()
    need not be on the page for the rule to match (``.a:not(.b)`` matches more
    when ``b`` is unused), so only the classes outside them decide."""
    depth, kept = 0, []
    for char in selector:
        depth += (char == "(") - (char == ")")
        if depth == 0 and char != ")":
            kept.append(char)
    return "".join(kept)


def prune(css: str, used: set[str]) -> str:
    """``css`` without the rules that can match nothing on a page using ``used``."""
    out = []
    for prelude, body in _blocks(css):
        if body is None:  # @charset, @import: kept as they are
            out.append(prelude)
        elif prelude.startswith(_NESTED):
            inner = prune(body, used)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):  # keyframes, font faces: kept whole
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = [
                selector
                for selector in _selectors(prelude)
                if set(_CLASS_IN_SELECTOR.findall(_outside_parens(selector))) <= used
            ]
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
    return "".join(out)


def classes(html: str) -> set[str]:
    """Every class name an element of ``html`` carries."""
    return {name for attr in _CLASS_ATTR.findall(html) for name in attr.split()}


def externalize_large_styles(html: str, page_url: str, site_dir: str) -> str:
    """``html`` with every inline <style> over the limit replaced by a <link>."""

    used = classes(html)

    def replace(match: re.Match[str]) -> str:
        attrs, css = match.group(1), match.group(2)
        if len(css.encode()) < INLINE_STYLE_LIMIT or "media=" in attrs:
            return match.group(0)
        css = prune(css, used)
        digest = hashlib.sha256(css.encode()).hexdigest()[:16]
        rel = f"assets/stylesheets/extracted-{digest}.css"
        target = Path(site_dir) / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(css)
        return f'<link rel="stylesheet" href="{get_relative_url(rel, page_url)}">'

    return _STYLE.sub(replace, html)


# Scripts a page loads only when its HTML needs them: (marker in the page, script
# under docs/, deferred). The vendored mermaid bundle is 3.5 MB, most of a page's
# bytes, and only a page with a diagram uses it. Material draws a diagram with the
# global `mermaid` when one exists at DOMContentLoaded, else fetches it from a CDN; a
# deferred script runs before DOMContentLoaded, so the global is there in time. The
# errata filter is small and runs as soon as it is parsed, before Material's bundle.
PAGE_SCRIPTS = (
    ('class="mermaid"', "javascripts/vendor/mermaid/mermaid.min.js", True),
    ("data-errata", "javascripts/errata.js", False),
)
_BUNDLE = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[^"]*"></script>')


def add_page_scripts(html: str, page_url: str, docs_dir: str) -> str:
    """``html`` with a <script> for each of PAGE_SCRIPTS its content needs, placed
    before Material's bundle (else before </body>)."""
    tags = []
    for marker, script, defer in PAGE_SCRIPTS:
        if marker not in html:
            continue
        if not (Path(docs_dir) / script).is_file():
            raise FileNotFoundError(f"page {page_url or '/'} needs docs/{script}")
        src = get_relative_url(script, page_url)
        tags.append(f'<script src="{src}"{" defer" if defer else ""}></script>')
    if not tags:
        return html
    block = "\n".join(tags) + "\n"
    bundle = _BUNDLE.search(html)
    at = bundle.start() if bundle else html.rindex("</body>")
    return html[:at] + block + html[at:]
