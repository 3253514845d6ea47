"""docs/futures.md: one API over threads and processes, side by side."""

from __future__ import annotations

from dataclasses import replace

from measured.claims import coordination
from measured.run import stats
from measured.run.shapes.coordination import FuturesCompare
from measured.web import charts, render

EXPERIMENT = "futures_compare"
WORKLOADS = ("waiting", "CPU")  # the two compared as speedups (tiny: per task)


def compare_chart() -> str:
    """Speedup over a plain loop of both pools, for waiting and for CPU tasks."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    table = coordination.futures_compare_table(evidence)
    cores = evidence.result_as(FuturesCompare)["cores"]
    speedups = {(r["workload"], r["kind"]): r["speedup"] for r in table if r["speedup"]}
    series = {
        kind: [speedups[(w, kind)].estimate for w in WORKLOADS]
        for kind in ("threads", "processes")
    }
    workers = {r["workload"]: r["workers"] for r in table}
    alt = (
        f"Speedup over a plain loop on {cores} cores. Waiting tasks, "
        f"{workers['waiting']} workers: threads {series['threads'][0]:.2f}x, "
        f"processes {series['processes'][0]:.2f}x. CPU tasks, {workers['CPU']} "
        f"workers: threads {series['threads'][1]:.2f}x, processes "
        f"{series['processes'][1]:.2f}x."
    )
    svg = charts.bar_chart(
        [f"{w} tasks ({workers[w]} workers)" for w in WORKLOADS],
        series,
        label="speedup vs plain loop (×)",
        alt=alt,
        salt="futures-compare",
        fmt="{:.2f}×",
    )
    return render.figure(svg, alt)


def _per_task(interval: stats.Interval) -> str:
    """Time per task: milliseconds for waits and CPU tasks, µs for tiny ones."""
    if interval.estimate < 1000:
        return interval.text(" µs", 2)
    in_ms = replace(
        interval,
        estimate=interval.estimate / 1000,
        low=interval.low / 1000,
        high=interval.high / 1000,
    )
    return in_ms.text(" ms", 2)


def compare_table() -> str:
    """Every workload and pool: time, time per task, speedup over the plain loop."""
    table = coordination.futures_compare_table(
        render.evidence(render.experiment(EXPERIMENT))
    )
    interval = stats.interval_label()
    return render.table(
        [
            "workload",
            "pool",
            "workers",
            "tasks per round",
            "median time",
            f"per task [{interval}]",
            f"speedup [{interval}]",
        ],
        "|---|---|--:|--:|--:|--:|--:|",
        (
            [
                r["workload"],
                r["kind"],
                "–" if r["kind"] == "serial" else r["workers"],
                f"{r['tasks']:,}",
                f"{r['time'].estimate * 1000:.1f} ms",
                _per_task(r["per_task_us"]),
                r["speedup"].text() if r["speedup"] else "–",
            ]
            for r in table
        ),
        [
            f"Medians of {table[0]['time'].n} rounds per workload. The tiny tasks "
            "are compared per task, not as totals: each alternative repeats its map "
            "a different number of times."
        ],
    )


def tiny_task_cost() -> str:
    """How many times the plain loop's cost each pool spent handing a tiny task."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    threads = coordination.per_task_ratio(evidence, "threads", "serial")
    processes = coordination.per_task_ratio(evidence, "processes", "serial")
    return (
        f"Handed to a pool, each tiny task cost the thread pool "
        f"**{threads.estimate:,.0f} times** what the plain loop spent on it "
        f"[{threads.low:,.0f}–{threads.high:,.0f}], and the process pool "
        f"**{processes.estimate:,.0f} times** [{processes.low:,.0f}–"
        f"{processes.high:,.0f}].\n"
    )
