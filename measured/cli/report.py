"""The reproduce command's answer: your figures beside the published ones.

:func:`compare` turns runs into rows (one per registered claim), :func:`table` prints
them for a terminal and :func:`write_json` stores them with the runs themselves, in
the results-file format, so a saved file can be compared against later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from measured import claims
from measured.run.interpreter import Interpreter
from measured.web import results

if TYPE_CHECKING:
    from measured.cli.reproduce import Interrupted, Outcome


@dataclass(frozen=True)
class Row:
    """One conclusion of one experiment on one interpreter."""

    experiment: str
    claim: str | None  # None: the experiment has no registered claim, or failed
    python: str  # your interpreter, e.g. "CPython 3.12.1"
    published_figure: float | None
    published_machine: str | None
    published_holds: bool | None
    figure: float | None
    machine: str | None
    holds: bool | None
    # holds | does not hold | not shown | no claim | run failed | claim failed
    verdict: str
    reason: str
    ratio: float | None  # your figure / the published one
    statement: str
    how: str  # runs, rounds and intervals behind your verdict
    seconds: float | None
    cached: bool | None


def machine_label(env: dict[str, Any]) -> str:
    """Short, for a table cell: Python and cores (the CPU and OS are in the header)."""
    python = env["python"]
    if env["implementation"] != "CPython":
        python = f"{env['implementation']} {python}"
    if env.get("free_threaded_build"):
        python += "t" + (" GIL on" if env.get("gil_enabled") else "")
    return f"{python} · {env['cores']} cores"


def machine_description(env: dict[str, Any]) -> str:
    python = f"{env['implementation']} {env['python']}"
    if env.get("free_threaded_build"):
        python += " free-threaded, GIL " + ("on" if env.get("gil_enabled") else "off")
    return f"{python} · {env['cpu']} · {env['cores']} usable cores · {env['os']}"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def published_run(
    published: results.Published, experiment: str, interpreter: Interpreter
) -> dict[str, Any] | None:
    """The published run to compare with: same Python and build if there is one."""
    runs = [r for r in published.entries if r["experiment"] == experiment]

    def build(env: dict[str, Any]) -> tuple[Any, ...]:
        return (env["implementation"], env["free_threaded_build"], env["gil_enabled"])

    mine_build = (
        interpreter.implementation,
        interpreter.free_threaded_build,
        interpreter.gil_enabled,
    )
    for same in (
        lambda env: (
            build(env) == mine_build
            and _minor(env["python"]) == _minor(interpreter.version)
        ),
        lambda env: build(env) == mine_build,
    ):
        for run in runs:
            if same(results.first_result(run)["env"]):
                return run
    return runs[0] if runs else None


def _verdict(holds: bool | None) -> str:
    return {True: "holds", False: "does not hold", None: "not shown"}[holds]


def compare(outcomes: list[Outcome], published: results.Published | None) -> list[Row]:
    rows: list[Row] = []
    for outcome in outcomes:
        pub = (
            published_run(published, outcome.experiment, outcome.interpreter)
            if published
            else None
        )
        pub_claims = {c["claim"]: c for c in pub["claims"]} if pub else {}
        base = {
            "experiment": outcome.experiment,
            "python": f"{outcome.interpreter.implementation} "
            f"{outcome.interpreter.version}",
            "published_machine": (
                machine_label(results.first_result(pub)["env"]) if pub else None
            ),
        }
        if outcome.run is None:
            for name in pub_claims or [None]:
                claim = pub_claims.get(name, {}) if name else {}
                rows.append(
                    Row(
                        **base,
                        claim=name,
                        published_figure=claim.get("figure"),
                        published_holds=claim.get("holds"),
                        figure=None,
                        machine=None,
                        holds=None,
                        verdict="run failed",
                        reason=outcome.error or "",
                        ratio=None,
                        statement="",
                        how="",
                        seconds=None,
                        cached=None,
                    )
                )
            continue
        run = outcome.run
        judged = claims.evaluate(
            outcome.experiment, results.evidence(run), strict=False
        )
        for claim in judged or [None]:
            mine = claim or {}
            theirs = pub_claims.get(mine.get("claim"), {})
            figure, pub_figure = mine.get("figure"), theirs.get("figure")
            ratio = (
                figure / pub_figure
                if isinstance(figure, int | float)
                and isinstance(pub_figure, int | float)
                and pub_figure
                else None
            )
            rows.append(
                Row(
                    **base,
                    claim=mine.get("claim"),
                    published_figure=pub_figure,
                    published_holds=theirs.get("holds"),
                    figure=figure,
                    machine=machine_label(run.env),
                    holds=mine.get("holds"),
                    verdict=(
                        "no claim"
                        if claim is None
                        else "claim failed"
                        if "error" in mine
                        else _verdict(mine.get("holds"))
                    ),
                    reason=mine.get("error") or mine.get("reason", ""),
                    ratio=ratio,
                    statement=mine.get("statement", ""),
                    how=mine.get("how", ""),
                    seconds=run.seconds,
                    cached=run.cached,
                )
            )
    return rows


def number(value: float | None) -> str:
    if value is None:
        return "—"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1 or size == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _cell(value: float | None, machine: str | None, missing: str, label: bool) -> str:
    """The figure, and under it the machine when the column has more than one."""
    if machine is None:
        return f"—\n[dim]{missing}[/]" if label else "—"
    return f"{number(value)}\n[dim]{escape(machine)}[/]" if label else number(value)


def _verdict_cell(row: Row) -> str:
    reason = f": {escape(row.reason)}" if row.reason else ""
    how = f"\n[dim]{escape(row.how)}[/]" if row.how else ""
    return {
        "holds": f"[green]✓ holds[/]{how}",
        "does not hold": f"[red]✗ does not hold[/]{how}",
        "not shown": f"[yellow]– not shown here[/]{reason}",
        "no claim": "[dim]no conclusion registered[/]",
        "run failed": f"[red]✗ run failed[/]{reason}",
        "claim failed": f"[red]✗ the claim could not read your result[/]{reason}",
    }[row.verdict]


def table(
    console: Console,
    rows: list[Row],
    outcomes: list[Outcome],
    published: results.Published | None,
    source: str,
) -> None:
    """The header (sources and machines), the table, and a one-line summary.

    Machines are named in the header; a cell names its machine too when its column
    mixes several (several --python, or a file with runs from several machines).
    """

    def say(text: str) -> None:
        console.print(text, highlight=False)

    if published is None:
        say(f"Published: not compared ({escape(source)})")
    else:
        say(f"Published: {escape(source)}, generated {escape(published.generated)}")
        for machine in sorted(
            {
                machine_description(results.first_result(run)["env"])
                for o in outcomes
                if (run := published_run(published, o.experiment, o.interpreter))
            }
        ):
            say(f"  {escape(machine)}")
    say("Yours:")
    for machine in sorted({machine_description(o.run.env) for o in outcomes if o.run}):
        say(f"  {escape(machine)}")
    say("")
    if not rows:
        say("No experiment finished.")
        return
    label_published = len({r.published_machine for r in rows}) > 1
    label_yours = len({r.machine for r in rows if r.machine}) > 1

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    grid.add_column("experiment", overflow="fold")
    grid.add_column("conclusion")
    if published is not None:
        grid.add_column("published", justify="right", no_wrap=True)
    grid.add_column("yours", justify="right", no_wrap=True)
    if published is not None:
        grid.add_column("ratio", justify="right", no_wrap=True)
    grid.add_column("on your machine")
    previous = None
    for row in rows:
        name = row.experiment if row.experiment != previous else ""
        previous = row.experiment
        cells = [name, (row.claim or "—").replace("_", " ")]
        if published is not None:
            cells.append(
                _cell(
                    row.published_figure,
                    row.published_machine,
                    "not published",
                    label_published,
                )
            )
        cells.append(_cell(row.figure, row.machine, "no result", label_yours))
        if published is not None:
            cells.append(f"{row.ratio:.2f}×" if row.ratio is not None else "—")
        cells.append(_verdict_cell(row))
        grid.add_row(*cells)
    console.print(grid)
    say("")
    say(summary(rows, compared=published is not None))


def summary(rows: list[Row], *, compared: bool = True) -> str:
    judged = [r for r in rows if r.verdict in ("holds", "does not hold")]
    held = sum(r.verdict == "holds" for r in judged)
    parts = [
        f"{held} of {len(judged)} conclusions hold on your machine"
        if judged
        else "No conclusion was judged"
    ]
    if unshown := sum(r.verdict == "not shown" for r in rows):
        parts.append(f"{unshown} cannot be shown here")
    if failed := len({r.experiment for r in rows if r.verdict == "run failed"}):
        parts.append(f"{failed} experiment{'s' if failed > 1 else ''} failed")
    if broken := sum(r.verdict == "claim failed" for r in rows):
        parts.append(f"{broken} claim{'s' if broken > 1 else ''} could not be judged")
    if cached := len({(r.experiment, r.python) for r in rows if r.cached}):
        parts.append(f"{cached} run{'s' if cached > 1 else ''} from the build cache")
    ratio = " Ratio: your figure ÷ the published one." if compared else ""
    return "; ".join(parts) + "." + ratio


def write_json(
    path: Path,
    rows: list[Row],
    outcomes: list[Outcome],
    source: str,
    interrupted: Interrupted | None,
) -> None:
    data = results.document(
        [o.run for o in outcomes if o.run is not None],
        kind="reproduce",
        against=source,
        interrupted=(
            None
            if interrupted is None
            else {
                "experiment": interrupted.experiment,
                "python": interrupted.interpreter.version,
                "seconds": interrupted.seconds,
            }
        ),
        failed=[
            {
                "experiment": o.experiment,
                "python": o.interpreter.version,
                "error": o.error,
            }
            for o in outcomes
            if o.error
        ],
        rows=[asdict(row) for row in rows],
    )
    results.write(path, data)
