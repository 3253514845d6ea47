"""docs/io-bound.md: many waits and HTTP requests, serially, in threads and in
processes."""

from __future__ import annotations

from measured.claims import part1
from measured.run import stats
from measured.run.shapes.part1 import IoBound
from measured.web import charts, render, timelines

EXPERIMENT = "io_bound"


def wall_time_charts() -> str:
    """Wall time against the number of tasks at once: one chart per kind of I/O."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    result = evidence.result_as(IoBound)
    table = part1.io_bound_table(evidence)
    wait_ms = result["wait"] * 1000
    top = result["headline"]
    figures = []
    for work, title in part1.IO_WORKS.items():
        rows = [r for r in table if r["work"] == work]
        kinds = rows[0]["kinds"]
        series = {
            kind: [(r["n"], r[kind].estimate * 1000) for r in rows] for kind in kinds
        }
        at_top = next(r for r in rows if r["n"] == top)
        parts = [f"serial {at_top['serial'].estimate * 1000:.0f} ms"] + [
            f"{kind} {at_top[kind].estimate * 1000:.0f} ms "
            f"({at_top[f'{kind}_speedup'].estimate:.1f}x the serial speed)"
            for kind in kinds[1:]
        ]
        alt = (
            f"{title} of {wait_ms:g} ms each: wall time against the number of tasks, "
            f"log scales. With {top} tasks: {', '.join(parts)}."
        )
        svg = charts.line_chart(
            series,
            xlabel="tasks at once (pool of as many workers)",
            ylabel="wall time (ms)",
            alt=alt,
            salt=f"io-bound-{work}",
            logx=True,
            logy=True,
            xticks=result["counts"],
            title=title,
        )
        figures.append(render.figure(svg, alt))
    return "\n".join(figures)


def table() -> str:
    """Every (work, tasks at once): the loop's time, and each pool's with its
    speedup over the loop."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    interval = stats.interval_label()
    lines = [
        f"| work | tasks | serial | threads [{interval}] | processes [{interval}] |",
        "|---|--:|--:|--:|--:|",
    ]
    for r in part1.io_bound_table(evidence):
        cells = [f"{r['serial'].estimate * 1000:.1f} ms"] + [
            (
                f"{r[k].estimate * 1000:.1f} ms ({r[f'{k}_speedup'].text()})"
                if k in r["kinds"]
                else "not timed"
            )
            for k in ("threads", "processes")
        ]
        lines.append(f"| {r['work']} | {r['n']} | " + " | ".join(cells) + " |")
    wait_ms = evidence.result_as(IoBound)["wait"] * 1000
    lines += [
        "",
        f"Each task waits {wait_ms:g} ms. Median time of the timed "
        "rounds; in brackets, the speedup over the loop: the median of the per-round "
        "ratios. Processes are timed on the sleeps only: with as many worker "
        "processes as requests and the server's threads sharing a few cores, their "
        "HTTP times swing too much to say anything.",
    ]
    return "\n".join(lines) + "\n"


def pool_start_table() -> str:
    """Creating, starting and stopping a pool: threads against processes."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    result = evidence.result_as(IoBound)
    start = part1.io_pool_start(evidence)
    batch = result["pool_start_batch"]
    return (
        "| workers | thread pool | process pool | processes ÷ threads |\n"
        "|--:|--:|--:|--:|\n"
        f"| {start['workers']} | {start['threads'].estimate * 1000:.1f} ms | "
        f"{start['processes'].estimate * 1000:.1f} ms | {start['ratio'].text()} |\n"
        "\nCreate the pool, start every worker (each waits at a barrier until all "
        "have started, and counts itself), shut the pool down; start method "
        f"`{result['start_method']}`. Each round timed {batch['threads']} thread "
        f"pools one after another and {batch['processes']} process pool; the times "
        "are per pool, medians of the timed rounds, and the ratio is the median of "
        "the per-round ratios.\n"
    )


def timeline() -> str:
    """Two waits one after another, in 2 threads, in 2 processes."""
    return timelines.io_chart()
