"""docs/startup-cost.md: how long a thread or a process takes to start."""

from __future__ import annotations

from measured.claims import modern, part1
from measured.run import stats
from measured.run.shapes.part1 import StartupCost
from measured.web import charts, render

EXPERIMENT = "startup_cost"


def chart() -> str:
    """Milliseconds per start and join: a thread, and a process per start method."""
    run = render.experiment(EXPERIMENT)
    methods = render.evidence(run).result_as(StartupCost)["methods"]
    rows = {row["name"]: row for row in part1.startup_table(render.evidence(run))}
    labels = {"thread": "thread"} | {m: f"process ({m})" for m in methods}
    values = {labels[name]: rows[name]["per_start"].estimate * 1000 for name in labels}
    fastest = min(methods, key=lambda m: rows[m]["ratio"].estimate)
    alt = (
        f"Milliseconds to start and join one worker, log scale: thread "
        f"{rows['thread']['per_start'].estimate * 1000:.3f} ms; "
        + "; ".join(
            f"{m} {rows[m]['per_start'].estimate * 1000:.1f} ms" for m in methods
        )
        + f". The fastest process start ({fastest}) costs "
        f"{rows[fastest]['ratio'].estimate:.0f} thread starts."
    )
    svg = charts.hbar_chart(
        values,
        xlabel="milliseconds per start + join (log scale)",
        alt=alt,
        salt="startup-cost",
        log=True,
        fmt="{:.3g} ms",
    )
    return render.figure(svg, alt)


def table() -> str:
    """Every worker kind: time per start, ratio to its baseline, batch size."""
    run = render.experiment(EXPERIMENT)
    python = render.evidence(run).env["python"]
    interval = stats.interval_label()
    lines = [
        f"| worker | median per start [{interval}] | × its baseline [{interval}] | "
        "timed per round |",
        "|---|--:|--:|--:|",
    ]
    for row in part1.startup_table(render.evidence(run)):
        name = row["name"]
        label = name if "thread" in name or "pool" in name else f"process, `{name}`"
        if row["default"]:
            label += f" (the default on Python {python})"
        per = row["per_start"]
        ms = (
            f"{per.estimate * 1000:.3f} ms [{per.low * 1000:.3f}–{per.high * 1000:.3f}]"
        )
        ratio = (
            "–"
            if row["ratio"] is None
            else f"{row['ratio'].text()} a {row['baseline']}"
        )
        lines.append(f"| {label} | {ms} | {ratio} | {row['batch']} |")
    evidence = render.evidence(run)
    rounds = sum(
        len(one.result_as(StartupCost)["starts"]["orders"])
        for one in evidence.single_runs()
    )
    cores = evidence.result_as(StartupCost)["cores"]
    lines += [
        "",
        f"{rounds} rounds in all. Pools have {cores} workers, one per usable core.",
    ]
    return "\n".join(lines) + "\n"


def what_each_method_pays() -> str:
    """What spawn, forkserver and fork each pay for, worded for the measured
    Python (forkserver preloads the main module from 3.13.8 and 3.14.1)."""
    python = render.evidence(render.experiment(EXPERIMENT)).env["python"]
    if part1.forkserver_preloads_main(python):
        forkserver = (
            f"On Python {python}, `forkserver` imports your main module once, in "
            "the server, and forks every child from it: a child pays neither the "
            "interpreter start nor the import (before Python 3.13.8 and 3.14.1 each "
            "child imported the module again)."
        )
    else:
        forkserver = (
            f"On Python {python}, `forkserver` pays the same import in each child, "
            "but not the interpreter start: the server's preload of your main module "
            "did nothing before Python 3.13.8 and 3.14.1 (gh-126631), which import "
            "it once in the server."
        )
    return (
        "`spawn` pays for a new interpreter and for importing your main module "
        "again (this script imports the project's `measured` package, as most "
        f"programs import something).\n{forkserver}\n"
        "`fork` copies the parent's page tables, not its memory, so a parent with "
        "more memory mapped has more to copy (not measured here).\n"
    )


def default_method() -> str:
    """The measured interpreter's default start method, and the rule for the
    other versions and platforms."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    measured = evidence.result_as(StartupCost)["default_method"]
    here = modern.default_here(evidence.env["python"], evidence.env["os"], measured)
    rule = modern.DEFAULT_START_RULE
    return f"{here[0].upper()}{here[1:]}. In general, {rule}.\n"
