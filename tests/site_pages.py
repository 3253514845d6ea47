"""The pages of a built site, found from the build output, and a local server for it.

Tests iterate over whatever the build produced, so a new page is checked the moment
it is added to the nav: no test keeps a list of pages.
"""

from __future__ import annotations

import http.server
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from conftest import ROOT

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def base_path(site: Path) -> str:
    """The path the site is published under ("/guide/"), from the home page."""
    html = (site / "index.html").read_text()
    match = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert match, "the home page has no canonical link (is site_url set?)"
    path = urlsplit(match.group(1)).path
    return path if path.endswith("/") else path + "/"


def sitemap_pages(site: Path) -> list[str]:
    """Page paths relative to the site root ("", "cpu-bound/"), in sitemap order."""
    prefix = base_path(site)
    tree = ET.parse(site / "sitemap.xml")
    pages = []
    for loc in tree.iter(f"{SITEMAP_NS}loc"):
        path = urlsplit(loc.text or "").path
        assert path.startswith(prefix), f"{path} is outside {prefix}"
        pages.append(path.removeprefix(prefix))
    return pages


def html_pages(site: Path) -> list[str]:
    """Every HTML page the build wrote, as a path relative to the root (no 404)."""
    pages = []
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        pages.append(rel.removesuffix("index.html"))
    return pages


def page_file(site: Path, page: str) -> Path:
    return (
        site / page / "index.html" if page == "" or page.endswith("/") else site / page
    )


def notebook_pages() -> set[str]:
    """Pages built from notebooks (mkdocs-jupyter), as paths like "pool-demo/"."""
    docs = ROOT / "docs"
    pages = set()
    for notebook in docs.rglob("*.ipynb"):
        if ".ipynb_checkpoints" in notebook.parts:
            continue
        rel = notebook.relative_to(docs).with_suffix("")
        pages.add("" if rel.name == "index" else rel.as_posix() + "/")
    return pages


def title(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


class _Text(HTMLParser):
    """The visible text of the article, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    """Text of the page's article (the content column), whitespace collapsed."""
    match = re.search(
        r'<article class="md-content__inner[^"]*">(.*?)</article>', html, re.S
    )
    parser = _Text()
    parser.feed(match.group(1) if match else html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


@dataclass
class Server:
    """The built site on 127.0.0.1, under the same path as the published site."""

    url: str  # ends with the base path, e.g. http://127.0.0.1:41234/guide/
    origin: str  # http://127.0.0.1:41234
    not_found: list[str] = field(default_factory=list)  # paths answered with 404


def _handler(site: Path, prefix: str, server: Server) -> type:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[misc]

        def translate_path(self, path: str) -> str:
            path = urlsplit(path).path
            if not path.startswith(prefix):
                return str(site / "__outside_the_base_path__")
            return super().translate_path("/" + path.removeprefix(prefix))

        def send_error(
            self, code: int, message: str | None = None, explain: str | None = None
        ) -> None:
            # Like GitHub Pages: a missing path gets the site's own 404 page.
            if code != 404:
                super().send_error(code, message, explain)
                return
            server.not_found.append(self.path)
            body = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest's output readable

    return Handler


@contextmanager
def serve(site: Path) -> Iterator[Server]:
    """Serve ``site`` on an ephemeral port of 127.0.0.1; stop the server on exit."""
    prefix = base_path(site)
    server = Server(url="", origin="")
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(site, prefix, server)
    )
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    server.origin = f"http://127.0.0.1:{port}"
    server.url = server.origin + prefix
    thread = threading.Thread(target=httpd.serve_forever, name="site-server")
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class Links(HTMLParser):
    """Every link target (href) of the ``<a>`` elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)
