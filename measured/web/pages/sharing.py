"""docs/sharing.md: Queue, Pipe, shared memory; throughput and a zero-copy array."""

from __future__ import annotations

from measured.claims import coordination
from measured.run import stats
from measured.run.shapes.coordination import IpcThroughput, SharedArray
from measured.web import charts, render

CHANNELS = ("Queue", "Pipe", "shared memory")


def _size_label(size: int) -> str:
    """A payload size as a reader says it: 100 B, 10 kB, 1 MB."""
    if size >= 1_000_000:
        return f"{size / 1e6:g} MB"
    return f"{size / 1e3:g} kB" if size >= 1_000 else f"{size} B"


def ipc_chart() -> str:
    """Throughput against payload size, one line per channel, both axes log."""
    run = render.experiment("ipc_throughput")
    evidence = render.evidence(run)
    rows = coordination.ipc_table(evidence)
    series = {
        name: [(r["size"], r["mb_per_s"]) for r in rows if r["channel"] == name]
        for name in CHANNELS
    }
    sizes = evidence.result_as(IpcThroughput)["sizes"]
    top = max(sizes)
    at_top = {r["channel"]: r["mb_per_s"] for r in rows if r["size"] == top}
    alt = (
        f"Throughput against payload size, {coordination.ipc_placement(evidence)}. "
        f"At {top / 1e6:g} MB per message shared "
        f"memory moves {at_top['shared memory']:,.0f} MB/s, a Pipe "
        f"{at_top['Pipe']:,.0f} MB/s and a Queue {at_top['Queue']:,.0f} MB/s."
    )
    svg = charts.line_chart(
        series,
        xlabel="payload per message (log scale)",
        ylabel="MB/s (log scale)",
        alt=alt,
        salt="ipc-throughput",
        logx=True,
        logy=True,
        xticks=sizes,
        xticklabels=[_size_label(s) for s in sizes],
    )
    return render.figure(svg, alt)


def ipc_table() -> str:
    """Every payload size and channel: messages/s, MB/s, speed against the Pipe."""
    evidence = render.evidence(render.experiment("ipc_throughput"))
    interval = stats.interval_label()
    return render.table(
        [
            "payload",
            "channel",
            "messages per batch",
            "messages/s",
            "MB/s",
            f"speed per message vs the Pipe [{interval}]",
        ],
        "|--:|---|--:|--:|--:|--:|",
        (
            [
                f"{r['size']:,} B",
                r["channel"],
                f"{r['messages']:,}",
                f"{r['messages_per_s']:,.0f}",
                f"{r['mb_per_s']:,.0f}",
                "1×" if r["channel"] == "Pipe" else r["vs_pipe"].text(),
            ]
            for r in coordination.ipc_table(evidence)
        ),
        [
            f"Placement: {coordination.ipc_placement(evidence)}. Messages/s and MB/s "
            "come from the median time of a batch over every round; the speed "
            "against the Pipe is the median of the per-round ratios, per message."
        ],
    )


def shared_array_chart() -> str:
    """Median time of the array job: serial, pickled copies, shared memory."""
    evidence = render.evidence(render.experiment("shared_array"))
    table = coordination.shared_array_table(evidence)
    size = evidence.result_as(SharedArray)["bytes"]
    names = [row["name"] for row in table]
    values = [row["time"].estimate * 1000 for row in table]
    gain = next(row["vs_pickled"] for row in table if row["name"] == "shared memory")
    alt = (
        f"Median time for the {size / 1e6:.0f} MB job: "
        + ", ".join(f"{n} {v:.0f} ms" for n, v in zip(names, values, strict=True))
        + f". Shared memory is {gain.estimate:.1f}x as fast as pickled copies."
    )
    svg = charts.bar_chart(
        names,
        {"median time": values},
        label="milliseconds (lower is better)",
        alt=alt,
        salt="shared-array",
    )
    return render.figure(svg, alt)


def shared_array_vs_serial() -> str:
    """Both pools against the serial loop: what copying the data costs a pool."""
    evidence = render.evidence(render.experiment("shared_array"))
    vs_serial = {
        row["name"]: row["vs_serial"]
        for row in coordination.shared_array_table(evidence)
    }
    workers = evidence.result_as(SharedArray)["workers"]
    return (
        f"Against the serial loop, the pool with pickled copies reached "
        f"**{vs_serial['pickled copy'].text()}** and the pool with shared memory "
        f"**{vs_serial['shared memory'].text()}** ({workers} workers, "
        f"{evidence.cores} cores; medians of the per-round ratios, with their "
        f"{stats.interval_label(True)}). Copying the data can eat the whole gain of "
        "a pool.\n"
    )
