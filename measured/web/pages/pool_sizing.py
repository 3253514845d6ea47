"""docs/pool-sizing.md: the pools' default sizes, and how many workers to use."""

from __future__ import annotations

from measured.claims import part1
from measured.run import stats
from measured.run.shapes.part1 import CpuBound, PoolSizing
from measured.web import charts, render

EXPERIMENT = "pool_sizing"
RULES = {
    "ThreadPoolExecutor()": "`min(32, cpus + 4)`",
    "ProcessPoolExecutor()": "`cpus`",
    "multiprocessing.Pool()": "`cpus`",
}


def _count(name: str, value: int | None) -> str:
    if value is not None:
        return str(value)
    return (
        "not on this platform" if "sched_getaffinity" in name else "None (undetermined)"
    )


def defaults_table() -> str:
    """Each pool's default size here, its documented rule, and the CPU counts."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    result = evidence.result_as(PoolSizing)
    documented = part1.documented_defaults(result)
    lines = [
        "| pool | default here | documented rule | the rule gives |",
        "|---|--:|---|--:|",
    ]
    for name, value in result["defaults"].items():
        lines.append(f"| `{name}` | {value} | {RULES[name]} | {documented[name]} |")
    # None: sched_getaffinity is not on this platform; os.*cpu_count() could not
    # tell. os.process_cpu_count() before 3.13 is the note below, not a row.
    older = not part1.has_process_cpu_count(evidence.env["python"])
    counts = ", ".join(
        f"`{name}` = {_count(name, value)}"
        for name, value in result["cpu_counts"].items()
        if not (older and name == "os.process_cpu_count()")
    )
    lines += ["", f"On this machine: {counts}."]
    missing = part1.cpu_count_note(evidence.env["python"])
    if missing:
        lines += ["", missing]
    return "\n".join(lines) + "\n"


def chart() -> str:
    """Wall time of the batch of waits against the thread pool size, with the
    ceil(waits / w) model."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    result = evidence.result_as(PoolSizing)
    rows = part1.pool_sizing_table(evidence)
    waits = result["waits"]
    series = {
        "measured": [(r["workers"], r["time"].estimate * 1000) for r in rows],
        f"ceil({waits} / w) × wait": [(r["workers"], r["model"] * 1000) for r in rows],
    }
    default = next(r for r in rows if r["default"])
    alt = (
        f"Wall time of {waits} waits of {result['wait'] * 1000:g} ms against "
        f"the thread pool size, log scales: {default['time'].estimate * 1000:.0f} ms "
        f"with the default {default['workers']} threads, "
        f"{rows[-1]['time'].estimate * 1000:.0f} ms with {rows[-1]['workers']}."
    )
    svg = charts.line_chart(
        series,
        xlabel="threads in the pool (log scale)",
        ylabel="wall time (ms)",
        alt=alt,
        salt="pool-sizing",
        logx=True,
        logy=True,
        xticks=[r["workers"] for r in rows],
    )
    return render.figure(svg, alt)


def table() -> str:
    """Every thread pool size: measured time, the model, gain over the default."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    waits = evidence.result_as(PoolSizing)["waits"]
    lines = [
        f"| threads | {waits} waits | model | faster than the default "
        f"[{stats.interval_label()}] |",
        "|--:|--:|--:|--:|",
    ]
    for r in part1.pool_sizing_table(evidence):
        note = " (default)" if r["default"] else ""
        gain = "–" if r["default"] else r["gain"].text()
        lines.append(
            f"| {r['workers']}{note} | {r['time'].estimate * 1000:.1f} ms | "
            f"{r['model'] * 1000:.0f} ms | {gain} |"
        )
    return "\n".join(lines) + "\n"


def process_pools() -> str:
    """The CPU-bound experiment's process pools: speedup and efficiency by size."""
    evidence = render.evidence(render.experiment("cpu_bound"))
    cores = evidence.result_as(CpuBound)["cores"]
    lines = ["| processes | speedup | efficiency |", "|--:|--:|--:|"]
    for row in part1.cpu_bound_table(evidence):
        if row["kind"] == "processes":
            gain = row["speedup"]
            efficiency = gain.estimate / min(row["workers"], cores)
            lines.append(f"| {row['workers']} | {gain.text()} | {efficiency:.0%} |")
    return "\n".join(lines) + "\n"


def process_pool_default() -> str:
    """How ProcessPoolExecutor() counts CPUs on the measured Python."""
    evidence = render.evidence(render.experiment(EXPERIMENT))
    counter = part1.cpu_count_function(evidence.result_as(PoolSizing))
    return (
        f"On Python {evidence.env['python']}, `ProcessPoolExecutor()` picks one "
        f"worker per CPU that `{counter}` reports (`os.cpu_count()` up to Python "
        f"3.12, `os.process_cpu_count()` from 3.13, at most "
        f"{part1.WINDOWS_PROCESS_POOL_MAX} on Windows, as [documented]"
        "(https://docs.python.org/3/library/concurrent.futures.html"
        "#processpoolexecutor)). Neither knows a cgroup CPU quota, so in a container "
        "pass `max_workers` yourself; pass fewer too if other work must keep running "
        "on the machine.\n"
    )
