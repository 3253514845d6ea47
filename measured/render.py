"""Markdown for pages: what a markdown-exec block prints.

A page calls :func:`experiment` to get a run (fresh or cached), then prints the
pieces it wants: :func:`output`, :func:`provenance`, :func:`figure`.
"""

from __future__ import annotations

from . import provenance as _provenance
from . import runner

# Set by the MkDocs hook before each page renders; names the page in errors.
current_page: str | None = None
# Failures seen while rendering; the hook turns them into a failed build.
failures: list[runner.ExperimentFailed] = []


def experiment(
    name: str, *, python: str | None = None, timeout: float | None = None
) -> runner.Run:
    """Run (or fetch from the cache) ``snippets/<name>.py`` for the current page."""
    try:
        return runner.run(name, python=python, timeout=timeout, page=current_page)
    except runner.ExperimentFailed as failure:
        failures.append(failure)
        raise


def output(run: runner.Run) -> str:
    """The script's real stdout, as a text block."""
    text = run.stdout.rstrip() or "(the script printed nothing)"
    fence = "````" if "```" in text else "```"
    return f"{fence}text\n{text}\n{fence}\n"


def provenance(run: runner.Run) -> str:
    return f'<p class="measured-provenance" markdown>{_provenance.line(run)}</p>\n'


def figure(svg: str, caption: str) -> str:
    """An inline SVG chart with a visible caption (the alt text lives in the SVG)."""
    return (
        f'<figure class="measured-figure">\n{svg}\n'
        f"<figcaption>{caption}</figcaption>\n</figure>\n"
    )


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
