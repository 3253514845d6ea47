"""docs/when-processes-lose.md: task size, chunksize and payload size against a
process pool's speedup."""

from __future__ import annotations

from measured.claims import part1
from measured.run import stats
from measured.run.shapes.part1 import PayloadSize, TaskSize
from measured.web import charts, render

ONE, AUTO = "executor, chunksize=1", "executor, chunksize=auto"


def _against_the_loop(
    series: dict[str, list[tuple[float, float]]], xlabel: str, alt: str, salt: str
) -> str:
    """A pool's speedup over the plain loop against a size on a log axis, with the
    break-even line, as a figure."""
    svg = charts.line_chart(
        series,
        xlabel=xlabel,
        ylabel="speedup vs plain loop (×)",
        alt=alt,
        salt=salt,
        logx=True,
        reference=(1.0, "break-even with the loop"),
    )
    return render.figure(svg, alt)


def task_chart() -> str:
    """Speedup over the loop against the work per task, one line per pool call."""
    evidence = render.evidence(render.experiment("task_size"))
    result = evidence.result_as(TaskSize)
    table = part1.task_size_table(evidence)
    series = {
        mode: [
            (r["task_seconds"] * 1e6, r["modes"][mode]["speedup"].estimate)
            for r in table
            if mode in r["modes"]
        ]
        for mode in result["modes"]
    }
    tiny, big = table[0], table[-1]
    alt = (
        f"Speedup of a {result['workers']}-process pool over a plain loop against "
        f"the work per task, log scale. chunksize=1: "
        f"{tiny['modes'][ONE]['speedup'].estimate:.2f}x at "
        f"{tiny['task_seconds'] * 1e6:.0f} µs per task, "
        f"{big['modes'][ONE]['speedup'].estimate:.2f}x at "
        f"{big['task_seconds'] * 1000:.1f} ms per task; computed chunksize: "
        f"{tiny['modes'][AUTO]['speedup'].estimate:.2f}x on the tiny tasks."
    )
    return _against_the_loop(series, "work per task (µs, log scale)", alt, "task-size")


def task_table() -> str:
    """Every task size: the loop's time and each pool call's, with the speedup,
    then where chunksize=1 overtakes the loop (when the intervals place it)."""
    evidence = render.evidence(render.experiment("task_size"))
    modes = evidence.result_as(TaskSize)["modes"]
    lines = [
        "| iterations per task | tasks | work per task | loop | "
        + " | ".join(f"`{m}`" for m in modes)
        + " |",
        "|--:|--:|--:|--:|" + "--:|" * len(modes),
    ]
    for r in part1.task_size_table(evidence):
        cells = " | ".join(
            (
                f"{r['modes'][m]['time'].estimate * 1000:.1f} ms "
                f"({r['modes'][m]['speedup'].text()})"
                if m in r["modes"]
                else f"chunksize {r['chunksize_auto']}: the same call"
            )
            for m in modes
        )
        lines.append(
            f"| {r['size']:,} | {r['tasks']:,} | {r['task_seconds'] * 1e6:,.0f} µs | "
            f"{r['loop'].estimate * 1000:.1f} ms | {cells} |"
        )
    lines += [
        "",
        "Median times of the timed rounds; in brackets, the speedup over the loop "
        f"with its {stats.interval_label()}. Work per task is the loop's time "
        "divided by the number of tasks.",
        "",
    ]
    cross = part1.task_size_crossover(evidence)
    if cross is None:
        lines.append(
            "With `chunksize=1`, no two neighbouring sizes had intervals on either "
            "side of 1.0× in these runs, so the crossing is not placed here."
        )
    else:
        lines.append(
            f"With `chunksize=1` the pool overtook the loop between **"
            f"{cross['low'] * 1e6:,.0f} and {cross['high'] * 1e6:,.0f} µs of work "
            "per task** (the speedup intervals lie below 1.0× at the first and "
            "above it at the second). The two sizes are "
            f"{cross['high'] / cross['low']:.0f}× apart, so interpolating the "
            "medians between them gives only a rough point: around "
            f"{part1.rough(cross['estimate'] * 1e6)} µs."
        )
    return "\n".join(lines) + "\n"


def payload_chart() -> str:
    """Speedup over the loop against the argument size per task."""
    evidence = render.evidence(render.experiment("payload_size"))
    result = evidence.result_as(PayloadSize)
    rows = part1.payload_table(evidence)
    series = {
        f"{result['workers']} worker processes": [
            (r["payload"] / 1024, r["speedup"].estimate) for r in rows
        ]
    }
    alt = (
        "Speedup of a process pool over a plain loop against the argument size per "
        f"task, log scale: {rows[0]['speedup'].estimate:.2f}x with "
        f"{part1.human_bytes(rows[0]['payload'])}, "
        f"{rows[-1]['speedup'].estimate:.2f}x with "
        f"{part1.human_bytes(rows[-1]['payload'])}."
    )
    return _against_the_loop(
        series, "argument size per task (KiB, log scale)", alt, "payload-size"
    )


def payload_table() -> str:
    """Every payload size: the bytes that crossed, the pool's time and speedup,
    then where the pool falls behind the loop (when the intervals place it)."""
    evidence = render.evidence(render.experiment("payload_size"))
    result = evidence.result_as(PayloadSize)
    loop = evidence.timing("rounds", "serial").estimate
    lines = [
        "| payload per task | received per batch | pool | speedup "
        f"[{stats.interval_label()}] |",
        "|--:|--:|--:|--:|",
        f"| (the loop) | – | {loop * 1000:.1f} ms | – |",
    ]
    for r in part1.payload_table(evidence):
        lines.append(
            f"| {part1.human_bytes(r['payload'])} | "
            f"{part1.human_bytes(r['received_per_batch'])} "
            f"| {r['time'].estimate * 1000:.1f} ms | {r['speedup'].text()} |"
        )
    lines += [
        "",
        f"{result['tasks']} tasks per batch, {result['workers']} worker processes; "
        "the loop passes the largest payload by reference. Median times of the "
        "timed rounds.",
        "",
    ]
    cross = part1.payload_crossover(evidence)
    if cross is None:
        lines.append(
            "No two neighbouring sizes had speedup intervals on either side of 1.0× "
            "in these runs, so the point where the pool falls behind is not placed "
            "here."
        )
    else:
        lines.append(
            "The pool fell behind the loop between "
            f"**{part1.human_bytes(cross['low'])} and "
            f"{part1.human_bytes(cross['high'])} per task** (its speedup interval "
            "lies above 1.0× at the first and below it at the second). The two "
            f"sizes are {cross['high'] / cross['low']:.0f}× apart, so interpolating "
            "the medians between them gives only a rough point: around "
            f"{part1.rough_bytes(cross['estimate'])}."
        )
    return "\n".join(lines) + "\n"
