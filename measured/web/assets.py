"""Keep pages light: move very large inline stylesheets into shared files.

mkdocs-jupyter inlines the whole JupyterLab stylesheet (about 570 KB) into every
notebook page, which alone breaks the 500 KB page budget. The CSS is the same on
every notebook page, so it is written once, named by its content hash, and linked:
the browser downloads it once and caches it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

# Smaller inline styles (Material's, markdown-exec's) stay where they are.
INLINE_STYLE_LIMIT = 32 * 1024
_STYLE = re.compile(r"<style([^>]*)>(.*?)</style>", re.S)


def externalize_large_styles(html: str, page_url: str, site_dir: str) -> str:
    """``html`` with every inline <style> over the limit replaced by a <link>."""

    def replace(match: re.Match[str]) -> str:
        attrs, css = match.group(1), match.group(2)
        if len(css.encode()) < INLINE_STYLE_LIMIT or "media=" in attrs:
            return match.group(0)
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
