"""The errata page and the callouts that link guide pages to it, from the ledger.

Pages call these from markdown-exec blocks: :func:`callout` where a page covers a
claim of the original article, :func:`summary` and :func:`table` on the Errata page.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import cache

from measured import claims
from measured.web import article, ledger, render

PAGE = "errata.md"
BADGE_TITLES = {
    "correct": "Correct",
    "misleading": "Misleading",
    "wrong": "Wrong",
    "garbled": "Garbled",
    "editorial": "Editorial",
}
STATE_LABELS = {
    "reproduced": "Reproduced on this machine",
    "not reproducible here": "Not reproducible here",
    "contradicted": "Contradicted on this machine",
    "no experiment": "No experiment",
}
# What the "Measured here" cell says for an editorial defect.
NO_EXPERIMENT = (
    "No experiment: an editorial defect of the text, not a claim about how "
    "Python behaves."
)


@cache
def entries() -> tuple[ledger.Entry, ...]:
    """The ledger's entries; none in a project without a ledger (a scratch site)."""
    path = ledger.ledger_file()
    return tuple(ledger.load(path)) if path.is_file() else ()


def entry(entry_id: str) -> ledger.Entry:
    for item in entries():
        if item.id == entry_id:
            return item
    raise KeyError(f"no errata entry {entry_id!r} in {ledger.ledger_file().name}")


def status(item: ledger.Entry) -> ledger.Status:
    return ledger.evaluate(item, lambda name: render.evidence(render.experiment(name)))


# The collapsed box a page shows at the end of the section that corrects the
# article's claims (issue 15: 53 open quotes buried the pages' answers).
CALLOUT_TITLE = "Common mistakes"


def callout(*entry_ids: str) -> str:
    """A collapsed box: for each entry the correct rule first, then what the
    article said, our verdict and a link to the entry on the Errata page."""
    lines = [f'??? quote measured-mistakes "{CALLOUT_TITLE}"', ""]
    for entry_id in entry_ids:
        item = entry(entry_id)
        lines += [
            f"    - {item.correction}",
            "",
            f"        The original article said *“{item.quote}”*: "
            f"**{BADGE_TITLES[item.verdict].lower()}**. "
            f"[Errata entry]({PAGE}#{item.id})",
            "",
        ]
    return "\n".join(lines)


def counts() -> Counter[str]:
    return Counter(item.verdict for item in entries())


def summary() -> str:
    """One line per verdict, and how many claims this machine could check."""
    by_verdict = counts()
    states = Counter(status(item).state for item in entries())
    parts = [f"{by_verdict[v]} {v}" for v in ledger.VERDICTS]
    lines = [
        f'<p class="errata-counts" data-total="{len(entries())}">'
        f"<strong>{len(entries())} entries</strong>: "
        + ", ".join(
            f'<span data-verdict="{v}" data-count="{by_verdict[v]}">{part}</span>'
            for v, part in zip(ledger.VERDICTS, parts, strict=True)
        )
        + ".</p>",
        f'<p class="errata-states">On the machine that built this page: '
        f"{states['reproduced']} reproduced, "
        f"{states['not reproducible here']} not reproducible here, "
        f"{states['contradicted']} contradicted"
        + (
            f", {states['no experiment']} editorial with nothing to measure"
            if states["no experiment"]
            else ""
        )
        + ".</p>",
    ]
    return "\n".join(lines)


def _figures(item: ledger.Entry, found: ledger.Status) -> str:
    if not item.evidence:
        return f"<p>{NO_EXPERIMENT}</p>"
    parts = []
    for evidence, outcome in zip(item.evidence, found.claims, strict=True):
        text = _inline(outcome.statement)
        if claims.kind_of(evidence.check()) == claims.CHECKED:
            text += " <em>(checked: nothing timed)</em>"
        if outcome.holds is None:
            text += f" <em>{render.NOT_SHOWN}: {html.escape(outcome.reason)}.</em>"
        parts.append(f"<li>{text}</li>")
    return f"<ul>{''.join(parts)}</ul>"


HEADERS = ("Claim", "Section", "Verdict", "Correction", "Measured here")
HEADERS += ("Status", "Covered in")


def _row(item: ledger.Entry) -> str:
    found = status(item)
    reasons = "; ".join(found.reasons)
    state = STATE_LABELS[found.state] + (f": {reasons}" if reasons else "")
    cells = [
        f'<a class="errata-id" href="#{item.id}">¶</a> '
        f"<q>{html.escape(item.quote)}</q>",
        html.escape(item.section),
        f'<span class="errata-badge errata-{item.verdict}">'
        f"{BADGE_TITLES[item.verdict]}</span>",
        _inline(item.correction),
        _figures(item, found),
        html.escape(state),
        f'<a href="{item.page}#{item.anchor}">{html.escape(item.page)}</a>',
    ]
    state_class = f"errata-state errata-state-{found.state.replace(' ', '-')}"
    classes = ["", "", "", "", "", f' class="{state_class}"', ""]
    tds = "".join(
        # data-label names the column when a narrow column shows the row as a card
        f'<td{css} role="cell" data-label="{header}">{cell}</td>'
        for header, css, cell in zip(HEADERS, classes, cells, strict=True)
    )
    return (
        f'<tr id="{item.id}" data-verdict="{item.verdict}" '
        f'data-section="{html.escape(item.section)}" data-state="{found.state}" '
        f'role="row">{tds}</tr>'
    )


def table() -> str:
    """The whole ledger as a table the reader can filter and sort (errata.js).

    On a narrow column measured.css shows each row as a card; the explicit roles
    keep it a table for screen readers whatever its CSS display. The filters stay
    hidden until errata.js runs: without JavaScript every entry is shown.
    """
    sections = sorted({item.section for item in entries()}, key=_section_order)
    verdicts = "".join(
        f'<option value="{v}">{BADGE_TITLES[v]}</option>' for v in ledger.VERDICTS
    )
    section_options = "".join(
        f'<option value="{html.escape(s)}">{html.escape(s)}</option>' for s in sections
    )
    head = "".join(
        f'<th scope="col" role="columnheader">'
        f'<button type="button" data-sort="{i}">{h}</button></th>'
        for i, h in enumerate(HEADERS)
    )
    return (
        '<div class="errata" data-errata>\n'
        '<div class="errata-filters" hidden>'
        '<label>Find <input type="search" data-filter-text '
        'placeholder="words of the claim, its section or correction" '
        'autocomplete="off"></label> '
        '<label>Verdict <select data-filter="verdict">'
        f'<option value="">all</option>{verdicts}</select></label> '
        '<label>Section <select data-filter="section">'
        f'<option value="">all</option>{section_options}</select></label> '
        '<output data-errata-shown aria-live="polite"></output>'
        "</div>\n"
        '<table class="errata-table" role="table">\n'
        f'<thead><tr role="row">{head}</tr></thead>\n<tbody>\n'
        + "\n".join(_row(item) for item in entries())
        + "\n</tbody>\n</table>\n</div>\n"
    )


def _section_order(section: str) -> int:
    """Sections in the order the article has them."""
    order = [item.section for item in entries()]
    return order.index(section)


INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"`(.+?)`"), r"<code>\1</code>"),
]


def _inline(text: str) -> str:
    """The little Markdown claim statements use (bold, italics, code), as HTML."""
    text = html.escape(text)
    for pattern, replacement in INLINE:
        text = pattern.sub(replacement, text)
    return text


# The article's "summarized form" table, row by row: what it said for each side,
# the ledger entries that judge the row, and the registered claims whose measured
# statements replace its cells.
SUMMARY_ROWS: tuple[
    tuple[str, str, tuple[str, ...], tuple[str, str], tuple[str, str]], ...
] = (
    (
        "CPU bound tasks",
        "IO centered tasks",
        ("io-threads-cpu-processes",),
        ("cpu_bound", "processes_scale"),
        ("io_bound", "threads_overlap_sleeps"),
    ),
    (
        "It brings several processes into account.",
        "Threads are its foundation stone.",
        ("table-processes-threads",),
        ("processes_basics", "child_memory_is_separate"),
        ("threads_basics", "threads_share_one_process"),
    ),
    (
        "Doesn’t Support Parallelism",
        "Supports Parallelism",
        ("table-mp-no-parallelism", "table-threads-parallelism"),
        ("cpu_bound", "processes_scale"),
        ("cpu_bound", "threads_do_not_scale_with_gil"),
    ),
    (
        "Processes are heavyweight",
        "Threads are lightweight",
        ("table-heavy-light",),
        ("startup_cost", "spawn_start_costs_more_than_fork"),
        ("startup_cost", "threads_start_much_faster_than_processes"),
    ),
    (
        "They take a large span of time to work.",
        "Threads don’t take much time to process.",
        ("table-processes-slow", "table-threads-fast"),
        ("task_size", "processes_win_on_big_tasks"),
        ("cpu_bound", "threads_do_not_scale_with_gil"),
    ),
    (
        "Sharing is limited.",
        "Sharing in all formats is possible",
        ("table-mp-sharing-limited", "table-threads-share-all"),
        ("sharing_demo", "processes_communicate"),
        ("race_threads", "read_call_write_loses_updates"),
    ),
)


def _measured(experiment: str, name: str) -> str:
    check = ledger.Evidence(experiment, name).check()
    text = render.sentence(render.experiment(experiment), check)
    return text.replace("|", "\\|")


def summary_table() -> str:
    """The article's summary table with each cell replaced by a measured claim."""
    lines = [
        "| The article said (multiprocessing · multithreading) "
        "| Multiprocessing, measured | Multithreading, measured |",
        "|---|---|---|",
    ]
    for said_mp, said_threads, ids, mp, threads in SUMMARY_ROWS:
        verdicts = ", ".join(f"[{entry(i).verdict}]({PAGE}#{i})" for i in ids)
        lines.append(
            f"| *“{said_mp}”* · *“{said_threads}”* ({verdicts}) "
            f"| {_measured(*mp)} | {_measured(*threads)} |"
        )
    return "\n".join(lines) + "\n"


def provenance() -> str:
    """Where the figures above come from: one provenance line per experiment."""
    names = list(dict.fromkeys(ev.experiment for e in entries() for ev in e.evidence))
    lines = [
        f'??? info "Where these figures were measured ({len(names)} experiments)"',
        "",
    ]
    for name in names:
        lines.append(f"    **{name}**")
        lines.append("")
        lines.append("    " + render.provenance(render.experiment(name)).strip())
        lines.append("")
    return "\n".join(lines)


def coverage() -> str:
    """Every sentence of the article, accounted for: how many an entry judges, and
    the ones skipped because they state no fact, each with its reason."""
    path = ledger.ledger_file()
    _, rows = article.index(path) if path.is_file() else ({}, [])
    skipped = [row for row in rows if row.skip]
    lines = [
        f"The article has **{len(rows)}** sentences (a heading, a table cell or a "
        f"code block counts as one). **{len(rows) - len(skipped)}** are judged by "
        f"the entries above; **{len(skipped)}** state no fact and are skipped, each "
        "for the reason below.",
        "",
        f'??? note "The {len(skipped)} sentences skipped, and why"',
        "",
        "    | Line | Opens with | Why it states no fact |",
        "    |--:|---|---|",
    ]
    for row in skipped:
        kind, reason = row.skip.split(":", 1)
        lines.append(f"    | {row.line} | “{row.opens} …” | {kind}: {reason.strip()} |")
    return "\n".join(lines) + "\n"
