"""docs/asyncio.md: how long a blocking call freezes the event loop, and the fixes."""

from __future__ import annotations

import statistics

from measured.claims import coordination
from measured.run import stats
from measured.web import charts, diagrams, render, timelines

EXPERIMENT = "asyncio_blocking"


def blocking_chart() -> str:
    """The loop's worst stall while the coroutine did each of six jobs, log scale."""
    rows = coordination.asyncio_blocking_table(
        render.evidence(render.experiment(EXPERIMENT))
    )
    alt = "Worst event-loop stall in milliseconds (median over rounds): " + ", ".join(
        f"{r['job']} {r['stall_ms'].estimate:.1f} ms" for r in rows
    )
    svg = charts.bar_chart(
        [r["job"] for r in rows],
        {"worst stall": [r["stall_ms"].estimate for r in rows]},
        label="worst heartbeat delay, ms (log scale)",
        alt=alt,
        salt="asyncio-blocking",
        horizontal=True,
        log=True,
        fmt="{:.1f} ms",
    )
    return render.figure(svg, alt)


def blocking_table() -> str:
    """Every job: how long it took, the loop's stall, and the stall's share of it."""
    rows = coordination.asyncio_blocking_table(
        render.evidence(render.experiment(EXPERIMENT))
    )
    interval = stats.interval_label()
    return render.table(
        [
            "the coroutine…",
            "job took",
            f"loop stalled [{interval}]",
            f"stall ÷ job, per round [{interval}]",
        ],
        "|---|--:|--:|--:|",
        (
            [
                r["job"],
                f"{r['took_ms'].estimate:.1f} ms",
                r["stall_ms"].text(" ms", 1),
                r["share"].text("%", 1),
            ]
            for r in rows
        ),
    )


def event_loop_timeline() -> str:
    """Three tasks on one event loop: each step runs until its next await."""
    return timelines.asyncio_chart()


def event_loop_diagram() -> str:
    """How the loop switches tasks at await, with this build's figures."""
    data = timelines.result()
    steps = [end - start for _, start, end in data["asyncio"]]
    tasks = len({task for task, _, _ in data["asyncio"]})
    svg, _ = diagrams.event_loop(
        tasks,
        statistics.median(steps) * 1000,
        timelines.switch_gap(data) * 1e6,
        len(timelines.switch_hops(data)),
    )
    caption = (
        "One thread runs every task. A task gives the loop back only at an "
        "`await`; code between two awaits runs alone."
    )
    return timelines.tl.figure(svg, caption)
