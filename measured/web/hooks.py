"""MkDocs hooks: name the page in experiment errors and fail the build on them.

markdown-exec only logs a warning when a block raises; under ``strict`` that fails
the build at the end. Raising here stops the build at the failing page with the
runner's message, strict or not. The hooks also fix and check the links that
markdown-exec blocks print (see measured/web/links.py).

Each experiment page gets an "On other machines" section (measured/web/elsewhere.py)
from the submitted results files (measured/web/machines.py).

After the build, every run the pages showed goes to ``results.json`` at the root of
the site: the file ``python -m measured reproduce`` compares a reader's runs with.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from measured.run import matrix, provenance, runner
from measured.web import (
    assets,
    elsewhere,
    errata,
    glossary,
    highlighting,
    inner_markdown,
    ledger,
    links,
    machines,
    path,
    published,
    render,
    results,
    runnable,
    search,
)

log = logging.getLogger("mkdocs.measured")
printed_links = links.Checker()


class _ShallowCloneIsNoError(logging.Filter):
    """Log git-revision-date-localized's shallow-clone warning as info.

    On a CI runner with a shallow clone the plugin warns that dates may be wrong, and
    ``strict`` turns the warning into a failed build. A shallow clone only makes every
    "Last updated" date the newest commit's date; the build must still work there.
    Installed at import, because the plugin warns in its own on_config.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and "shallow" in record.getMessage():
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_git_ci_log = logging.getLogger(
    "mkdocs.plugins.mkdocs_git_revision_date_localized_plugin.ci"
)
if not any(isinstance(f, _ShallowCloneIsNoError) for f in _git_ci_log.filters):
    _git_ci_log.addFilter(_ShallowCloneIsNoError())


def on_config(config: Any, **_: Any) -> Any:
    # The footer (overrides/partials/copyright.html) states who built the site.
    config.extra["build"] = provenance.build_facts()
    if config.repo_url:  # where "On other machines" sends a reader to submit
        elsewhere.contributing = (
            f"{config.repo_url.rstrip('/')}/blob/main/CONTRIBUTING.md"
            "#submit-results-from-your-machine"
        )
    glossary.refresh()  # the abbr extension's terms, read again on every build
    highlighting.install()  # code blocks highlighted before come from .cache/highlight
    inner_markdown.install()  # one inner converter per page, not one per block
    # Material's search plugin made its index in its own on_config, just before.
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if (index := getattr(plugin, "search_index", None)) is not None:
        search.index_lightly(index)
    return config


def on_pre_build(config: Any, **_: Any) -> None:
    inner_markdown.forget()
    render.failures.clear()
    runner.reset()
    printed_links.clear()
    matrix.reset()  # probe the interpreters again: one may have been installed
    published.reset()  # the published results file may have been replaced
    machines.reset()  # a machine's file may have been added or replaced
    machines.load()  # a file that fails validation is named before any page
    errata.entries.cache_clear()
    try:
        errata.entries()  # a malformed ledger stops the build before any page
    except ledger.LedgerError as error:
        raise PluginError(str(error)) from error


def on_files(files: Any, **_: Any) -> Any:
    # Provenance lines link to the reproduce page only if this site has one.
    has_page = files.get_file_from_path(render.REPRODUCE_PAGE) is not None
    render.reproduce_page = render.REPRODUCE_PAGE if has_page else None
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    render.current_page = page.file.src_uri
    if elsewhere.wants_section(page.file.src_uri, markdown):
        markdown += elsewhere.section()  # "On other machines", the page's last fence
    return markdown


def on_page_content(html: str, page: Any, files: Any, **_: Any) -> str:
    render.current_page = None
    if render.failures:
        failure = render.failures[0]
        render.failures.clear()
        raise PluginError(f"experiment failed on page {page.file.src_uri}:\n{failure}")
    html = glossary.unwrap_in_code(html)
    try:  # "You'll need" and "Next" on the learning path's pages
        html = path.add_lines(html, page, files)
    except path.PathError as error:
        raise PluginError(str(error)) from error
    html, missing = printed_links.rewrite(html, page, files)
    if missing:
        raise PluginError(
            f"page {page.file.src_uri} links to missing pages: {', '.join(missing)}"
        )
    return search.exclude_from_index(html)


def on_post_page(output: str, page: Any, config: Any, **_: Any) -> str:
    output = assets.externalize_large_styles(output, page.url, config.site_dir)
    try:
        return assets.add_page_scripts(output, page.url, config.docs_dir)
    except FileNotFoundError as error:
        raise PluginError(str(error)) from error


def on_post_build(config: Any, **_: Any) -> None:
    try:
        search.align_query_lexer(config.site_dir)
    except RuntimeError as error:
        raise PluginError(str(error)) from error
    if missing := ledger.missing_anchors(list(errata.entries()), printed_links.ids):
        raise PluginError("\n".join(str(error) for error in missing))
    if broken := printed_links.broken_anchors():
        raise PluginError("broken links:\n  " + "\n  ".join(broken))
    log.info(
        "experiments: %d executed, %d from cache",
        runner.counters["executed"],
        runner.counters["cached"],
    )
    if busy := sorted({run.name for run in runner.this_build() if run.busy()}):
        log.info(
            "measured on a busy machine (timed verdicts not shown): %s; "
            "`make fresh` measures them again",
            ", ".join(busy),
        )
    examples = runner.examples_this_build()
    log.info(
        "examples: %d executed, %d from cache",
        runner.counters["example executed"],
        runner.counters["example cached"],
    )
    runnable.write(Path(config.site_dir), examples)
    runs = runner.this_build()
    for run in runs:  # recorded in results.json; tests/test_cleanup.py fails on them
        for number, execution in enumerate(run.executions, 1):
            for item in execution.left_behind():
                log.info("%s, run %d, left behind %s", run.name, number, item)
    try:
        data = results.document(runs, kind="site", site_url=config.site_url)
    except Exception as exc:  # a claim that cannot read its experiment's result
        raise PluginError(f"cannot write {results.FILENAME}: {exc!r}") from exc
    results.write(Path(config.site_dir) / results.FILENAME, data)
    log.info("results: %d runs written to %s", len(runs), results.FILENAME)
