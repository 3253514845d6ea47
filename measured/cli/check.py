"""``python -m measured check FILE``: judge a results file again from its raw runs.

The site publishes ``results.json``; this command is what makes it trustworthy. It
never reads a stored verdict or figure to decide: it rebuilds each experiment's
evidence from the runs' raw results (timings round by round, counts, errors),
judges every registered claim again with the same code the build used, and then
compares with what the file says. A figure or verdict edited by hand, a raw sample
edited to contradict a claim, or a claim the file lacks all fail.

Exit status: 0 every claim holds or is honestly not shown; 1 a claim is false,
missing, cannot read its data, or the file's stored verdict disagrees with its own
data; 2 the file is unreadable or not a results file (one line on stderr: too
large, not JSON, NaN, nested too deep, wrong schema, markup in a field a page
shows, or a newer format; see measured/web/validate.py).

``--machine`` reads a reader's file from ``results/machines/`` (written by
``python -m measured submit``): a claim that misses there is a finding about that
machine, shown on the pages, and a claim registered after the file was made has no
verdict in it yet; neither fails. A verdict that disagrees with the file's own raw
runs, or data a claim cannot read, still does.

``--publish`` is the publish workflow's gate: a claim the machine should have shown
but did not, because it was busy or its rounds were too noisy, also fails (the
live site then stays as it was). Not shown by the machine's nature (one core, no
free-threaded build, a version without the feature) still passes.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from measured import claims
from measured.web import results, validate

EXIT_OK, EXIT_FAILED, EXIT_BAD_FILE = 0, 1, 2


@dataclass(frozen=True)
class Line:
    """One claim of one experiment on one interpreter, judged again."""

    experiment: str
    python: str
    claim: str
    kind: str
    verdict: str  # holds | misses | not shown | error | missing | disagrees
    detail: str
    failed: bool


def _python(entry: dict[str, Any]) -> str:
    env = results.first_result(entry)["env"]
    return env["python"] + ("t" if env.get("free_threaded_build") else "")


def _disagreement(stored: dict[str, Any], fresh: dict[str, Any]) -> str:
    """How the file's stored claim differs from the one its data give ("" if not)."""
    for key in ("holds", "statement", "figure"):
        if stored.get(key) != fresh.get(key):
            return (
                f"the file says {key} = {stored.get(key)!r}, "
                f"its raw runs give {fresh.get(key)!r}"
            )
    return ""


def judge_entry(
    entry: dict[str, Any], *, publish: bool, machine: bool = False
) -> list[Line]:
    """Every registered claim of one entry, judged again and compared with the file."""
    experiment, python = entry["experiment"], _python(entry)
    evidence = claims.Evidence.of(entry["runs"])
    fresh = {c["claim"]: c for c in claims.evaluate(experiment, evidence, strict=False)}
    stored = {c["claim"]: c for c in entry["claims"]}
    lines = []
    for name, mine in fresh.items():
        kind = mine.get("kind", claims.MEASURED)
        if "error" in mine:
            lines.append(
                Line(experiment, python, name, kind, "error", mine["error"], True)
            )
            continue
        if name not in stored:
            detail = "the file has no verdict for this registered claim"
            lines.append(
                Line(experiment, python, name, kind, "missing", detail, not machine)
            )
            continue
        if why := _disagreement(stored[name], mine):
            lines.append(Line(experiment, python, name, kind, "disagrees", why, True))
            continue
        verdict = mine["verdict"]
        if verdict == "not shown":
            refused = publish and mine.get("why") in claims.REFUSED_WHEN_PUBLISHING
            detail = f"{mine.get('why') or 'not shown'}: {mine.get('reason', '')}"
            lines.append(Line(experiment, python, name, kind, verdict, detail, refused))
        else:
            lines.append(
                Line(
                    experiment,
                    python,
                    name,
                    kind,
                    verdict,
                    mine.get("how", ""),
                    verdict != "holds" and not machine,
                )
            )
    for name in stored.keys() - fresh.keys():
        detail = "the file has a verdict for a claim this checkout does not register"
        lines.append(
            Line(experiment, python, name, "?", "missing", detail, not machine)
        )
    return lines


def judge_file(
    published: results.Published, *, publish: bool, machine: bool = False
) -> list[Line]:
    lines = []
    for entry in published.entries:
        lines += judge_entry(entry, publish=publish, machine=machine)
    if published.data.get("kind") == "site":
        shown = {entry["experiment"] for entry in published.entries}
        for experiment in sorted(set(claims.experiments()) - shown):
            lines.append(
                Line(
                    experiment,
                    "-",
                    "(every claim)",
                    "-",
                    "missing",
                    "a site build must publish every experiment with claims",
                    True,
                )
            )
    return lines


STYLE = {
    "holds": "green",
    "not shown": "yellow",
    "misses": "red",
    "error": "red",
    "missing": "red",
    "disagrees": "red",
}


def table(console: Console, lines: list[Line], source: str) -> None:
    out = Table(
        title=f"Claims in {source}, judged again from the raw runs",
        box=box.SIMPLE_HEAD,
        expand=False,
    )
    for header in ("experiment", "Python", "claim", "kind", "verdict", "how / why"):
        out.add_column(header, overflow="fold")
    for line in lines:
        style = STYLE.get(line.verdict, "")
        verdict = f"[{style}]{line.verdict}[/]" if style else line.verdict
        if line.failed and line.verdict == "not shown":
            verdict += " [red](refused)[/]"
        out.add_row(
            escape(line.experiment),
            escape(line.python),
            escape(line.claim),
            escape(line.kind),
            verdict,
            escape(line.detail),
        )
    console.print(out)


def summary(lines: list[Line]) -> str:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.verdict] = counts.get(line.verdict, 0) + 1
    failed = sum(line.failed for line in lines)
    parts = [f"{n} {verdict}" for verdict, n in sorted(counts.items())]
    return f"{len(lines)} claims: {', '.join(parts)}; {failed} failed the check"


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "check",
        help="judge a results file again from its raw runs (exit 0, 1 or 2)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("file", help="a results file, e.g. site/results.json")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="also fail on claims not shown because the machine was busy or noisy",
    )
    parser.add_argument(
        "--machine",
        action="store_true",
        help="a reader's file (results/machines/): a claim that misses there, or "
        "one registered after it was made, does not fail",
    )
    return parser


def main(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    try:
        published = validate.load(args.file)  # data, never code: see validate.py
    except results.ResultsError as error:
        print(f"error: {error}", file=sys.stderr)  # one line, no traceback
        return EXIT_BAD_FILE
    lines = judge_file(published, publish=args.publish, machine=args.machine)
    table(console, lines, args.file)
    console.print(summary(lines))
    return EXIT_FAILED if any(line.failed for line in lines) else EXIT_OK
