"""Markdown for pages: what a markdown-exec block prints.

A page calls :func:`experiment` to get a run (fresh or cached), then prints the
pieces it wants: :func:`output`, :func:`provenance`, :func:`figure`.
"""

from __future__ import annotations

import html
import posixpath
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TypeVar

from measured import claims
from measured.run import provenance as _provenance
from measured.run import runner
from measured.web import published

# Set by the MkDocs hook before each page renders; names the page in errors.
current_page: str | None = None
# The page that documents `python -m measured reproduce`; the hook sets this only
# when the site has it, so provenance lines never link to a missing page.
REPRODUCE_PAGE = "reproduce.md"
reproduce_page: str | None = None
# Failures seen while rendering; the hook turns them into a failed build.
failures: list[runner.ExperimentFailed] = []

T = TypeVar("T")


def experiment(
    name: str, *, python: str | None = None, timeout: float | None = None
) -> runner.Run:
    """Run (or fetch from the cache) ``snippets/<name>.py`` for the current page."""
    try:
        return runner.run(name, python=python, timeout=timeout, page=current_page)
    except runner.ExperimentFailed as failure:
        failures.append(failure)
        raise


def evidence(run: runner.Run) -> claims.Evidence:
    """Every run the runner made of this experiment, pooled for the claims."""
    return claims.Evidence.of(run.records())


def result(run: runner.Run, shape: type[T]) -> T:
    """A run's first result, as its declared shape (measured.run.shapes)."""
    return evidence(run).result_as(shape)


def judge(run: runner.Run, check: claims.Check) -> claims.Claim:
    """One claim's verdict on every run of ``run``."""
    return check(evidence(run))


def how(run: runner.Run, check: claims.Check) -> str:
    """How a claim's verdict was reached: runs, rounds, intervals."""
    outcome, per_run = claims.judge(check, evidence(run))
    return claims.how(outcome, per_run)


# The one wording, on every page, for a claim this machine could not show.
NOT_SHOWN = "Not shown on this machine"


def verdict_line(run: runner.Run, check: claims.Check) -> str:
    """A Markdown bullet: the statement, then how it was reached or why not shown."""
    outcome, per_run = claims.judge(check, evidence(run))
    if outcome.holds is None:
        line = not_shown_text(outcome, check, per_run)
        return f"- {line}{last_published(run, check)}"
    checked = claims.kind_of(check) == claims.CHECKED
    label = "checked" if checked else "measured"
    # How it was reached stays beside every verdict, set small (measured.css).
    how = claims.how(outcome, per_run)
    return f'- {outcome.statement} <span class="measured-how">*({label}: {how})*</span>'


def sentence(run: runner.Run, check: claims.Check) -> str:
    """A claim's statement inside prose; with the reason when it was not shown."""
    outcome = claims.judge(check, evidence(run))[0]
    if outcome.holds is not None:
        return outcome.statement
    return not_shown_text(outcome, check)


def label(run: runner.Run) -> str:
    """The interpreter as the matrix names it: "3.13", "3.14t"."""
    version = ".".join(str(run.env["python"]).split(".")[:2])
    return version + ("t" if run.env["free_threaded_build"] else "")


def last_published(run: runner.Run, check: claims.Check) -> str:
    """For a claim not shown here: the publish build's decided statement, with
    its machine and date, on a line of its own; "" when it has none, or when this
    build showed the claim (its own verdict is then the page's figure)."""
    if claims.judge(check, evidence(run))[0].holds is not None:
        return ""
    line = published.claim_line(run.name, check.__name__, label(run))
    return f"\n  <br>*{line}*" if line else ""


def not_shown_text(
    outcome: claims.Claim,
    check: claims.Check,
    per_run: Sequence[claims.Claim] = (),
) -> str:
    """A claim not shown here, with the reason. A statement written for a verdict
    (``outcome.asserts``: the claim gave no neutral ``undecided`` wording) is never
    printed, since it would assert what was not shown, its figure in bold: the line
    quotes the claim instead, then gives the figures, margins and runs."""
    if not outcome.asserts:  # neutral wording; its figure is no verdict: no bold
        neutral = outcome.statement.replace("**", "")
        return f"{neutral} *{NOT_SHOWN}: {outcome.reason}.*"
    held = f" ({claims.tally(per_run)})" if per_run else ""
    said = _first_sentence(check.__doc__ or "")
    quoted = f"Not decided here: “{said}” " if said else ""
    return f"{quoted}*{NOT_SHOWN}: {outcome.reason}{held}.*"


def _first_sentence(doc: str) -> str:
    text = " ".join(doc.split()).replace("``", "`")
    found = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return found.group(1) if found else text


def verdicts(run: runner.Run, *checks: claims.Check) -> str:
    """Bullets for several claims of one experiment."""
    return "\n".join(verdict_line(run, check) for check in checks) + "\n"


def output(run: runner.Run) -> str:
    """The script's real stdout, as a text block; labelled as the first run's
    when the runner made several (the page's tables and claims pool them all)."""
    text = run.stdout.rstrip() or "(the script printed nothing)"
    fence = "````" if "```" in text else "```"
    block = f"{fence}text\n{text}\n{fence}\n"
    runs = len(run.executions)
    if runs > 1:
        label = (
            f"The output of run 1 of {runs}. The tables and claims on this page pool "
            "the rounds of every run.\n\n"
        )
        return label + block
    return block


def reproduce_command(run: runner.Run) -> str:
    """The command that re-runs ``run`` on a reader's machine."""
    command = f"python -m measured reproduce --only {run.name}"
    if run.interpreter.command != sys.executable:  # the page chose an interpreter
        version = ".".join(run.interpreter.version.split(".")[:2])
        suffix = "t" if run.interpreter.free_threaded_build else ""
        command += f" --python python{version}{suffix}"
    return command


def provenance(run: runner.Run) -> str:
    """Where and how ``run`` was measured, as one collapsed line: the summary names
    the machine in a few words; the full line and the reproduce command open on a
    click (issue 15: provenance paragraphs buried each page's answer)."""
    # Plain HTML, not Markdown: a block printed with html="1" would show Markdown
    # link syntax as it is. The hook points the .md link at the built page.
    line = html.escape(_provenance.line(run))
    if reproduce_page:
        base = posixpath.dirname(current_page or "") or "."
        link = posixpath.relpath(reproduce_page, base)
        command = html.escape(reproduce_command(run))
        line += f' · <a href="{link}">Run this yourself</a>: <code>{command}</code>'
    summary = html.escape(_provenance.summary(run))
    # Kept out of the search index by measured/web/search.py, which marks every
    # element whose class names measured-provenance (this box included).
    return (
        '<details class="measured-provenance-box">'
        f"<summary>{summary}</summary>"
        f'<p class="measured-provenance">{line}</p></details>\n'
    )


def figure(svg: str, caption: str) -> str:
    """An inline SVG chart under a one-sentence caption.

    ``caption`` is the chart's description with its figures, which the SVG carries
    whole as its accessible name and <title> (a tooltip on hover); the visible
    caption is its first sentence without the list of figures.
    """
    return (
        f'<figure class="measured-figure">\n{svg}\n'
        f"<figcaption>{short_caption(caption)}</figcaption>\n</figure>\n"
    )


def short_caption(description: str) -> str:
    """The first sentence of ``description``, cut before a colon that introduces
    figures ("Speedup against workers: processes reach 2.15x" -> "Speedup against
    workers.")."""
    first = re.split(r"(?<=\.) ", description.strip(), maxsplit=1)[0]
    head, colon, tail = first.partition(": ")
    if colon and re.search(r"\d", tail):
        first = head
    return first if first.endswith(".") else first.rstrip(" .") + "."


def table(
    header: Sequence[str],
    align: str,
    rows: Iterable[Sequence[object]],
    notes: Sequence[str] = (),
) -> str:
    """A Markdown table: the ``header`` cells, ``align`` as its separator row (e.g.
    ``"|---|--:|"``), a line per row of cells, then each note as a paragraph."""

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(cell) for cell in cells) + " |"

    lines = [line(header), align, *(line(row) for row in rows)]
    for note in notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def ratio(value: float) -> str:
    """A speedup as readers expect it: two decimals and a multiplication sign."""
    return f"{value:.2f}×"


def code(text: str, language: str = "text") -> str:
    """A fenced code block around ``text`` (a captured message, a script).

    Pages build it here rather than typing backticks inside a Python string: the
    fence is longer than any run of backticks in the text, so it cannot end early.
    """
    longest = max(
        (len(run) for run in text.split("\n") if set(run) == {"`"}), default=0
    )
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}\n"


def runs_held(run: runner.Run, check: claims.Check) -> tuple[int, int]:
    """(runs in which the claim held alone, runs the verdict rests on): a run
    left out because the machine was busy is not counted against it."""
    per_run = claims.judge(check, evidence(run))[1]
    rests_on = len(per_run) - claims.busy_runs(per_run)
    return sum(c.holds is True for c in per_run), rests_on


def marginal_note(run: runner.Run, check: claims.Check) -> str:
    """A visible note for a claim whose pooled verdict holds though some runs
    alone did not; "" when every run held, or the claim does not hold. The small
    "held in k of n" beside a verdict is easy to miss; a marginal result is not."""
    if judge(run, check).holds is not True:
        return ""
    held, runs = runs_held(run, check)
    if held == runs:
        return ""
    return (
        f"**Marginal: held in only {held} of the {runs} runs it rests on.** The "
        f"rounds of those runs pooled pass the claim's margin; {runs - held} of "
        "them alone did not."
    )


def replicated_first(run: runner.Run, *checks: claims.Check) -> list[claims.Check]:
    """``checks`` with those that held in every run first, the page's order
    otherwise (the sort is stable)."""

    def key(check: claims.Check) -> bool:
        held, runs = runs_held(run, check)
        return not (judge(run, check).holds is True and held == runs)

    return sorted(checks, key=key)


def verdicts_replicated_first(run: runner.Run, *checks: claims.Check) -> str:
    """Bullets for several claims, those that held in every run first; a marginal
    one carries its note on a line of its own."""
    lines = []
    for check in replicated_first(run, *checks):
        note = marginal_note(run, check)
        lines.append(verdict_line(run, check) + (f"\n  <br>{note}" if note else ""))
    return "\n".join(lines) + "\n"
