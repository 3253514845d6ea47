"""docs/free-threading.md: threads with and without the GIL, on the same version.

Every piece reads the runs of ``free_threading`` on the free-threaded interpreters
of this build, the GIL builds of the same versions, and this build's interpreter
(across.free_threaded_and_twins), not the whole matrix.
"""

from __future__ import annotations

from measured.claims import modern
from measured.run import runner, stats
from measured.run.shapes.modern import FreeThreading
from measured.web import across, charts, render

EXPERIMENT = "free_threading"
# `show PAGE.missing "what" [LABEL…]`: a line per interpreter this build lacks.
missing = across.missing_for(EXPERIMENT)


def _runs() -> list[runner.Run]:
    return across.runs(EXPERIMENT, where=across.free_threaded_and_twins)


def verdicts(*names: str) -> str:
    """Each named claim of free_threading on every interpreter of this page."""
    return across.claim_lines(_runs(), *(getattr(modern, name) for name in names))


def outputs() -> str:
    """Every run's output and provenance, under its interpreter's name."""
    return across.outputs(_runs())


def setup() -> str:
    """The workload and the pools, as the script set them."""
    r = render.result(_runs()[0], FreeThreading)
    return (
        f"Here: {r['tasks']} tasks of {r['size']:,} iterations, pools of "
        + ", ".join(str(w) for w in r["workers"])
        + f" threads, {r['cpu']['rounds']} timed rounds per run, each timing the "
        "serial loop and every pool once in a new random order.\n"
    )


def chart() -> str:
    """Speedup against the number of threads, a line per interpreter."""
    runs = _runs()
    tables = {
        across.label(run): modern.free_threading_series(render.evidence(run))
        for run in runs
    }
    series = {
        f"Python {name}": [(row["workers"], row["speedup"].estimate) for row in rows]
        for name, rows in tables.items()
    }
    alt = "Speedup against the number of threads: " + "; ".join(
        f"Python {name} reaches {rows[-1]['speedup'].estimate:.2f}x "
        f"with {rows[-1]['workers']} threads"
        for name, rows in tables.items()
    )
    svg = charts.speedup_chart(
        series,
        cores=render.result(runs[0], FreeThreading)["cores"],
        alt=alt,
        salt="free-threading",
    )
    return render.figure(svg, alt)


def table() -> str:
    """Every interpreter and pool size: median time and speedup over serial."""
    lines = [
        f"| Python | threads | median time | speedup [{stats.interval_label()}] |",
        "|---|--:|--:|--:|",
    ]
    for run in _runs():
        evidence = render.evidence(run)
        name = across.label(run)
        serial = evidence.timing("cpu", "serial")
        lines.append(f"| {name} | serial | {serial.estimate:.3f} s | 1.00× |")
        lines += [
            f"| {name} | {row['workers']} | {row['time'].estimate:.3f} s "
            f"| {row['speedup'].text()} |"
            for row in modern.free_threading_series(evidence)
        ]
    return "\n".join(lines) + "\n"


def _minor(label: str) -> str:
    """ "3.14" from "3.14.2t" or "3.14.0"."""
    return ".".join(label.rstrip("t").split(".")[:2])


def single_thread_cost() -> str:
    """One thread's serial loop, free-threaded build against the GIL build."""
    # Paired by feature version (3.14t with 3.14): patch releases may differ.
    labels = {across.label(run): run for run in _runs()}
    gil_builds = {_minor(name): run for name, run in labels.items() if name[-1] != "t"}
    pairs = [
        (gil, free)
        for name, free in labels.items()
        if name.endswith("t") and (gil := gil_builds.get(_minor(name)))
    ]
    if not pairs:
        # The newest free-threaded build and its GIL twin, as the matrix expects them.
        free = across.expected(across.FREE_THREADED)
        newest = free[-1]
        return (
            across.needs(free[0], EXPERIMENT, newest.rstrip("t"), newest)
            + "\nIt compares a free-threaded build with the GIL build of the same "
            "version.\n"
        )
    lines = []
    for gil, free in pairs:
        slow = render.evidence(free).timing("cpu", "serial")
        fast = render.evidence(gil).timing("cpu", "serial")
        lines.append(
            f"- One thread on Python {across.label(free)} took "
            f"{slow.text(' s', 3)} for the serial loop, against "
            f"{fast.text(' s', 3)} on Python {across.label(gil)}: "
            f"**{(slow.estimate / fast.estimate - 1) * 100:+.0f} %**. Two separate "
            "processes, timed one after the other, not in the same rounds: read "
            "this as an estimate, not a verdict."
        )
    return "\n".join(lines) + "\n"


def containers() -> str:
    """Operations lost by `append`, unlocked `+=` and locked `+=`, per interpreter."""

    def row(run: runner.Run) -> list[str]:
        race = render.result(run, FreeThreading)["race"]
        lost = modern.race_totals(render.evidence(run))
        return [
            across.label(run),
            f"{race['threads']} × {race['rounds']:,} ({len(run.executions)})",
            f"{lost['appends']:,}",
            f"{lost['unlocked']:,}",
            f"{lost['locked']:,}",
        ]

    return render.table(
        [
            "Python",
            "threads × operations (runs)",
            "`append` lost",
            "`+=` lost",
            "`+=` with a Lock",
        ],
        "|---|--:|--:|--:|--:|",
        map(row, _runs()),
    )


def legacy_warnings() -> str:
    """The RuntimeWarning a legacy extension raised, from each interpreter that
    printed one."""
    text = ""
    for run in _runs():
        controls = render.result(run, FreeThreading)["gil_controls"]
        if controls and controls["legacy_warning"]:
            text += f"The warning, from Python {across.label(run)}:\n\n"
            text += across.fenced(controls["legacy_warning"]) + "\n"
    return text
