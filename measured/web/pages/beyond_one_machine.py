"""docs/beyond-one-machine.md: the CPU-bound work on a Dask LocalCluster."""

from __future__ import annotations

import ast
import difflib

from measured.claims import modern
from measured.run import project, stats
from measured.run.shapes.modern import DaskVsPool
from measured.web import across, render

EXPERIMENT = "dask_vs_pool"


def verdicts(*names: str) -> str:
    """The named claims, those that held in every run first; a marginal one with
    a visible note."""
    checks = [getattr(modern, name) for name in names]
    return render.verdicts_replicated_first(render.experiment(EXPERIMENT), *checks)


def diff() -> str:
    """The real diff between the script's process-pool and Dask versions."""
    source = (project.snippets_dir() / f"{EXPERIMENT}.py").read_text()
    functions = {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }
    lines = difflib.unified_diff(
        functions["run_pool"].splitlines(),
        functions["run_dask"].splitlines(),
        "process pool",
        "dask",
        lineterm="",
        n=5,
    )
    return across.fenced("\n".join(lines), "diff")


def _us(interval: stats.Interval) -> str:
    """Seconds per task as microseconds, with the interval."""
    return (
        f"{interval.estimate * 1e6:.0f} µs [{interval.low * 1e6:.0f}–"
        f"{interval.high * 1e6:.0f}]"
    )


def table() -> str:
    """Serial, pool and Dask: the CPU-bound job, a tiny task, start and shutdown."""
    run = render.experiment(EXPERIMENT)
    evidence = render.evidence(run)
    r = render.result(run, DaskVsPool)
    t = modern.dask_table(evidence)
    cpu, per = t["cpu"], t["per_task"]
    interval = stats.interval_label()
    pool_over_dask = evidence.ratio("cpu", "dask", "pool")
    return (
        "| | serial | ProcessPoolExecutor | Dask distributed |\n"
        "|---|--:|--:|--:|\n"
        f"| {r['tasks']} CPU-bound tasks: median time | {t['serial'].estimate:.3f} s "
        f"| {cpu['pool']['time'].estimate:.3f} s "
        f"| {cpu['dask']['time'].estimate:.3f} s |\n"
        f"| speedup [{interval}] | 1.00× | {cpu['pool']['speedup'].text()} "
        f"| {cpu['dask']['speedup'].text()} |\n"
        f"| a tiny task, per task [{interval}] | – | {_us(per['pool'])} "
        f"| {_us(per['dask'])} |\n"
        f"| start the workers (once, before timing) | – | – "
        f"| {r['cluster_start_seconds']:.2f} s |\n"
        f"| shut down | – | – | {r['shutdown_seconds']:.2f} s |\n"
        "\n"
        "The serial loop runs in a worker process of its own, so that Dask's "
        "scheduler thread in the main process cannot slow it. Paired round by round, "
        f"the pool ran the CPU-bound tasks {pool_over_dask.text()} as fast as Dask. "
        f"Tiny tasks go {r['tiny_tasks']} to a `map` call on both; a Dask task costs "
        f"{t['dask_over_pool'].text()} as much as a pool task, paired round by "
        "round.\n"
    )


def break_even() -> str:
    """How long a task must run for Dask's extra cost per task to stay under 1 %.

    The per-task figures are wall time per task of a map spread over every worker
    (a map's time divided by its tasks), so the work they are weighed against is
    wall time per task too: one task's work divided by the workers sharing them.
    """
    run = render.experiment(EXPERIMENT)
    t = modern.dask_table(render.evidence(run))
    r = render.result(run, DaskVsPool)
    workers = r["headline_workers"]
    extra = t["per_task"]["dask"].estimate - t["per_task"]["pool"].estimate
    task = t["serial"].estimate / r["tasks"]
    return (
        f"Here Dask adds about {extra * 1e3:.1f} ms of wall time per task over a pool "
        f"(a map of {r['tiny_tasks']} tiny tasks on {workers} workers, divided by "
        f"{r['tiny_tasks']}). One of the CPU-bound tasks takes {task * 1e3:.0f} ms of "
        f"work on one worker; with {workers} workers sharing the tasks, that is "
        f"{task / workers * 1e3:.0f} ms of wall time per task. For the overhead to "
        f"stay under 1 % of the wall time, a task must take at least "
        f"{extra * 100 * workers:.2f} s of work on one worker (100 × the extra cost "
        f"× {workers} workers); batch small items into bigger tasks until it does.\n"
    )
