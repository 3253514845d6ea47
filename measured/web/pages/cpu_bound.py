"""docs/cpu-bound.md: pure-Python work in threads and in processes."""

from __future__ import annotations

from measured.claims import part1
from measured.run import stats
from measured.run.shapes.part1 import CpuBound
from measured.web import charts, render, timelines

EXPERIMENT = "cpu_bound"


def chart() -> str:
    """Speedup against workers, threads and processes, with the ideal line."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    rows = part1.cpu_bound_table(evidence)
    series = {
        kind: [(r["workers"], r["speedup"].estimate) for r in rows if r["kind"] == kind]
        for kind in ("processes", "threads")
    }
    cores = evidence.result_as(CpuBound)["cores"]
    at_cores = {r["kind"]: r["speedup"] for r in rows if r["workers"] == cores}
    alt = (
        f"Speedup against workers on {cores} cores: processes reach "
        f"{at_cores['processes'].estimate:.2f}x with {cores} workers; threads "
        f"{at_cores['threads'].estimate:.2f}x."
    )
    svg = charts.speedup_chart(series, cores=cores, alt=alt, salt="cpu-bound")
    return render.figure(svg, alt)


def table() -> str:
    """Every configuration: median time, speedup with its interval, efficiency."""
    run = render.experiment(EXPERIMENT)
    result = render.evidence(run).result_as(CpuBound)
    cores = result["cores"]
    lines = [
        f"| pool | workers | median time | speedup [{stats.interval_label()}] "
        "| efficiency |",
        "|---|--:|--:|--:|--:|",
    ]
    for row in part1.cpu_bound_table(render.evidence(run)):
        time_ = f"{row['time'].estimate:.3f} s"
        if row["kind"] == "serial":
            lines.append(f"| serial | 1 | {time_} | 1.00× | – |")
            continue
        gain = row["speedup"]
        efficiency = gain.estimate / min(row["workers"], cores)
        lines.append(
            f"| {row['kind']} | {row['workers']} | {time_} | {gain.text()} | "
            f"{efficiency:.0%} |"
        )
    lines += [
        "",
        f"Efficiency is speedup ÷ min(workers, {cores} cores). "
        f"Process start method: `{result['start_method']}`.",
    ]
    return "\n".join(lines) + "\n"


def timeline() -> str:
    """Two CPU tasks one after another, in 2 threads, in 2 processes: when each ran."""
    return timelines.cpu_chart()
