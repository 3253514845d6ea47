"""docs/start-here.md, the "which one?" table: five ways to run work side by side.

Every measured cell is a :class:`Measure`: one experiment, the run it reads (this
build's interpreter, the subinterpreter page's, a free-threaded one, the newest
with eager tasks) and a function from that run's evidence to the cell's text. The
page applies it to this build's runs; tests/test_start_here.py applies the same
function to the build's results.json and to a changed copy, so a cell cannot say
anything its results do not. A cell this build cannot fill says so in the one
wording (render.NOT_SHOWN) and, when the publish build measured it, quotes that
figure with its machine and date (measured/web/published.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from measured.claims import Evidence, coordination, executors, modern, part1, registry
from measured.run import runner
from measured.run.shapes.asyncio_debugging import AsyncioEager
from measured.run.shapes.coordination import ManyConnections
from measured.run.shapes.modern import FreeThreading, Subinterpreters
from measured.run.shapes.part1 import CpuBound, StartupCost
from measured.web import across, published, render

COLUMNS = (
    "Start one worker",
    "Cost per task",
    "Memory",
    "CPU speedup here",
    "Main pitfall",
)
# Which run a measure reads (see _run).
BUILD, SUBINTERPRETERS, FREE_THREADED, EAGER = "build", "sub", "free", "eager"


@dataclass(frozen=True)
class Measure:
    """How one cell is read from one experiment's results."""

    experiment: str
    compute: Callable[[Evidence], str | None]  # None: this run cannot show it
    href: str  # the page and section behind the figure
    run: str = BUILD
    why_not: str = "not measured on this build's Python"
    # Read when this one shows nothing (no Python with subinterpreters): the same
    # figure from another experiment, which its text names.
    fallback: Measure | None = None


@dataclass(frozen=True)
class Cell:
    """One cell as the page shows it, and where its text came from."""

    row: str
    column: str
    text: str  # Markdown
    measure: Measure | None = None  # None: prose, not measured
    python: str | None = None  # the interpreter command of the run it read
    value: str | None = None  # compute(evidence) on that run; None: not shown


# --- the measures -------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 0.01 else f"{seconds * 1e3:.1f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-5 else f"{seconds * 1e6:.0f} µs"


def _kib(count: float) -> str:
    return f"{count / 1024:.0f} KiB" if count < 2**20 else f"{count / 2**20:.1f} MiB"


def _source(evidence: Evidence, experiment: str) -> str:
    """Which experiment and interpreter a cell's figure comes from."""
    return f"{experiment}, Python {evidence.env['python']}"


def _start(name: str) -> Callable[[Evidence], str]:
    """startup_cost: start and join one thread; for a process, every start method
    this platform has, its default first."""

    def compute(evidence: Evidence) -> str:
        per = {r["name"]: r for r in part1.startup_table(evidence)}
        where = _source(evidence, "startup_cost")
        if name != "process":
            return f"{_ms(per[name]['per_start'].estimate)} ({where})"
        result = evidence.result_as(StartupCost)
        default = result["default_method"]
        methods = [default, *(m for m in result["methods"] if m != default)]
        figures = ", ".join(
            f"`{m}` {_ms(per[m]['per_start'].estimate)}" for m in methods
        )
        return f"{figures} ({where})"

    return compute


def _futures_task(kind: str) -> Callable[[Evidence], str]:
    def compute(evidence: Evidence) -> str:
        row = next(
            r
            for r in coordination.futures_compare_table(evidence)
            if r["workload"] == "tiny" and r["kind"] == kind
        )
        figure = _us(row["per_task_us"].estimate / 1e6)
        return f"{figure} ({_source(evidence, 'futures_compare')})"

    return compute


def _connection(kind: str) -> Callable[[Evidence], str]:
    def compute(evidence: Evidence) -> str:
        top = evidence.result_as(ManyConnections)["top"]
        row = next(
            r
            for r in coordination.many_connections_table(evidence)
            if r["kind"] == kind and r["connections"] == top
        )
        figure = _kib(row["rss_per_connection"].estimate)
        where = _source(evidence, "many_connections")
        return f"{figure} per connection, {top:,} open ({where})"

    return compute


def _cpu(kind: str) -> Callable[[Evidence], str]:
    def compute(evidence: Evidence) -> str:
        r = evidence.result_as(CpuBound)
        workers = r["headline_workers"]
        gain = evidence.ratio("cpu", "serial", f"{kind} {workers}").estimate
        where = _source(evidence, "cpu_bound")
        return f"{render.ratio(gain)}, {workers} {kind}, {r['cores']} cores ({where})"

    return compute


def _eager_task(evidence: Evidence) -> str | None:
    r = evidence.result_as(AsyncioEager)
    if r["rounds"] is None:  # before 3.12 the experiment times nothing
        return None
    per = evidence.timing("rounds", "default factory").estimate / r["tasks"]
    where = _source(evidence, "asyncio_eager")
    return f"{_us(per)} to create and gather a task ({where})"


def _pool(kind: str, what: str) -> Callable[[Evidence], str | None]:
    """A figure of the three-executor comparison on the subinterpreter page: one
    run gives the threads, processes and interpreters cells of a column, paired."""

    def compute(evidence: Evidence) -> str | None:
        r = evidence.result_as(Subinterpreters)
        if not r["available"]:
            return None
        workers = r["headline_workers"]
        where = _source(evidence, "subinterpreters")
        if what == "memory":
            added = executors.memory(evidence)[kind]
            if added is None:
                return None
            how = (
                f"private pages, `{r['process_start_method']}`"
                if kind == "processes"
                else "growth of the process"
            )
            return f"{_kib(added / workers)} per worker ({how}; {where})"
        if what == "start":  # one thread or interpreter, not a pool
            one = "thread" if kind == "threads" else "interpreter"
            per = modern.per_call_seconds(evidence, "starts", "starts_per_batch", one)
            return f"{_ms(per.estimate)} ({where})"
        row = executors.pools_table(evidence)[kind]
        if what == "tiny":
            return f"{_us(row['tiny'].estimate)} ({where})"
        gain = render.ratio(row["speedup"].estimate)
        if kind == "interpreters":  # the claim that judges it, run by run too
            outcome, per_run = registry.judge(modern.subinterpreters_scale, evidence)
            verdict = {True: "held", False: "missed"}.get(outcome.holds, "undecided")
            held = sum(c.holds is True for c in per_run)
            where += (
                f"; scaling claim {verdict} pooled, in {held} of {len(per_run)} "
                "runs alone"
            )
        return f"{gain}, {workers} {kind}, {r['cores']} cores ({where})"

    return compute


def free_threaded(evidence: Evidence) -> str | None:
    r = evidence.result_as(FreeThreading)
    if not evidence.env["free_threaded_build"] or evidence.env["gil_enabled"]:
        return None
    workers = r["headline_workers"]
    gain = evidence.ratio("cpu", "serial", f"threads {workers}").estimate
    label = f"{evidence.env['python']}t"
    return f"{render.ratio(gain)} with {workers} threads (Python {label})"


SUB_WHY = "needs Python 3.14+ or 3.13 with the backport"
FREE_WHY = "no free-threaded Python in this build"

SI_PAGE = "subinterpreters.md#when-subinterpreters-win-against-threads-and-processes"


def _paired(
    kind: str, what: str, href: str = SI_PAGE, fallback: Measure | None = None
) -> Measure:
    """A cell of the one subinterpreters run (its three rows are paired)."""
    return Measure(
        "subinterpreters", _pool(kind, what), href, SUBINTERPRETERS, SUB_WHY, fallback
    )


START = "startup-cost.md#time-to-start-and-join-one-worker"
FUTURES = "futures.md#one-api-over-threads-and-processes-side-by-side"
CPU = "cpu-bound.md#speedup-against-the-number-of-workers"
CONNECTIONS = "many-connections.md#memory-per-connection"

ROWS: dict[str, dict[str, Measure | str]] = {
    "Threads": {
        COLUMNS[0]: _paired(
            "threads",
            "start",
            "subinterpreters.md#start-cost-and-scaling",
            Measure("startup_cost", _start("thread"), START),
        ),
        COLUMNS[1]: _paired(
            "threads",
            "tiny",
            fallback=Measure("futures_compare", _futures_task("threads"), FUTURES),
        ),
        COLUMNS[2]: _paired("threads", "memory"),
        COLUMNS[3]: _paired(
            "threads", "cpu", fallback=Measure("cpu_bound", _cpu("threads"), CPU)
        ),
        COLUMNS[4]: "Pure-Python work takes turns under the GIL; shared data needs a "
        "lock ([Threads](threads.md)).",
    },
    "Processes": {
        # The subinterpreters run starts no single process: startup_cost's, with
        # every start method, since the default differs by platform and version.
        COLUMNS[0]: Measure("startup_cost", _start("process"), START),
        COLUMNS[1]: _paired(
            "processes",
            "tiny",
            fallback=Measure("futures_compare", _futures_task("processes"), FUTURES),
        ),
        COLUMNS[2]: _paired("processes", "memory"),
        COLUMNS[3]: _paired(
            "processes", "cpu", fallback=Measure("cpu_bound", _cpu("processes"), CPU)
        ),
        COLUMNS[4]: "Every task and result is pickled and piped: tiny tasks and big "
        "arguments eat the gain ([When processes lose](when-processes-lose.md)).",
    },
    "asyncio": {
        COLUMNS[0]: "no worker: one thread runs every task",
        COLUMNS[1]: Measure(
            "asyncio_eager",
            _eager_task,
            "asyncio.md#taskgroup-errors-asynciorunner-and-eager-tasks",
            EAGER,
            "needs Python 3.12+",
        ),
        COLUMNS[2]: Measure("many_connections", _connection("asyncio"), CONNECTIONS),
        COLUMNS[3]: "none: one thread",
        COLUMNS[4]: "One blocking call freezes every task "
        "([asyncio](asyncio.md#a-blocking-call-freezes-every-task)).",
    },
    "Subinterpreters": {
        COLUMNS[0]: _paired(
            "interpreters", "start", "subinterpreters.md#start-cost-and-scaling"
        ),
        COLUMNS[1]: _paired("interpreters", "tiny"),
        COLUMNS[2]: _paired("interpreters", "memory"),
        COLUMNS[3]: _paired("interpreters", "cpu"),
        COLUMNS[4]: "Every extension you import must support them; most objects "
        "are copied between interpreters, not shared "
        "([Subinterpreters](subinterpreters.md#what-interpreters-share)).",
    },
    "Free-threaded threads": {
        COLUMNS[0]: "not measured by any experiment yet",
        COLUMNS[1]: "not measured by any experiment yet",
        COLUMNS[2]: "not measured by any experiment yet",
        COLUMNS[3]: Measure(
            "free_threading",
            free_threaded,
            "free-threading.md#do-threads-scale",
            FREE_THREADED,
            FREE_WHY,
        ),
        COLUMNS[4]: "Every extension you import must support it, or the GIL comes "
        "back; one thread runs slower (Python's free-threading HOWTO; not measured "
        "here) "
        "([Free-threaded Python](free-threading.md#what-turns-the-gil-back-on)).",
    },
}


# --- the cells ----------------------------------------------------------------------


def _run(which: str, experiment: str) -> runner.Run | None:
    """The run a measure reads; None where this build has no such interpreter."""
    if which == SUBINTERPRETERS:
        python, _ = across.subinterpreter_python()
        return render.experiment(experiment, python=python.command if python else None)
    if which == FREE_THREADED:
        runs = across.runs(experiment, where=lambda i: i.free_threaded_build)
        return runs[-1] if runs else None
    if which == EAGER:
        return eager_run()
    return render.experiment(experiment)


def eager_run() -> runner.Run | None:
    """The newest interpreter's asyncio_eager run that timed tasks (3.12+)."""
    runs = [
        run
        for run in across.runs("asyncio_eager")
        if render.result(run, AsyncioEager)["rounds"] is not None
    ]
    return runs[-1] if runs else None


def cell(row: str, column: str, run: runner.Run | None) -> Cell:
    """One cell: the measure on ``run``, linked to its page; or why not shown, with
    the last published figure when there is one."""
    spec = ROWS[row][column]
    if isinstance(spec, str):
        return Cell(row, column, spec)
    return _measured(row, column, spec, run)


def _measured(row: str, column: str, spec: Measure, run: runner.Run | None) -> Cell:
    value = spec.compute(render.evidence(run)) if run is not None else None
    python = run.interpreter.command if run is not None else None
    if value is not None:
        return Cell(row, column, f"[{value}]({spec.href})", spec, python, value)
    if spec.fallback is not None:
        other = spec.fallback
        found = _measured(row, column, other, _run(other.run, other.experiment))
        if found.value is not None:
            return found
    text = f"*{render.NOT_SHOWN}: {spec.why_not}* ([why]({spec.href}))"
    if last := published.figure(spec.experiment, spec.compute):
        text += f"<br>*{last}*"
    return Cell(row, column, text, spec, python, None)


def cells() -> list[Cell]:
    """Every cell, row by row."""
    found: list[Cell] = []
    for row, columns in ROWS.items():
        for column, spec in columns.items():
            run = None
            if isinstance(spec, Measure):
                run = _run(spec.run, spec.experiment)
            found.append(cell(row, column, run))
    return found


NOTE = (
    "Each figure names the experiment and the Python that measured it, and links "
    "to that experiment, with its intervals and how it was measured. Where one run "
    "of `subinterpreters` measured threads, processes and interpreters alike, a "
    "column's three cells come from that run, so they compare; the other cells "
    "come from other experiments, often on another Python, and compare only "
    "roughly. *Start one worker*: a thread started and joined, an interpreter "
    "created and closed, a process started and joined with each start method. "
    "*Cost per task*: a batch of tiny tasks through a started pool, per task "
    "(asyncio: a task that never suspends, created and gathered). *Memory* is "
    "measured three ways and is not like for like: the growth of the process per "
    "thread or interpreter of a started pool; the private pages of each process "
    "worker (pages it shares copy-on-write with its parent after `fork` are not "
    "counted; under `spawn`, the default on macOS and Windows, or `forkserver`, the "
    "Linux default from Python 3.14, each worker starts as a fresh interpreter and "
    "this figure does not describe it); and the growth of a client's resident "
    "memory per open connection (asyncio)."
)


def table() -> str:
    """The "which one?" table, Markdown."""
    by_row: dict[str, list[str]] = {}
    for c in cells():
        by_row.setdefault(c.row, []).append(c.text.replace("|", "\\|"))
    return render.table(
        ["", *COLUMNS],
        "|---|---|---|---|---|---|",
        ([f"**{row}**", *texts] for row, texts in by_row.items()),
        notes=[NOTE],
    )
