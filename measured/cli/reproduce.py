"""``python -m measured reproduce``: re-run the experiments here, compare with the site.

Every experiment in ``snippets/`` (or a chosen subset) runs through the same runner as
the site build: a fresh interpreter in its own process group, with the script's
timeout. Runs are fresh by default and are not stored, so reproducing never changes
what the next build shows; ``--cached`` reuses (and fills) the build cache instead.
Each run's registered claims are judged on the reader's result and set beside the
published figures read from a results file (see :mod:`measured.results`).

Exit status: 0 all ran, 1 an experiment failed, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from measured.cli import report
from measured.run import cache, measure, project, runner
from measured.run.interpreter import Interpreter, InterpreterError, probe
from measured.web import results

NO_COMPARISON = "none"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

DESCRIPTION = """\
Re-run the guide's experiments on this machine and compare each
conclusion's headline figure with the published one. Every run is fresh
(a new interpreter in its own process group, with the experiment's
timeout) unless --cached is given.
"""

EPILOG = """\
comparison source (--against), when not given:
  site/results.json if you built the site here (make build), else the
  published site's results.json (site_url in mkdocs.yml).
  --against none only runs the experiments.

start method (--start-method):
  every process an experiment starts without naming a context (a
  ProcessPoolExecutor, a Pool, a Process) uses it; experiments that
  compare start methods keep their own, and CPython always spawns the
  workers of ProcessPoolExecutor(max_tasks_per_child=n) given no context.
  Without the flag, $MEASURED_START_METHOD is used if set (the site
  build reads it too).
  It is part of the cache key and recorded in each result's env.

exit status: 0 every experiment ran, 1 an experiment (or a claim)
  failed, 2 bad input (unknown id or page, unreadable results file,
  interpreter that does not start), 130 interrupted (finished results
  are still printed).

examples:
  python -m measured reproduce
  python -m measured reproduce --only cpu_bound --python python3.13
  python -m measured reproduce --page cpu-bound --json mine.json
  python -m measured reproduce --against mine.json
  python -m measured reproduce --start-method spawn --against none
"""


class BadInput(Exception):
    """Input the command cannot use; printed as one line, exit status 2."""


class _Discard(cache.Store):
    """A store that remembers nothing: reproduce runs leave the build cache alone."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"))

    def load(self, name: str, key_: str) -> dict[str, Any] | None:
        return None

    def save(self, name: str, key_: str, record: dict[str, Any]) -> None:
        return None


@dataclass
class Outcome:
    """One experiment on one interpreter: a run, or why there is none."""

    experiment: str
    interpreter: Interpreter
    run: runner.Run | None = None
    error: str | None = None


@dataclass(frozen=True)
class Interrupted:
    experiment: str
    interpreter: Interpreter
    seconds: float


def add_parser(commands: Any, width: int | None = None) -> argparse.ArgumentParser:
    """The ``reproduce`` subcommand; ``width`` fixes the help's width (for the docs)."""
    parser = commands.add_parser(
        "reproduce",
        help="re-run experiments here and compare with the published figures",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=functools.partial(
            argparse.RawDescriptionHelpFormatter, width=width
        ),
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="run only these experiments (file names in snippets/, e.g. cpu_bound)",
    )
    parser.add_argument(
        "--page",
        nargs="+",
        action="extend",
        default=[],
        metavar="PAGE",
        help="run the experiments a page showed (e.g. cpu-bound); read from the "
        "comparison source; combines with --only",
    )
    parser.add_argument(
        "--python",
        nargs="+",
        action="extend",
        default=[],
        metavar="CMD",
        help="interpreter(s) to run on, e.g. python3.12 python3.13 "
        "(default: the one running this command)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the comparison and your runs to FILE (a results file "
        "that --against can read later)",
    )
    parser.add_argument(
        "--against",
        metavar="FILE_OR_URL",
        help="results file to compare with (path or URL), or 'none' to only run",
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="reuse results the site build (or an earlier --cached run) stored "
        "on this machine for unchanged inputs; new runs are stored too",
    )
    parser.add_argument(
        "--start-method",
        choices=measure.START_METHODS,
        help="start every experiment's processes with this method "
        f"(default: ${measure.START_METHOD_ENV}, else each Python's own)",
    )
    return parser


# -- choosing what to run -------------------------------------------------------


def discover() -> list[str]:
    """Experiment ids: the scripts in snippets/ (names starting with _ are helpers)."""
    folder = project.snippets_dir()
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def _experiment_id(text: str) -> str:
    path = Path(text)
    return path.stem if path.suffix == ".py" else text


def _page_key(text: str) -> str:
    """'cpu-bound', 'cpu-bound.md', 'docs/cpu-bound.md', '/guide/cpu-bound/' -> key."""
    text = text.strip()
    if results.is_url(text):
        text = urlparse(text).path
    text = text.strip("/").removeprefix("docs/")
    for suffix in (".md", ".html"):
        text = text.removesuffix(suffix)
    if text == "index" or text.endswith("/index"):
        text = text.removesuffix("index").rstrip("/")
    return text


def pages_to_experiments(pages: list[str], published: results.Published) -> list[str]:
    known = {_page_key(page): names for page, names in published.pages().items()}
    chosen: list[str] = []
    for page in pages:
        key = _page_key(page)
        names = known.get(key)
        if names is None and key:  # a URL path with the site's own prefix
            names = next((v for k, v in known.items() if key.endswith("/" + k)), None)
        if names is None:
            listing = ", ".join(sorted(p or "index" for p in known)) or "none"
            raise BadInput(
                f"no page {page!r} in {published.source} (pages there: {listing})"
            )
        chosen += [name for name in names if name not in chosen]
    return chosen


def check_ids(names: list[str]) -> list[str]:
    """Experiment ids (or script paths) -> ids, each one in snippets/."""
    available = discover()
    if not available:
        raise BadInput(f"no experiment in {project.snippets_dir()}")
    chosen: list[str] = []
    for name in map(_experiment_id, names):
        if name not in available:
            known = ", ".join(available)
            raise BadInput(f"unknown experiment {name!r} (known: {known})")
        if name not in chosen:
            chosen.append(name)
    return chosen


def choose(
    only: list[str], pages: list[str], published: results.Published | None
) -> list[str]:
    """What to run: --only and --page together, or every experiment."""
    if not only and not pages:
        return check_ids(discover())
    if pages and published is None:
        raise BadInput("--page needs a results file to know what a page ran")
    wanted = list(only)
    if pages and published is not None:
        wanted += pages_to_experiments(pages, published)
    return check_ids(wanted)


# -- what to compare with ---------------------------------------------------------


def site_url() -> str | None:
    """``site_url`` of mkdocs.yml, with its !ENV default resolved."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    try:
        with (project.root() / "mkdocs.yml").open("rb") as config:
            url = yaml_load(config, get_yaml_loader()).get("site_url")
    except Exception:  # no or unreadable config: there is no published site to ask
        return None
    return str(url) if url else None


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def comparison(against: str | None) -> tuple[results.Published | None, str]:
    """The results file to compare with, and how to describe it."""
    if against == NO_COMPARISON:
        return None, "--against none"
    if against:
        return results.load(against), against
    local = project.root() / "site" / results.FILENAME
    if local.is_file():
        shown = _shown(local)
        return results.load(str(local)), f"{shown} (your last local build)"
    url = site_url()
    if not url:
        raise BadInput(
            "no results file to compare with: build the site (make build), "
            "or pass --against FILE_OR_URL, or --against none"
        )
    source = url.rstrip("/") + "/" + results.FILENAME
    return results.load(source), f"{source} (the published site)"


# -- running ------------------------------------------------------------------------


class _CurrentElapsed(ProgressColumn):
    """Seconds the running experiment has taken so far."""

    def render(self, task: Task) -> Text:
        started = task.fields.get("started")
        if started is None:
            return Text("")
        return Text(f"{time.monotonic() - started:5.1f} s", style="progress.elapsed")


def interpreter_label(interpreter: Interpreter) -> str:
    suffix = "t" if interpreter.free_threaded_build else ""
    return f"{interpreter.implementation} {interpreter.version}{suffix}"


def start_method(flag: str | None) -> str | None:
    """The start method to impose: the flag's, else $MEASURED_START_METHOD's."""
    try:
        if flag is not None:
            return measure.check_start_method(flag)
        return measure.requested_start_method()
    except ValueError as error:
        raise BadInput(str(error)) from None


def run_all(
    plan: list[tuple[str, Interpreter]],
    *,
    cached: bool,
    err: Console,
    method: str | None = None,
) -> tuple[list[Outcome], Interrupted | None]:
    """Run the plan in order; stop at Ctrl-C and return what finished."""
    store = cache.Store() if cached else _Discard()
    fresh = None if cached else True  # None: $MEASURED_FRESH still forces a re-run
    several = len({interp.executable for _, interp in plan}) > 1
    outcomes: list[Outcome] = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        _CurrentElapsed(),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("total"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # logs and pipes get the ✓ lines only
    )
    task = progress.add_task("starting", total=len(plan), started=None)
    current: tuple[str, Interpreter, float] | None = None
    try:
        with progress:
            for name, interp in plan:
                label = f"{name} on {interpreter_label(interp)}" if several else name
                current = (name, interp, time.monotonic())
                progress.update(task, description=label, started=current[2])
                try:
                    run = runner.run(
                        name,
                        python=interp.command,
                        fresh=fresh,
                        store=store,
                        start_method=method,
                    )
                except runner.ExperimentFailed as failure:
                    outcomes.append(Outcome(name, interp, error=failure.reason))
                    current = None
                    progress.console.print(f"[red]✗[/] {escape(label)}")
                    progress.console.print(str(failure), markup=False)
                else:
                    outcomes.append(Outcome(name, interp, run=run))
                    current = None
                    how = "from the cache" if run.cached else f"{run.seconds:.1f} s"
                    progress.console.print(f"[green]✓[/] {escape(label)}  {how}")
                progress.advance(task)
    except KeyboardInterrupt:
        if current is None:
            return outcomes, None
        name, interp, started = current
        return outcomes, Interrupted(name, interp, time.monotonic() - started)
    return outcomes, None


# -- the command --------------------------------------------------------------------


def _interpreters(commands: list[str]) -> list[Interpreter]:
    found: dict[str, Interpreter] = {}
    for command in commands or [None]:
        interp = probe(command)
        found.setdefault(interp.executable, interp)  # the same Python named twice
    return list(found.values())


def main(args: argparse.Namespace) -> int:
    out, err = Console(), Console(stderr=True, highlight=False)
    try:
        if args.json is not None and not args.json.parent.is_dir():
            raise BadInput(f"cannot write {args.json}: no folder {args.json.parent}")
        check_ids(args.only)  # a typo fails before any slow step
        method = start_method(args.start_method)
        interpreters = _interpreters(args.python)
        published, source = comparison(args.against)
        names = choose(args.only, args.page, published)
    except (BadInput, InterpreterError, results.ResultsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    plan = [(name, interp) for name in names for interp in interpreters]
    runner.reset()  # a new session: nothing reused from an earlier one in-process
    outcomes, interrupted = run_all(plan, cached=args.cached, err=err, method=method)
    if interrupted is not None:
        print(
            f"interrupted: stopped {interrupted.experiment} after "
            f"{interrupted.seconds:.1f} s and killed its process group; "
            f"{len(outcomes)} of {len(plan)} runs finished",
            file=sys.stderr,
        )
    rows = report.compare(outcomes, published)
    report.table(out, rows, outcomes, published, source)
    if args.json is not None:
        report.write_json(args.json, rows, outcomes, source, interrupted)
        print(f"wrote {args.json}", file=sys.stderr)
    if interrupted is not None:
        return EXIT_INTERRUPTED
    failed = any(row.verdict in ("run failed", "claim failed") for row in rows)
    return EXIT_FAILED if failed else EXIT_OK
