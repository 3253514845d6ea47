"""Page helpers for the interpreter matrix: run across it, say what is missing.

A page block calls :func:`runs` to get one run per interpreter (each cached per
interpreter), :func:`interpreter_table` for what this build found,
:func:`not_measured` for the labels it could not measure, with install commands,
and :func:`needs` for a piece whose feature no measured interpreter has: the one
sentence "needs Python 3.14+, not measured here" with the command that measures it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from measured import claims
from measured.run import backport, matrix, runner
from measured.run.interpreter import Interpreter
from measured.web import render

NATIVE = "concurrent.interpreters"
SUBINTERPRETERS_SINCE = "3.14"  # concurrent.interpreters (PEP 734)
FREE_THREADED = "free-threaded"  # `show PAGE.missing "what" free-threaded`


def runs(
    name: str, *, where: Callable[[Interpreter], bool] | None = None
) -> list[runner.Run]:
    """``snippets/<name>.py`` on every matrix interpreter ``where`` accepts."""
    return [
        render.experiment(name, python=interpreter.command)
        for interpreter in matrix.current().interpreters(where)
    ]


def free_threaded_and_twins(interpreter: Interpreter) -> bool:
    """Free-threaded builds, the GIL builds of the same versions, and this build."""
    found = matrix.current()
    free = found.interpreters(lambda i: i.free_threaded_build)
    minors = {i.label.rstrip("t") for i in free}
    this_build = found.found[0].interpreter.label
    return (
        interpreter.free_threaded_build
        or interpreter.label in minors
        or interpreter.label == this_build
    )


def label(run: runner.Run) -> str:
    env = run.env
    return f"{env['python']}{'t' if env['free_threaded_build'] else ''}"


def subinterpreter_python() -> tuple[Interpreter | None, str]:
    """The interpreter for the subinterpreter page, and how it got the API.

    3.14+ (GIL build first: own-GIL interpreters are the point there), else a 3.13
    venv with the locked backport, else None with the reason.
    """
    found = matrix.current()
    native = found.interpreters(lambda i: i.subinterpreters == NATIVE)
    if native:
        # GIL build before free-threaded, then the newest version.
        newest = sorted(native, key=matrix.sort_key, reverse=True)
        best = sorted(newest, key=lambda i: i.free_threaded_build)
        return best[0], "`concurrent.interpreters` (standard library)"
    reasons = []
    for base in found.interpreters(lambda i: i.label in backport.VERSIONS):
        try:
            return backport.with_backport(base), f"the `{backport.PACKAGE}` backport"
        except backport.BackportUnavailable as error:
            reasons.append(f"{base.label}: {error}")
    if not reasons:
        reasons.append("this build has neither Python 3.14+ nor 3.13")
    return None, "; ".join(reasons)


def interpreter_table() -> str:
    """Markdown: every interpreter found, then every expected one that is missing."""
    found = matrix.current()
    lines = [
        "| Python | build | GIL at start | default start method "
        "| subinterpreters | found via |",
        "|---|---|---|---|---|---|",
    ]
    for interpreter in found.interpreters():
        source = next(f.source for f in found.found if f.interpreter is interpreter)
        build = "free-threaded" if interpreter.free_threaded_build else "GIL"
        lines.append(
            f"| {interpreter.version} | {build} "
            f"| {'on' if interpreter.gil_enabled else 'off'} "
            f"| `{interpreter.start_method}` "
            f"| {_subinterpreters(interpreter)} | {source} |"
        )
    for missing in sorted(found.missing, key=lambda m: matrix.label_sort_key(m.label)):
        lines.append(
            f"| {missing.label} | **not measured in this build** "
            f"| | | | install: {missing.how_to_install} |"
        )
    text = "\n".join(lines) + "\n"
    if found.failed:
        text += "\nCommands that were configured or found but do not run:\n\n"
        text += "".join(
            f"- `{f.command}` (from {f.source}): {f.error}\n" for f in found.failed
        )
    return text


def _subinterpreters(interpreter: Interpreter) -> str:
    """How this build runs subinterpreters on ``interpreter``, if it does.

    Not "no": the C API has had subinterpreters for long, each with its own GIL
    since 3.12, and the backport also supports 3.12 (with a second package this
    build does not install). This build measures them with the 3.14 module or
    with the backport on 3.13 only.
    """
    if interpreter.subinterpreters == NATIVE:
        return "`concurrent.interpreters`"
    if interpreter.label in backport.VERSIONS:
        return f"with the `{backport.PACKAGE}` backport"
    return "not measured here"


def expected(*labels: str) -> list[str]:
    """The labels a page names: every expected one when ``labels`` is empty, the
    expected free-threaded ones for ``free-threaded``, else ``labels`` as given."""
    found = matrix.current()
    if not labels:
        return found.expected
    chosen: list[str] = []
    for name in labels:
        if name == FREE_THREADED:
            chosen += [label for label in found.expected if label.endswith("t")]
        else:
            chosen.append(name)
    return chosen


def measure_command(experiment: str, *labels: str) -> str:
    """The shell command that measures ``experiment`` on ``labels``: install the
    interpreters, then run it the way provenance lines say (reproduce)."""
    pythons = " ".join(f"python{label}" for label in labels)
    return (
        f"uv python install {' '.join(labels)} && python -m measured reproduce "
        f"--only {experiment} --python {pythons}"
    )


def needs(since: str, experiment: str, *labels: str, inline: bool = False) -> str:
    """The one wording for a piece that needs a feature no measured interpreter has:
    "needs Python 3.14+, not measured here", with the command that measures it on
    ``labels`` (default: ``since``). Never a figure, never an error."""
    command = measure_command(experiment, *(labels or (since,)))
    if inline:  # inside a sentence of the page
        return f"needs Python {since}+, not measured here (measure it: `{command}`)"
    return f"*Needs Python {since}+, not measured here.* Measure it with `{command}`.\n"


def not_measured(labels: Iterable[str], what: str, experiment: str = "") -> str:
    """A plain sentence per expected label this build lacks, with install commands
    (and, given ``experiment``, the command that measures it there)."""
    missing = {m.label: m for m in matrix.current().missing}
    return "".join(
        f"- **Python {label}: not measured in this build** ({what}). Install it with "
        f"{missing[label].how_to_install}"
        + (
            f"; then measure it with `python -m measured reproduce --only "
            f"{experiment} --python python{label}`"
            if experiment
            else ""
        )
        + ".\n"
        for label in labels
        if label in missing
    )


def missing(what: str, *labels: str) -> str:
    """:func:`not_measured` as a page shows it: ``show PAGE.missing "what" LABEL…``
    (the pages that compare interpreters export this function). No label means
    every expected one; ``free-threaded`` means the expected ``t`` builds."""
    return not_measured(expected(*labels), what)


def missing_for(experiment: str) -> Callable[..., str]:
    """:func:`missing` for a page of one experiment: each line also says how to
    measure it on the missing interpreter."""

    def missing_here(what: str, *labels: str) -> str:
        return not_measured(expected(*labels), what, experiment)

    missing_here.__doc__ = missing.__doc__
    return missing_here


def what_it_says(check: claims.Check, fallback: str) -> str:
    """The claim a check makes, in one paragraph: its docstring's first, else
    ``fallback`` (the statement it printed)."""
    doc = (check.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split()) or fallback


def claim_lines(runs_: Iterable[runner.Run], *checks: claims.Check) -> str:
    """A bullet per claim and interpreter that could show it, with how it was
    reached; a claim no interpreter of this build can show by its nature gets
    one line saying what it claims, why it was not shown, and where."""
    runs_ = list(runs_)
    lines = []
    for check in checks:
        by_nature: dict[str, list[str]] = {}
        statement = ""
        shown = 0
        for run in runs_:
            outcome = render.judge(run, check)
            if outcome.holds is None and outcome.why == claims.SHAPE:
                by_nature.setdefault(outcome.reason, []).append(label(run))
                statement = statement or outcome.statement
                continue
            shown += 1
            lines.append(render.verdict_line(run, check))
        if not shown:
            says = what_it_says(check, statement)
            for reason, labels in by_nature.items():
                where = ", ".join(f"Python {name}" for name in labels)
                lines.append(
                    f"- *{render.NOT_SHOWN} ({where}):* “{says}” Why not: {reason}."
                    + render.last_published(runs_[0], check)
                )
    return "\n".join(lines) + "\n"


def outputs(runs_: Iterable[runner.Run]) -> str:
    """Each run's real output and provenance, under the interpreter's name."""
    return "".join(
        f"**Python {label(run)}**\n\n{render.output(run)}\n{render.provenance(run)}\n"
        for run in runs_
    )


def fenced(text: str, language: str = "text") -> str:
    """``text`` in a code fence long enough not to be closed by what it contains."""
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall("`+", text)), default=0))
    return f"{fence}{language}\n{text.rstrip()}\n{fence}\n"
