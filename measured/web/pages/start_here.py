"""docs/start-here.md: the answer, the decision diagram and where each figure
comes from; every figure in them measured. The "which one?" table is in
start_here_table.py."""

from __future__ import annotations

import html
import posixpath

from measured.claims import Claim, for_experiment, modern, part1
from measured.run import provenance, runner, stats
from measured.run.shapes.modern import FreeThreading, Subinterpreters
from measured.run.shapes.part1 import CpuBound, IoBound, StartupCost
from measured.web import across, render
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
        return "not measured in this build:<br>no free-threaded Python found"
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
        check = next(c for c in for_experiment(name) if c.__name__ == claim)
        lines.append(
            f"- **{label}:** {render.sentence(run, check)} [More]({page})"
            f"{render.last_published(run, check)}"
        )
    return "\n".join(lines) + "\n"


# Where a diagram node leads: the page (and section) behind its figure.
NODE_PAGES = {
    "w": "io-bound.md",
    "t": "io-bound.md#wall-time-against-the-number-of-concurrent-tasks",
    "a": "many-connections.md#wall-time",
    "c": "gil.md#c-code-that-releases-the-gil",
    "tc": "gil.md#c-code-that-releases-the-gil",
    "s": "when-processes-lose.md#task-size",
    "b": "when-processes-lose.md#chunksize-batch-the-tiny-tasks",
    "d": "when-processes-lose.md#payload-size",
    "x": "when-processes-lose.md#payload-size",
    "p": "cpu-bound.md#speedup-against-the-number-of-workers",
    "st": "startup-cost.md#time-to-start-and-join-one-worker",
    "ft": "free-threading.md#do-threads-scale",
    "si": "subinterpreters.md#when-subinterpreters-win-against-threads-and-processes",
}


def built_url(target: str) -> str:
    """``page.md#anchor`` as a link from the current page's built URL (directory
    URLs: docs/x.md is served at x/). Mermaid's text is not rewritten by MkDocs."""
    path, _, anchor = target.partition("#")
    here = posixpath.dirname(posixpath.splitext(render.current_page or "")[0] + "/")
    there = posixpath.splitext(path)[0] + "/"
    url = posixpath.relpath(there, here or ".") + "/"
    return url + (f"#{anchor}" if anchor else "")


def clicks() -> list[str]:
    """Mermaid ``click`` lines: each node opens the page behind its figure (links
    work under Material's default securityLevel "strict"; only callbacks do not)."""
    return [
        f'click {node} href "{html.escape(built_url(page))}" "Open {page}"'
        for node, page in NODE_PAGES.items()
    ]


def diagram() -> str:
    """A ladder of yes/no questions (a mermaid flowchart), two columns wide so it
    reads on a phone, each answer quoting the figure that backs it and opening the
    page behind it. The free-threading and subinterpreter branches are solid where
    their claim held on a Python this build had, dotted where it did not show."""
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

    # Quoted labels let mermaid accept parentheses, symbols and <br> line breaks.
    http_ratio = ratio(http["threads_speedup"].estimate)
    hashlib_ratio = ratio(hashlib["speedup"].estimate)
    big_payload = part1.human_bytes(big["payload"])
    big_ratio = ratio(big["speedup"].estimate)
    thread_ms = per["thread"]["per_start"].estimate * 1000
    process_ms = per[default]["per_start"].estimate * 1000
    cross = part1.task_size_crossover(render.evidence(tasks))
    size_hint = (
        f"<br>(here: between {cross['low'] * 1e6:,.0f} and "
        f"{cross['high'] * 1e6:,.0f} µs of work)"
        if cross
        else ""
    )
    lines = [
        "flowchart TD",
        'w{"Do the tasks mostly wait?<br>network, disk, a slow service"}',
        'w -->|"yes"| t["<b>Threads</b>: ThreadPoolExecutor sized to the waits<br>'
        f'{top} HTTP requests: {http_ratio} faster than a loop"]',
        't -.->|"thousands of connections"| a["<b>asyncio</b>: one thread, many '
        'waits<br>(measured on Many connections)"]',
        'w -->|"no: they compute"| c{"Is the work in C code that<br>releases the '
        'GIL?<br>hashlib, zlib, NumPy"}',
        'c -->|"yes"| tc["<b>Threads</b> run it in parallel<br>'
        f'hashlib: {hashlib_ratio} {on_cores}"]',
        'c -->|"no: pure Python"| s{"Is each task much bigger than<br>'
        f'a process round trip?{size_hint}"}}',
        's -->|"no"| b["<b>Batch them</b> with chunksize<br>'
        f"tiny tasks: {ratio(one)} → {ratio(auto.estimate)} of the loop's speed<br>"
        f'(interval {auto.low:.2f}–{auto.high:.2f}×)"]',
        's -->|"yes"| d{"Are the arguments small?"}',
        'd -->|"no"| x["<b>Send less data</b><br>'
        f"{big_payload} per task: {big_ratio} of the loop's speed\"]",
        'd -->|"yes"| p["<b>ProcessPoolExecutor</b>, one worker per core<br>'
        f'{ratio(procs)} {on_cores} (threads: {ratio(threads_py)})"]',
        'p -.->|"short-lived job?"| st["Start-up: thread '
        f"{thread_ms:.2f} ms,<br>process ({default}, the default on "
        f"Python {render.evidence(start).env['python']}) "
        f'{process_ms:.1f} ms"]',
        f'c {_edge(_free_threaded_held())}|"pure Python on a free-threaded build?'
        '<br>3.13t (experimental), 3.14t"| ft["<b>'
        "Threads</b> run Python on every core<br>(slower on one thread)<br>"
        f'{free_threaded_label()}"]',
        f'p {_edge(_subinterpreters_held())}|"need one process, and every extension'
        '<br>supports subinterpreters? Python 3.14+<br>(3.13 + backport)"| si["<b>'
        "InterpreterPoolExecutor</b>: one interpreter per core<br>"
        f'{subinterpreters_label()}"]',
        *clicks(),
    ]
    return render.code("\n    ".join(lines), "mermaid")


def _edge(held: bool) -> str:
    """A solid arrow for a branch whose claim held here, else a dotted one."""
    return "-->" if held else "-.->"


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
