"""docs/gil-across-versions.md: threads and processes on every interpreter found."""

from __future__ import annotations

from measured.claims import executors, modern
from measured.run import stats
from measured.run.shapes.modern import GilAcrossVersions
from measured.web import across, charts_matrix, render

EXPERIMENT = "gil_across_versions"
# `show PAGE.missing "what" [LABEL…]`: a line per interpreter this build lacks.
missing = across.missing_for(EXPERIMENT)
# The section of the page that lists every interpreter's verdicts (by page path:
# markdown-exec prefixes a bare "#anchor" in a block's output with the block's id).
VERDICTS = "[Speedup per interpreter](gil-across-versions.md#speedup-per-interpreter)"


def summary() -> str:
    """What the GIL builds showed together: threads took turns on every one.

    Where no GIL build showed it, says so in one line: the verdicts under Speedup
    per interpreter say why, in the one wording every page uses.
    """
    runs = [r for r in across.runs(EXPERIMENT) if r.env["gil_enabled"]]
    held = {
        across.label(r): render.judge(r, modern.matrix_threads_do_not_scale_with_gil)
        for r in runs
    }
    turns = [f"Python {name}" for name, v in held.items() if v.holds]
    others = [f"Python {name}" for name, v in held.items() if not v.holds]
    if not turns:
        return (
            "Whether threads running pure-Python code take turns on a GIL build: "
            f"*{render.NOT_SHOWN}* ({VERDICTS} says why).\n"
        )
    text = (
        "A new CPython version does not make threads parallel: on the GIL builds "
        f"measured here ({', '.join(turns)}), threads running pure-Python code took "
        "turns."
    )
    if others:
        text += f" For {', '.join(others)}, see {VERDICTS}."
    return text + "\n"


def _subinterpreters() -> str:
    """The subinterpreter verdict of this build, as one sentence of a bullet."""
    python, _ = across.subinterpreter_python()
    if python is None:
        return (
            across.needs(across.SUBINTERPRETERS_SINCE, "subinterpreters", inline=True)
            + "."
        )
    run = render.experiment("subinterpreters", python=python.command)
    checks = (
        executors.interpreter_pool_outruns_thread_pool,
        modern.subinterpreters_scale,
    )

    # The verdict that held in every run leads; a marginal one says so visibly.
    parts = []
    for check in render.replicated_first(run, *checks):
        note = render.marginal_note(run, check)
        parts.append(render.sentence(run, check) + (f" {note}" if note else ""))
    return " ".join(parts)


def several_cores() -> str:
    """The ways pure-Python work uses several cores on a GIL build."""
    return (
        f"- **processes**, on every version (see {VERDICTS});\n"
        "- **subinterpreters**, each with its own GIL since Python 3.12 (PEP 684), "
        "usable from Python with `concurrent.interpreters` (3.14) or a backport: "
        f"{_subinterpreters()} See [Subinterpreters](subinterpreters.md);\n"
        "- **C code that releases the GIL** while it works (hashlib, zlib, NumPy): "
        "threads calling it run in parallel, see "
        "[The GIL](gil.md#c-code-that-releases-the-gil);\n"
        "- **the free-threaded build** (`python3.13t`, `python3.14t`), which runs "
        "without the GIL unless something turns it back on (`PYTHON_GIL=1`, or "
        "importing an extension module that does not declare it can run without "
        "the GIL): see [Free-threaded Python](free-threading.md).\n"
    )


def interpreters() -> str:
    """Every interpreter this build found, then every expected one it lacks."""
    return across.interpreter_table()


def setup() -> str:
    """The workload, the pools and the start batches, as the script set them."""
    runs = across.runs(EXPERIMENT)
    r = render.result(runs[0], GilAcrossVersions)
    per_batch = r["starts_per_batch"]
    return (
        f"Here: {r['tasks']} tasks of {r['size']:,} iterations, {r['workers']} "
        f"workers per pool, {r['cpu']['rounds']} timed rounds per run; starts timed "
        f"{per_batch['thread']} threads or {per_batch['process']} processes at a "
        f"time (`{r['start_method']}` on Python {across.label(runs[0])}), "
        f"{r['starts']['rounds']} rounds.\n"
    )


def chart() -> str:
    """Speedup of threads and of processes per interpreter, with error bars."""
    runs = across.runs(EXPERIMENT)
    labels = [across.label(run) for run in runs]
    rows = [modern.gil_across_versions_row(render.evidence(run)) for run in runs]
    kinds = ("threads", "processes")
    series = {kind: [row[f"{kind} speedup"].estimate for row in rows] for kind in kinds}
    spans = {
        kind: [(r[f"{kind} speedup"].low, r[f"{kind} speedup"].high) for r in rows]
        for kind in kinds
    }
    cores = render.result(runs[0], GilAcrossVersions)["cores"]
    alt = "Speedup over serial per interpreter: " + "; ".join(
        f"{name} threads {t:.2f}x, processes {p:.2f}x"
        for name, t, p in zip(
            labels, series["threads"], series["processes"], strict=True
        )
    )
    svg = charts_matrix.grouped_bars(
        labels,
        series,
        ylabel="speedup vs serial (×)",
        alt=alt,
        salt="gil-versions",
        reference=(cores, f"ideal: {cores} cores"),
        spans=spans,
    )
    return render.figure(svg, alt + f". Error bars: {stats.interval_label(True)}.")


def table() -> str:
    """Every interpreter: serial time, both speedups, thread and process starts."""
    interval = stats.interval_label()
    lines = [
        f"| Python | serial loop | threads: speedup [{interval}] "
        f"| processes: speedup [{interval}] | start a thread "
        "| start a process (method) | process ÷ thread |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for run in across.runs(EXPERIMENT):
        row = modern.gil_across_versions_row(render.evidence(run))
        lines.append(
            f"| {across.label(run)} | {row['serial'].estimate:.3f} s "
            f"| {row['threads speedup'].text()} "
            f"| {row['processes speedup'].text()} "
            f"| {row['thread start'].estimate * 1e3:.3f} ms "
            f"| {row['process start'].estimate * 1e3:.2f} ms "
            f"(`{row['start_method']}`) | {row['process over thread'].text()} |"
        )
    return "\n".join(lines) + "\n"


def _said(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def build_options() -> str:
    """How each interpreter was built: the ./configure options that change speed."""
    lines = []
    for run in across.runs(EXPERIMENT):
        options = modern.build_options(render.evidence(run))
        lines.append(
            f"- **Python {across.label(run)}**: "
            + ", ".join(f"`{option}` {_said(on)}" for option, on in options.items())
        )
    return "\n".join(lines) + "\n"
