"""docs/start-here.md: the answer, the decision diagram and where each figure
comes from; every figure in them measured. The "which one?" table is in
start_here_table.py."""

from __future__ import annotations

import html

from measured.claims import Claim, coordination, modern, named, part1
from measured.run import provenance, runner, stats
from measured.run.shapes.coordination import ManyConnections
from measured.run.shapes.modern import FreeThreading, Subinterpreters
from measured.run.shapes.part1 import CpuBound, IoBound, StartupCost
from measured.web import across, published, render
from measured.web.pages import start_here_table

# The experiments the page quotes on this build's Python, in the order their
# provenance lines appear (then the subinterpreter, eager-task and free-threaded
# runs, which are on other interpreters).
SOURCES = (
    "cpu_bound",
    "gil_release",
    "io_bound",
    "task_size",
    "payload_size",
    "startup_cost",
    "futures_compare",
    "many_connections",
)


def _free_threaded_run() -> runner.Run | None:
    """The newest free-threaded interpreter's run of free_threading, if any."""
    runs = across.runs("free_threading", where=lambda i: i.free_threaded_build)
    return runs[-1] if runs else None


def _subinterpreter_run() -> runner.Run:
    """The subinterpreter page's run (this build's interpreter if none has the API:
    the script then says why it measured nothing)."""
    python, _ = across.subinterpreter_python()
    return render.experiment(
        "subinterpreters", python=python.command if python else None
    )


def _runs() -> dict[str, runner.Run]:
    """Every run the diagram quotes, by experiment, in provenance order."""
    runs = {name: render.experiment(name) for name in SOURCES}
    runs["subinterpreters"] = _subinterpreter_run()
    if (eager := start_here_table.eager_run()) is not None:
        runs["asyncio_eager"] = eager
    if (free := _free_threaded_run()) is not None:
        runs["free_threading"] = free
    return runs


def free_threaded_label() -> str:
    """The free-threading answer: threads' speedup on a free-threaded build, or
    that this build has none."""
    run = _free_threaded_run()
    if run is None:
        last = published.figure("free_threading", start_here_table.free_threaded)
        return "not measured in this build:<br>no free-threaded Python found" + (
            f"<br><em>{last}</em>" if last else ""
        )
    r = render.result(run, FreeThreading)
    workers = r["headline_workers"]
    gain = render.evidence(run).ratio("cpu", "serial", f"threads {workers}")
    gil = " (GIL on!)" if run.env["gil_enabled"] else ""
    outcome = render.judge(run, modern.free_threaded_threads_scale)
    return (
        f"Python {across.label(run)}{gil}: "
        f"{figure(gain, outcome)} with {workers} threads"
    )


def figure(gain: stats.Interval, outcome: Claim) -> str:
    """A speedup as its claim's verdict allows: the estimate where the claim
    held; else the interval, and why it is no answer."""
    if outcome.holds:
        return ratio(gain.estimate)
    span = f"{gain.low:.2f}–{gain.high:.2f}×"
    if outcome.holds is False:
        return f"{span}: claim missed"
    return f"{span}: undecided ({outcome.why or 'not shown'})"


def subinterpreters_label() -> str:
    """The subinterpreter answer: the interpreter pool against the thread pool on
    the same work, or why this build did not measure it."""
    run = _subinterpreter_run()
    r = render.result(run, Subinterpreters)
    if not r["available"]:
        return "not measured in this build:<br>needs Python 3.14+ or 3.13 + backport"
    evidence = render.evidence(run)
    pool = evidence.ratio("cpu", "serial", "interpreters")
    outcome = render.judge(run, modern.subinterpreters_scale)
    cores = r["cores"]
    where = "" if r["source"] == "concurrent" else " with the backport"
    others = ""
    if outcome.holds:
        # The other pools from the same run, for scale.
        threads = evidence.ratio("cpu", "serial", "threads").estimate
        processes = evidence.ratio("cpu", "serial", "processes").estimate
        others = (
            f"<br>(same run: threads {ratio(threads)}, processes {ratio(processes)})"
        )
    return (
        f"{figure(pool, outcome)} on {cores} core{'s' if cores != 1 else ''}"
        f"{others}<br>Python {run.env['python']}{where}"
    )


def ratio(value: float) -> str:
    """A speedup for the diagram: two decimals below ten, whole numbers from ten up."""
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


# The three measured bullets under the answer: (label, experiment, claim, page).
ANSWER = (
    ("Waiting", "io_bound", "threads_overlap_http_requests", "io-bound.md"),
    ("Python computation", "cpu_bound", "processes_scale", "cpu-bound.md"),
    (
        "Tasks too small to send",
        "task_size",
        "processes_lose_on_tiny_tasks",
        "when-processes-lose.md#task-size",
    ),
)


def answer() -> str:
    """At most three measured bullets, one per part of the answer sentence: the
    claim's statement (or why this machine did not show it), linked to its page."""
    lines = []
    for label, name, claim, page in ANSWER:
        run = render.experiment(name)
        check = named(name, claim)
        lines.append(
            f"- **{label}:** {render.sentence(run, check)} [More]({page})"
            f"{render.last_published(run, check)}"
        )
    return "\n".join(lines) + "\n"


# Where each answer of the diagram leads: the page (and section) behind its figure.
NODE_PAGES = {
    "t": "io-bound.md#wall-time-against-the-number-of-concurrent-tasks",
    "a": "many-connections.md#memory-per-connection",
    "tc": "gil.md#c-code-that-releases-the-gil",
    "b": "when-processes-lose.md#chunksize-batch-the-tiny-tasks",
    "x": "when-processes-lose.md#payload-size",
    "p": "cpu-bound.md#speedup-against-the-number-of-workers",
    "st": "startup-cost.md#time-to-start-and-join-one-worker",
    "ft": "free-threading.md#do-threads-scale",
    "si": "subinterpreters.md#when-subinterpreters-win-against-threads-and-processes",
}


def _step(
    question: str, answers: list[tuple[str, str, str, bool]], otherwise: str = ""
) -> str:
    """One question of the ladder and its answers: (node, choice, figure, held).

    ``held`` False draws the answer dashed: a branch whose claim this build could
    not show. Each answer is a link to the page behind its figure.
    """
    items = "".join(
        f'<li class="measured-{"held" if held else "unshown"}" id="node-{node}">'
        f'<a href="{NODE_PAGES[node]}"><strong>{choice}</strong> {figure}</a></li>\n'
        for node, choice, figure, held in answers
    )
    more = f'<p class="measured-otherwise">{otherwise}</p>\n' if otherwise else ""
    return (
        f'<li><p class="measured-question">{question}</p>\n'
        f'<ul class="measured-answers">\n{items}</ul>\n{more}</li>\n'
    )


def diagram() -> str:
    """The decision diagram, drawn at build time as HTML: a ladder of yes/no
    questions, each answer a link that quotes the figure behind it and opens its
    page. Plain text, so it reads at any width (a mermaid flowchart of it was 1,355
    px wide: 4 px text on a phone). The asyncio, free-threading and subinterpreter
    answers are solid where their claim held on a Python this build had, dashed
    where not; the others are drawn solid whatever their figure."""
    cpu = render.experiment("cpu_bound")
    release = render.experiment("gil_release")
    io = render.experiment("io_bound")
    tasks = render.experiment("task_size")
    payload = render.experiment("payload_size")
    start = render.experiment("startup_cost")

    cores = render.evidence(cpu).result_as(CpuBound)["cores"]
    on_cores = f"on {cores} core{'s' if cores != 1 else ''}"
    cpu_table = {
        (r["kind"], r["workers"]): r
        for r in part1.cpu_bound_table(render.evidence(cpu))
    }
    procs = cpu_table[("processes", cores)]["speedup"].estimate
    threads_py = cpu_table[("threads", cores)]["speedup"].estimate
    hashlib = next(
        r
        for r in part1.gil_release_table(render.evidence(release))
        if r["kind"] == "hashlib"
    )
    top = render.evidence(io).result_as(IoBound)["headline"]
    http = next(
        r
        for r in part1.io_bound_table(render.evidence(io))
        if r["work"] == "http" and r["n"] == top
    )
    tiny = part1.task_size_table(render.evidence(tasks))[0]
    one = tiny["modes"]["executor, chunksize=1"]["speedup"].estimate
    # Not judged against the loop: quoted with its interval.
    auto = tiny["modes"]["executor, chunksize=auto"]["speedup"]
    big = part1.payload_table(render.evidence(payload))[-1]
    per = {r["name"]: r for r in part1.startup_table(render.evidence(start))}
    # What a program gets without choosing a start method.
    default = render.evidence(start).result_as(StartupCost)["default_method"]

    http_ratio = ratio(http["threads_speedup"].estimate)
    hashlib_ratio = ratio(hashlib["speedup"].estimate)
    big_payload = part1.human_bytes(big["payload"])
    big_ratio = ratio(big["speedup"].estimate)
    thread_ms = per["thread"]["per_start"].estimate * 1000
    process_ms = per[default]["per_start"].estimate * 1000
    cross = part1.task_size_crossover(render.evidence(tasks))
    size_hint = (
        " (here a pool sent one task per message broke even with the loop for "
        f"tasks of between {cross['low'] * 1e6:,.0f} and "
        f"{cross['high'] * 1e6:,.0f} µs of work)"
        if cross
        else ""
    )
    process_line = (
        f"a thread {thread_ms:.2f} ms, a process {process_ms:.1f} ms with "
        f"{default}{START_METHODS.get(default, '')}"
        + "".join(
            f", {per[m]['per_start'].estimate * 1000:.1f} ms with "
            f"{m}{START_METHODS.get(m, '')}"
            for m in render.evidence(start).result_as(StartupCost)["methods"]
            if m != default
        )
        + f" (Python {render.evidence(start).env['python']})."
    )
    connections, connections_held = _connections()
    steps = [
        _step(
            "Do the tasks mostly wait? (network, disk, a slow service)",
            [
                (
                    "t",
                    "Yes: threads,",
                    "a ThreadPoolExecutor sized to the waits. "
                    f"{top} HTTP requests: {http_ratio} faster than a loop.",
                    True,
                ),
                (
                    "a",
                    "Thousands of connections: asyncio,",
                    f"one thread, many waits. {connections}",
                    connections_held,
                ),
            ],
            "No, they compute: next question.",
        ),
        _step(
            "Is the work in C code that releases the GIL? (hashlib, zlib, NumPy)",
            [
                (
                    "tc",
                    "Yes: threads",
                    f"run it in parallel. hashlib: {hashlib_ratio} {on_cores}.",
                    True,
                ),
                (
                    "ft",
                    "Pure Python on a free-threaded build? (3.13t, experimental; "
                    "3.14t) Threads",
                    "run Python on every core (one thread runs slower, the "
                    "free-threading HOWTO says; not measured here). "
                    f"{free_threaded_label()}",
                    _free_threaded_held(),
                ),
            ],
            "No, pure Python on a standard build: next question.",
        ),
        _step(
            f"Is each task much bigger than a process round trip?{size_hint}",
            [
                (
                    "b",
                    "No: batch them",
                    f"with chunksize. Tiny tasks: {ratio(one)} → "
                    f"{ratio(auto.estimate)} of the loop's speed "
                    f"(interval {auto.low:.2f}–{auto.high:.2f}×).",
                    True,
                ),
            ],
            "Yes: next question.",
        ),
        _step(
            "Are the arguments small?",
            [
                (
                    "x",
                    "No: send less data.",
                    f"{big_payload} per task: {big_ratio} of the loop's speed.",
                    True,
                ),
                (
                    "p",
                    "Yes: ProcessPoolExecutor,",
                    f"one worker per core. {ratio(procs)} {on_cores} "
                    f"(threads: {ratio(threads_py)}).",
                    True,
                ),
                ("st", "A short-lived job? Count the start-up:", process_line, True),
                (
                    "si",
                    "Need one process, and every extension supports "
                    "subinterpreters? (Python 3.14+, or 3.13 with the backport) "
                    "InterpreterPoolExecutor,",
                    f"one interpreter per core. {subinterpreters_label()}",
                    _subinterpreters_held(),
                ),
            ],
        ),
    ]
    return f'<ol class="measured-ladder">\n{"".join(steps)}</ol>\n'


# Where each start method is the default (multiprocessing docs): fork on Linux
# up to 3.13, spawn on macOS (3.8+) and Windows, forkserver on Linux from 3.14.
START_METHODS = {
    "fork": " (the Linux default up to 3.13)",
    "spawn": " (the default on macOS and Windows)",
    "forkserver": " (the Linux default from 3.14)",
}


def _connections() -> tuple[str, bool]:
    """The asyncio answer: memory per connection, threads' over asyncio's, at the
    most connections many_connections opened; and whether its claim held."""
    run = render.experiment("many_connections")
    evidence = render.evidence(run)
    top = evidence.result_as(ManyConnections)["top"]
    gain = coordination.memory_ratio(evidence, top)
    outcome = render.judge(run, coordination.asyncio_uses_less_memory_per_connection)
    return (
        f"{top:,} open connections: a thread each took {figure(gain, outcome)} "
        "the memory per connection of asyncio.",
        bool(outcome.holds),
    )


def _free_threaded_held() -> bool:
    run = _free_threaded_run()
    return run is not None and bool(
        render.judge(run, modern.free_threaded_threads_scale).holds
    )


def _subinterpreters_held() -> bool:
    run = _subinterpreter_run()
    if not render.result(run, Subinterpreters)["available"]:
        return False
    return bool(render.judge(run, modern.subinterpreters_scale).holds)


def sources() -> str:
    """One provenance line per experiment the page quotes, each named, inside one
    collapsed block: on every figure, but not in the reader's way."""
    lines = "\n".join(
        f'<p class="measured-provenance"><code>{name}</code> · '
        f"{html.escape(provenance.line(run))}</p>"
        for name, run in _runs().items()
    )
    return (
        '<details class="measured-sources">\n<summary>How and where each figure on '
        f"this page was measured ({len(_runs())} experiments)</summary>\n"
        f"{lines}\n</details>\n"
    )
