"""docs/other-machines.md: every submitted machine's results side by side.

docs/other-machines.md names the headline claims, a ``claim_table`` each. Rows
come from measured/web/machines.py (files read through validation, claims
judged again from their raw runs). The charts compute their figures from the raw
runs with the claims' own helpers; an entry whose result cannot be read that way
is left out of a chart (a reader's file is data, not a promise of shape). With
fewer points than a chart needs, a sentence says so instead of an empty chart.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measured import claims
from measured.claims import part1
from measured.run.shapes.part1 import CpuBound
from measured.web import charts, charts_matrix, elsewhere, machines, render

# A chart is drawn from at least this many rows (machine and Python pairs).
MIN_ROWS = 2
UNREADABLE = (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError)


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def machine_table() -> str:
    """One row per submitted file: the machine as the file describes it."""
    files = machines.load()
    if not files:
        return elsewhere.none_yet()
    header = (
        "file",
        "machine",
        "what the runs were",
        "OS",
        "cores",
        "logical CPUs",
        "memory",
        "Pythons",
    )
    rows = []
    for published in files:
        env = (
            published.entries[0]["runs"][0]["result"]["env"]
            if published.entries
            else {}
        )
        box = published.data.get("machine") or {}
        memory = box.get("memory_gib")
        pythons = box.get("pythons") or sorted(
            {
                machines.python_label(e["runs"][0]["result"]["env"])
                for e in published.entries
            }
        )
        rows.append(
            (
                _file_cell(published.source),
                box.get("cpu") or env.get("cpu", "—"),
                box.get("note") or "—",
                box.get("os") or env.get("os", "—"),
                box.get("cores") or env.get("cores", "—"),
                box.get("logical_cpus") or env.get("logical_cpus") or "—",
                f"{memory} GiB" if isinstance(memory, int | float) else "—",
                ", ".join(str(p) for p in pythons),
            )
        )
    return elsewhere.html_table(header, rows) + "\n" + _provenance(files)


def _provenance(files: tuple[Any, ...]) -> str:
    """Where the rows come from: the files read in this build, and when made."""
    made = sorted(str(f.data.get("generated", "")) for f in files if f.data)
    when = made[0] if made[0] == made[-1] else f"{made[0]} to {made[-1]}"
    folder = machines.FOLDER.as_posix()
    text = (
        f"Read in this build from {len(files)} results files ({folder}/ and the "
        f"folders in {machines.ENV}), made {when}; every figure and verdict "
        "judged again here from each file's raw runs."
    )
    return f'<p class="measured-provenance">{_escape(text)}</p>\n'


def _file_cell(source: str) -> str:
    """The file's name; a link to it when it is one of the repository's own files.
    The link also gives a keyboard user a stop inside the table, which scrolls
    sideways where the page is narrower than the table (axe:
    scrollable-region-focusable)."""
    path = Path(source.replace("\\", "/"))
    if not path.parent.as_posix().endswith(machines.FOLDER.as_posix()):
        return path.name
    base = elsewhere.contributing.split("/blob/")[0]
    href = f"{base}/blob/main/{machines.FOLDER.as_posix()}/{path.name}"
    return elsewhere.Html(f'<a href="{_escape(href)}">{_escape(path.name)}</a>')


def claim_table(experiment: str, name: str) -> str:
    """Every machine's figure and verdict for one claim (the page names it)."""
    claims.named(experiment, name)  # a renamed claim fails the build
    if not machines.load():
        return "*No results yet: the first section says how to add yours.*\n"
    rows = machines.of(experiment)
    if not rows:
        return f"No submitted file has `{experiment}` yet.\n"
    return elsewhere.table(rows, name, count=False)


def _values(
    experiment: str, read: Callable[[machines.Row], Any]
) -> list[tuple[machines.Row, Any]]:
    """``read(row)`` for every row of ``experiment`` it can read."""
    found = []
    for row in machines.of(experiment):
        try:
            found.append((row, read(row)))
        except UNREADABLE:
            continue
    return found


def _too_little(what: str, have: int, need: int = MIN_ROWS) -> str:
    got = "no machine has" if have == 0 else f"only {have} has"
    return (
        f"*Too little data for this chart yet: it needs {what} from at least "
        f"{need} machines or Pythons, and {got} submitted them.*\n"
    )


def _cpu_speedup(row: machines.Row, kind: str) -> float:
    """The headline pool of ``kind`` against the serial loop, from raw rounds."""
    workers = row.evidence.result_as(CpuBound)["headline_workers"]
    return float(row.evidence.ratio("cpu", "serial", f"{kind} {workers}").estimate)


def _os_family(os_name: str) -> str:
    first = os_name.split()[0] if os_name.split() else "unknown"
    return {"Darwin": "macOS"}.get(first, first)


def speedup_chart() -> str:
    """Process speedup against usable cores, a line per OS, and the ideal."""
    points = _values("cpu_bound", lambda row: _cpu_speedup(row, "processes"))
    if len(points) < MIN_ROWS:
        return _too_little("the CPU-bound experiment's process speedup", len(points))
    series: dict[str, list[tuple[float, float]]] = {}
    for row, value in points:
        series.setdefault(_os_family(row.os), []).append((row.cores, value))
    runs = list(series)  # each point its own file and Python: never joined
    cores = sorted({row.cores for row, _ in points})
    series["ideal: speedup = cores"] = [(c, c) for c in cores]
    alt = (
        "Process pool speedup against usable cores, one point per results file and "
        "Python: "
        + "; ".join(
            f"{row.machine} ({_os_family(row.os)}, {row.python}) "
            f"{row.cores} core{'' if row.cores == 1 else 's'} {value:.2f}×"
            for row, value in points
        )
        + "."
    )
    svg = charts.line_chart(
        series,
        xlabel="usable cores",
        ylabel="process speedup vs serial (×)",
        alt=alt,
        salt="other-machines-speedup",
        xticks=cores,
        points_only=runs,
    )
    return render.figure(svg, "Process pool speedup against usable cores.")


def _build(row: machines.Row) -> str:
    version = row.python.split(" · ")[0].split()[-1]
    minor = ".".join(version.split(".")[:2])
    return f"{minor}t free-threaded" if row.free_threaded else f"{minor} GIL"


def builds_chart() -> str:
    """Threads against processes, median speedup over machines, per Python build."""
    # Only runs whose speedup claims were judged: a run on one core, or on a busy
    # machine, says nothing about a Python build.
    points = [
        (row, pair)
        for row, pair in _values(
            "cpu_bound",
            lambda row: (_cpu_speedup(row, "threads"), _cpu_speedup(row, "processes")),
        )
        if (row.claim("processes_scale") or {}).get("holds") is not None
    ]
    if len(points) < MIN_ROWS:
        return _too_little("the CPU-bound experiment's speedups", len(points))
    by_build: dict[str, list[tuple[float, float]]] = {}
    for row, pair in points:
        by_build.setdefault(_build(row), []).append(pair)
    builds = sorted(by_build)
    threads = [statistics.median(t for t, _ in by_build[b]) for b in builds]
    processes = [statistics.median(p for _, p in by_build[b]) for b in builds]
    alt = (
        "Median speedup over the serial loop per Python build, threads and processes, "
        "over the runs (results file and Python) whose speedup claims were judged: "
        + "; ".join(
            f"{b} ({_n_runs(len(by_build[b]))}) threads {t:.2f}×, processes {p:.2f}×"
            for b, t, p in zip(builds, threads, processes, strict=True)
        )
        + "."
    )
    svg = charts_matrix.grouped_bars(
        builds,
        {"threads": threads, "processes": processes},
        ylabel="speedup vs serial (×), median over runs",
        alt=alt,
        salt="other-machines-builds",
        reference=(1.0, "serial"),
    )
    figure = render.figure(svg, "Threads and processes per Python build.")
    if not any(row.free_threaded for row, _ in points):
        figure += (
            "\nNo submitted run comes from a free-threaded build yet: the chart "
            "shows GIL builds only.\n"
        )
    return figure


def _n_runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"


def _starts(row: machines.Row) -> dict[str, float]:
    """Milliseconds per start: a thread and each start method the run timed."""
    table = part1.startup_table(row.evidence)
    wanted = {"thread", *row.evidence.result["methods"]}
    return {
        r["name"]: r["per_start"].estimate * 1000 for r in table if r["name"] in wanted
    }


def startup_chart() -> str:
    """Milliseconds per start, per OS and start method (median over runs)."""
    points = _values("startup_cost", _starts)
    if len(points) < MIN_ROWS:
        return _too_little("the start-up cost experiment", len(points))
    by_bar: dict[str, list[float]] = {}
    for row, starts in points:
        for method, ms in starts.items():
            by_bar.setdefault(f"{_os_family(row.os)} · {method}", []).append(ms)
    values = {label: statistics.median(ms) for label, ms in sorted(by_bar.items())}
    alt = (
        "Milliseconds to start and join one worker (a thread, or a process by each "
        "start method), per OS, median over the runs (results file and Python), "
        "log scale: "
        + "; ".join(
            f"{label} {ms:.3g} ms ({_n_runs(len(by_bar[label]))})"
            for label, ms in values.items()
        )
        + "."
    )
    svg = charts.hbar_chart(
        values,
        xlabel="milliseconds per start + join (log scale)",
        alt=alt,
        salt="other-machines-startup",
        log=True,
        fmt="{:.3g} ms",
    )
    return render.figure(svg, "Start-up cost per OS and start method.")
