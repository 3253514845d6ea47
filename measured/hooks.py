"""MkDocs hooks: name the page in experiment errors and fail the build on them.

markdown-exec only logs a warning when a block raises; under ``strict`` that fails
the build at the end. Raising here stops the build at the failing page with the
runner's message, strict or not.

markdown-exec renders a block's output with its own Markdown instance, without
MkDocs' link rewriting, so a printed ``[text](page.md)`` would reach the browser as
``page.md``. :func:`on_page_content` rewrites such links to the page's URL and warns
(which fails a strict build) when the page does not exist.

After the build, every run the pages showed goes to ``results.json`` at the root of
the site: the file ``python -m measured reproduce`` compares a reader's runs with.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from measured import render, results, runner

log = logging.getLogger("mkdocs.measured")
# A relative link to a Markdown page left in the HTML (by markdown-exec output).
_MD_LINK = re.compile(r'href="(?P<path>[^":?#/][^":?#]*\.md)(?P<anchor>#[^"]*)?"')


def on_pre_build(config: Any, **_: Any) -> None:
    render.failures.clear()
    runner.reset()


def on_files(files: Any, **_: Any) -> Any:
    # Provenance lines link to the reproduce page only if this site has one.
    has_page = files.get_file_from_path(render.REPRODUCE_PAGE) is not None
    render.reproduce_page = render.REPRODUCE_PAGE if has_page else None
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    render.current_page = page.file.src_uri
    return markdown


def on_page_content(html: str, page: Any, files: Any, **_: Any) -> str:
    render.current_page = None
    if render.failures:
        failure = render.failures[0]
        render.failures.clear()
        raise PluginError(f"experiment failed on page {page.file.src_uri}:\n{failure}")
    return _MD_LINK.sub(lambda link: _page_url(link, page, files), html)


def _page_url(link: re.Match[str], page: Any, files: Any) -> str:
    here = posixpath.dirname(page.file.src_uri)
    target = posixpath.normpath(posixpath.join(here, link["path"]))
    found = files.get_file_from_path(target)
    if found is None:
        log.warning(
            "Doc file '%s' links to '%s' (printed by a code block), "
            "which is not among the documentation files.",
            page.file.src_uri,
            link["path"],
        )
        return link[0]
    return f'href="{found.url_relative_to(page.file)}{link["anchor"] or ""}"'


def on_post_build(config: Any, **_: Any) -> None:
    log.info(
        "experiments: %d executed, %d from cache",
        runner.stats["executed"],
        runner.stats["cached"],
    )
    runs = runner.this_build()
    try:
        data = results.document(runs, kind="site", site_url=config.site_url)
    except Exception as exc:  # a claim that cannot read its experiment's result
        raise PluginError(f"cannot write {results.FILENAME}: {exc!r}") from exc
    results.write(Path(config.site_dir) / results.FILENAME, data)
    log.info("results: %d runs written to %s", len(runs), results.FILENAME)
