"""docs/synchronization.md: lost updates with threads and processes; a lock's cost."""

from __future__ import annotations

from statistics import median

from measured.claims import coordination
from measured.run import stats
from measured.run.shapes.coordination import RaceThreads
from measured.web import charts, render

# How each version of the shared counter updates it, as the chart labels it.
WAYS = {"naive": "counter += 1", "unsafe": "read → call → write", "locked": "with lock"}


def race_chart() -> str:
    """Lost updates per way of incrementing, tiny switch interval, median of trials."""
    evidence = render.evidence(render.experiment("race_threads"))
    result = evidence.result_as(RaceThreads)
    lost = coordination.race_threads_lost(evidence)
    values = [median(lost[way]) for way in WAYS]
    alt = (
        f"Lost updates out of {result['expected']:,} with a "
        f"{result['tiny_interval'] * 1000:g} ms switch interval, median of trials: "
        + ", ".join(
            f"{label} {v:,.0f}" for label, v in zip(WAYS.values(), values, strict=True)
        )
        + "."
    )
    svg = charts.bar_chart(
        list(WAYS.values()),
        {"lost updates": values},
        label="lost updates (median of trials)",
        alt=alt,
        salt="race-threads",
    )
    return render.figure(svg, alt)


def lock_chart() -> str:
    """Nanoseconds per acquisition of every lock configuration, log scale."""
    run = render.experiment("lock_cost")
    rows = coordination.lock_cost_table(render.evidence(run))
    ratio = render.judge(run, coordination.contended_lock_costs_more).figure
    alt = (
        "Median nanoseconds per acquisition: "
        + ", ".join(f"{r['config']} {r['ns'].estimate:,.0f} ns" for r in rows)
        + f". Median ratio of a contended to an uncontended acquisition: {ratio:.0f}x."
    )
    svg = charts.bar_chart(
        [r["config"] for r in rows],
        {"ns per acquisition": [r["ns"].estimate for r in rows]},
        label="nanoseconds per acquisition, log scale (lower is better)",
        alt=alt,
        salt="lock-cost",
        horizontal=True,
        log=True,
    )
    return render.figure(svg, alt)


def lock_table() -> str:
    """Every lock configuration: acquisitions per round, ns per acquisition."""
    evidence = render.evidence(render.experiment("lock_cost"))
    lines = [
        "| configuration | acquisitions per round | ns per acquisition "
        f"[{stats.interval_label()}] |",
        "|---|--:|--:|",
    ]
    for row in coordination.lock_cost_table(evidence):
        lines.append(
            f"| {row['config']} | {row['acquisitions']:,} | "
            f"{row['ns'].text(' ns', 0)} |"
        )
    lines += [
        "",
        "For `no lock`, the cost of one turn of the same loop without a lock. "
        "Every configuration ran once per round, in a new random order.",
    ]
    return "\n".join(lines) + "\n"
