"""docs/gil.md: which thread work the GIL serialises, and which it does not."""

from __future__ import annotations

from typing import Any

from measured.claims import part1
from measured.run import stats
from measured.run.shapes.part1 import CpuBound, GilBlocking, GilRelease, Timelines
from measured.web import across, charts, render, timelines


def thread_pools() -> str:
    """The CPU-bound experiment's thread pools: each size's speedup over serial."""
    run = render.experiment("cpu_bound")
    lines = ["| threads | median | speedup vs serial |", "|--:|--:|--:|"]
    for row in part1.cpu_bound_table(render.evidence(run)):
        if row["kind"] == "serial":
            lines.append(f"| serial | {row['time'].estimate:.3f} s | 1.00× |")
        elif row["kind"] == "threads":
            lines.append(
                f"| {row['workers']} | {row['time'].estimate:.3f} s | "
                f"{row['speedup'].text()} |"
            )
    return "\n".join(lines) + "\n"


def switch_interval() -> str:
    """The switch interval the experiments on this page ran with."""
    run = render.experiment("gil_release")
    interval = render.evidence(run).result_as(GilRelease)["switch_interval"]
    return (
        f"`sys.getswitchinterval()` returned **{interval * 1000:g} ms** "
        "in the experiments on this page.\n"
    )


def _bars(values: dict[str, float], intro: str, each: str, **chart: Any) -> str:
    """A bar per value (charts.hbar_chart with ``chart``'s options) as a figure
    whose alt text is ``intro`` then every bar's name and value, ``each`` the
    value's format."""
    alt = (
        intro
        + ", ".join(f"{name} {each.format(value)}" for name, value in values.items())
        + "."
    )
    return render.figure(charts.hbar_chart(values, alt=alt, **chart), alt)


def blocking_chart() -> str:
    """The ticker thread's pace while the main thread is in each call."""
    run = render.experiment("gil_blocking")
    share = {
        row["call"]: row["share"].estimate
        for row in part1.gil_blocking_table(render.evidence(run))
    }
    return _bars(
        share,
        "Ticker thread pace while the main thread is in each call, as a percentage "
        "of its pace while the main thread waits on a lock: ",
        "{:.0f} %",
        xlabel="ticker pace, % of its pace while the main thread waits on a lock",
        salt="gil-blocking",
        fmt="{:.0f} %",
    )


def blocking_table() -> str:
    """Each call: the ticker's pace, and its share of the lock-wait baseline."""
    run = render.experiment("gil_blocking")
    lines = [
        "| the main thread is in | ticker counts/s | ticker pace vs lock wait "
        f"[{stats.interval_label()}] |",
        "|---|--:|--:|",
    ]
    baseline = render.evidence(run).result_as(GilBlocking)["baseline"]
    for row in part1.gil_blocking_table(render.evidence(run)):
        if row["call"] == baseline:
            share = "100 % (the baseline)"
        else:
            share = row["share"].text(" %", 0)
        lines.append(f"| {row['call']} | {row['pace'].estimate:,.0f} | {share} |")
    return "\n".join(lines) + "\n"


def release_chart() -> str:
    """Speedup of one thread per core over the loop, for each kind of C work and
    for pure Python (from the CPU-bound experiment), against the ideal."""
    release = render.experiment("gil_release")
    cpu = render.experiment("cpu_bound")
    result = render.evidence(release).result_as(GilRelease)
    workers, cores = result["headline_workers"], result["cores"]
    values = {
        f"threads: {row['kind']}": row["speedup"].estimate
        for row in part1.gil_release_table(render.evidence(release))
    }
    cpu_workers = render.evidence(cpu).result_as(CpuBound)["headline_workers"]
    values[f"threads: pure Python ({cpu_workers} threads, CPU-bound page)"] = next(
        row["speedup"].estimate
        for row in part1.cpu_bound_table(render.evidence(cpu))
        if row["kind"] == "threads" and row["workers"] == cpu_workers
    )
    ideal = min(workers, cores)
    return _bars(
        values,
        f"Speedup over the serial loop with {workers} threads on {cores} cores "
        f"(ideal {ideal}x): ",
        "{:.2f}x",
        xlabel="speedup over the serial loop (×)",
        salt="gil-release",
        fmt="{:.2f}×",
        reference=(ideal, f"ideal: {ideal}×"),
    )


def release_table() -> str:
    """Each kind of C work: serial and pooled times, and the speedup."""
    run = render.experiment("gil_release")
    return render.table(
        ["work", "serial", "threads", f"speedup [{stats.interval_label()}]"],
        "|---|--:|--:|--:|",
        (
            [
                row["kind"],
                f"{row['serial'].estimate * 1000:.1f} ms",
                f"{row['workers']}: {row['threads'].estimate * 1000:.1f} ms",
                row["speedup"].text(),
            ]
            for row in part1.gil_release_table(render.evidence(run))
        ),
    )


def release_workload() -> str:
    """What each task did, how many rounds were timed, and whether NumPy was there."""
    run = render.experiment("gil_release")
    evidence = render.evidence(run)
    result = evidence.result_as(GilRelease)
    sizes = result["sizes"]
    rounds = sum(
        one.result_as(GilRelease)["kinds"]["hashlib"]["rounds"]
        for one in evidence.single_runs()
    )
    numpy = result["numpy"]
    return (
        f"{result['tasks']} equal tasks per kind of work. Each task hashed "
        f"{sizes['hashlib_bytes'] // 2**20} MiB {sizes['hashlib_passes']} times, "
        f"compressed {sizes['zlib_bytes'] // 2**20} MiB, or sorted "
        f"{sizes['numpy_items']:,} floats. Every round timed the serial loop and the "
        f"pool once, in a random order: {rounds} rounds per kind of work in all.\n"
        + (
            f"NumPy {numpy} was installed."
            if numpy
            else "NumPy was not installed: install it to measure its rows."
        )
        + "\n"
    )


def handoff_timeline() -> str:
    """Two threads on CPU work handing the GIL back and forth, turn by turn."""
    return timelines.handoff_chart()


def free_threaded_timeline() -> str:
    """The same record on each free-threaded build this build found, else the
    sentence saying which builds it needs and how to measure them."""
    runs = across.runs(timelines.EXPERIMENT, where=lambda i: i.free_threaded_build)
    if not runs:
        return across.not_measured(
            across.expected(across.FREE_THREADED),
            "two threads side by side without a GIL",
            timelines.EXPERIMENT,
        ) or across.needs("3.13t", timelines.EXPERIMENT)
    return "".join(
        timelines.handoff_chart(
            render.evidence(run).result_as(Timelines),
            f" on Python {across.label(run)}",
        )
        + render.provenance(run)
        + "\n"
        for run in runs
    )
