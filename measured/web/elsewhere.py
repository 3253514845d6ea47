"""The "On other machines" section under every experiment page.

The hook appends one ``measured`` fence with the ``other-machines`` directive to
each experiment page (:func:`section`); the fence is the page's last, so by the
time it renders the runner knows every experiment the page ran. Each gets a
compact table of the submitted files' rows (measured/web/machines.py): machine,
OS, Python, usable cores, start method, headline figure and verdict, both judged
again here from the file's raw runs.

Every string from a file is data: it is HTML-escaped, and the tables are raw HTML,
so no Markdown in a CPU model or OS name is ever interpreted either.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterable, Sequence
from typing import Any

from measured import claims
from measured.run import runner
from measured.web import machines, render, search

HEADING = "On other machines"
# Pages that summarise experiments shown in full elsewhere get no section.
SUMMARY_PAGES = frozenset(
    {
        "index.md",
        "start-here.md",
        "concepts.md",
        "errata.md",
        "glossary.md",
        "reproduce.md",
        "other-machines.md",
    }
)
PAGE = "other-machines.md"
# The hook sets it from the site's repo_url; this is mkdocs.yml's default.
contributing = (
    "https://github.com/python-concurrency-measured/guide/blob/main/"
    "CONTRIBUTING.md#submit-results-from-your-machine"
)
COLUMNS = (
    "machine",
    "OS",
    "Python",
    "cores",
    "start method",
    "headline figure",
    "verdict",
)


def wants_section(src_uri: str, markdown: str) -> bool:
    """An experiment page: a Markdown page with a measured fence, not a summary."""
    return (
        src_uri.endswith(".md")
        and src_uri not in SUMMARY_PAGES
        and "```measured" in markdown
    )


def section() -> str:
    """The Markdown the hook appends: a heading and the directive's fence."""
    return f"\n\n## {HEADING}\n\n```measured\nother-machines\n```\n"


def none_yet() -> str:
    return (
        "No other machine has submitted results yet. To add yours, run "
        "`python -m measured submit` and open a pull request: see "
        f"[Submit results from your machine]({contributing}) in CONTRIBUTING.md.\n"
    )


def _link(page: str | None) -> str:
    base = posixpath.dirname(page or "") or "."
    return posixpath.relpath(PAGE, base)


def page_experiments(page: str | None) -> list[str]:
    """The experiments this build ran for ``page``, in the order it asked."""
    names: list[str] = []
    for run in runner.this_build():
        if page in run.pages and run.name not in names:
            names.append(run.name)
    return names


def for_page(page: str | None = None) -> str:
    """Every experiment of the current page: its table, or that none has rows."""
    page = page if page is not None else render.current_page
    if not machines.load():
        return none_yet()
    parts = [
        "Each row is one submitted results file and Python, its claims judged again "
        "here from its raw runs. Every machine side by side: "
        f"[Results from other machines]({_link(page)}).\n"
    ]
    parts += [experiment(name) for name in page_experiments(page)]
    return "\n".join(parts)


def experiment(name: str) -> str:
    """One experiment's table under a line naming it and its headline claim."""
    rows = machines.of(name)
    failed = machines.failed(name)
    did_not_run = (
        f"It did not run in {len(failed)} submitted file(s), which list it as "
        f"failed: {html.escape(', '.join(failed))}.\n\n"
        if failed
        else ""
    )
    if not rows:
        return f"`{name}`: no submitted file has run it yet.\n\n{did_not_run}"
    head = machines.headline(name)
    count = len(claims.registry.REGISTRY.get(name, []))
    said = (
        f"headline figure and verdict of `{head.name}`; the verdict cell also counts "
        f"the verdicts of all its {count} claims"
        if head
        else "no claim registered"
    )
    table_html = table(rows, head.name if head else None)
    return f"`{name}` ({said}):\n\n{table_html}\n{did_not_run}"


def table(
    rows: Iterable[machines.Row], claim: str | None, *, count: bool = True
) -> str:
    """The compact table of ``rows``. ``count``: the verdict cell also counts the
    verdicts of all the experiment's claims."""
    return html_table(COLUMNS, [_row_cells(row, claim, count) for row in rows])


class Html(str):
    """A cell its page code already wrote as HTML, from escaped parts (a link)."""


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table (no class: Material styles and scrolls it like a Markdown
    table); every cell escaped but an :class:`Html` one."""
    body = "".join(_cells(row) for row in rows)
    # Data, not an answer: left out of the search index (its text was a tenth of
    # the index that every page loads).
    return (
        f"<table {search.EXCLUDE_ATTRIBUTE}>"
        f"<thead>{_cells(header, 'th')}</thead>"
        f"<tbody>{body}</tbody></table>\n"
    )


def _row_cells(row: machines.Row, claim: str | None, count: bool) -> list[str]:
    record = row.claim(claim) if claim else None
    verdict = machines.verdict_text(record)
    if count and row.judged:
        verdict += "; all claims: " + _tally(row.judged)
    return [
        row.machine,
        row.os,
        row.python,
        str(row.cores),
        row.start_method or "—",
        machines.figure_text(record),
        verdict,
    ]


def _tally(judged: Iterable[dict[str, Any]]) -> str:
    """'2 hold, 1 not shown, 1 misses': every verdict counted, not shown too
    (the verbs agree with their counts: 1 holds, 2 hold)."""
    states = [c.get("holds") for c in judged]
    held, missed = states.count(True), states.count(False)
    return (
        f"{held} {'holds' if held == 1 else 'hold'}, {states.count(None)} not shown, "
        f"{missed} {'misses' if missed == 1 else 'miss'}"
    )


def _cells(values: Sequence[object], tag: str = "td") -> str:
    inner = "".join(f"<{tag}>{_cell(value)}</{tag}>" for value in values)
    return f"<tr>{inner}</tr>"


def _cell(value: object) -> str:
    return value if isinstance(value, Html) else html.escape(str(value), quote=True)
