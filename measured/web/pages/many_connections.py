"""docs/many-connections.md: a thread per connection against asyncio tasks."""

from __future__ import annotations

from typing import Any

from measured.claims import coordination, part1
from measured.run import runner, stats
from measured.run.shapes.coordination import FdLimit, ManyConnections
from measured.web import charts, render

EXPERIMENT = "many_connections"
CLIENTS = (("threads", "thread per connection"), ("asyncio", "asyncio"))


def _result(run: runner.Run | None = None) -> ManyConnections:
    """The first run's result: the levels, limits and server the page quotes."""
    run = run or render.experiment(EXPERIMENT)
    return render.evidence(run).result_as(ManyConnections)


def fd_limit() -> str:
    """The descriptor limits the experiment met, and any level they ruled out."""
    result = _result()
    return fd_limit_text(result["fd_limit"], result["skipped_levels"])


def fd_limit_text(limits: FdLimit, skipped_levels: list[int]) -> str:
    """The limits as the page words them: "raised" only when something was."""
    text = (
        f"Every open socket is a file descriptor. On the machine that built this "
        f"page, a process could open **{limits['soft_before']:,}** by default (the "
        f"soft `RLIMIT_NOFILE`)"
    )
    # Say "raised" only when something was raised: a soft limit already at the
    # hard one stays as it was.
    if limits["soft"] == limits["soft_before"]:
        ceiling = "already the hard limit" if limits["soft"] == limits["hard"] else ""
        text += f", {ceiling}, so the experiment kept it." if ceiling else "."
    else:
        hard = ", the hard limit" if limits["soft"] == limits["hard"] else ""
        text += f"; the experiment raised it to **{limits['soft']:,}**{hard}."
    if skipped_levels:
        skipped = ", ".join(f"{n:,}" for n in skipped_levels)
        text += f" Levels over the limit were skipped: {skipped} connections."
    return text + "\n"


def rounds() -> str:
    """How many rounds each level of connections ran, the headline level first."""
    result = _result()
    top = result["top"]

    def ran(n: int) -> str:
        count = result["by_level"][str(n)]["rounds"]
        return f"{count} round{'s' if count != 1 else ''}"

    text = f"On the machine that built this page: **{top:,}** connections, {ran(top)}"
    for n in result["levels"]:
        if n != top:
            text += f"; {n:,} connections, {ran(n)}"
    return text + ".\n"


def _table_and_levels() -> tuple[list[dict[str, Any]], list[int]]:
    """The claims' table of every level and client, and the levels, for a chart."""
    run = render.experiment(EXPERIMENT)
    table = coordination.many_connections_table(render.evidence(run))
    return table, _result(run)["levels"]


def memory_chart() -> str:
    """Client RSS per connection at every level, both clients side by side."""
    table, levels = _table_and_levels()
    series = {
        label: [
            r["rss_per_connection"].estimate / 1024 for r in table if r["kind"] == kind
        ]
        for kind, label in CLIENTS
    }
    alt = (
        f"Client memory per connection (KiB). At {levels[-1]:,} connections: a "
        f"thread per connection {series['thread per connection'][-1]:.1f} KiB, "
        f"asyncio {series['asyncio'][-1]:.1f} KiB."
    )
    svg = charts.bar_chart(
        [f"{n:,} connections" for n in levels],
        series,
        label="KiB of RSS per connection (lower is better)",
        alt=alt,
        salt="many-connections-memory",
        fmt="{:.1f}",
    )
    return render.figure(svg, alt)


def time_chart() -> str:
    """Wall time to open, use and close N connections, both clients, log-log."""
    table, levels = _table_and_levels()
    series = {
        label: [
            (r["connections"], r["time"].estimate) for r in table if r["kind"] == kind
        ]
        for kind, label in CLIENTS
    }
    top = levels[-1]
    at_top = {r["kind"]: r["time"].estimate for r in table if r["connections"] == top}
    alt = (
        f"Time to open, use and close N connections. At {top:,}: a thread per "
        f"connection {at_top['threads']:.2f} s, asyncio {at_top['asyncio']:.2f} s."
    )
    svg = charts.line_chart(
        series,
        xlabel="concurrent connections (log scale)",
        ylabel="seconds (log scale)",
        alt=alt,
        salt="many-connections-time",
        logx=True,
        logy=True,
        xticks=levels,
        xticklabels=[f"{n:,}" for n in levels],
    )
    return render.figure(svg, alt)


def _shown(interval: stats.Interval, unit: str, digits: int, scale: float) -> str:
    """The median, with its interval when there were rounds enough for one."""
    estimate = f"{interval.estimate / scale:.{digits}f}{unit}"
    if interval.n < stats.MIN_ROUNDS:
        return estimate
    return (
        f"{estimate} [{interval.low / scale:.{digits}f}–"
        f"{interval.high / scale:.{digits}f}]"
    )


def table() -> str:
    """Every level and client: wall time, memory per connection, failures; then
    what the server saw."""
    run = render.experiment(EXPERIMENT)
    interval = stats.interval_label()
    lines = [
        f"| connections | client | rounds | wall time [{interval}] | RSS per "
        f"connection [{interval}] | RSS added | failures |",
        "|--:|---|--:|--:|--:|--:|--:|",
    ]
    for r in coordination.many_connections_table(render.evidence(run)):
        lines.append(
            f"| {r['connections']:,} | {r['kind']} | {r['time'].n} | "
            f"{_shown(r['time'], ' s', 3, 1)} | "
            f"{_shown(r['rss_per_connection'], ' KiB', 1, 1024)} | "
            f"{r['rss_added'].estimate / 2**20:.1f} MiB | {r['failures']} |"
        )
    server = _result(run)["server"]
    lines += [
        "",
        f"Intervals where a level ran at least {stats.MIN_ROUNDS} rounds; a level "
        "with fewer shows its median only.",
        "",
        f"The server accepted {server.get('accepted', 0):,} connections in total, at "
        f"most {server.get('peak', 0):,} open at once, and exited with code "
        f"{server.get('exitcode')}.",
    ]
    return "\n".join(lines) + "\n"


def right_choice() -> str:
    """The article's "right choice" table, each row's reason taken from a result."""
    cpu = render.experiment("cpu_bound")
    conn = render.experiment(EXPERIMENT)
    blocking = render.experiment("asyncio_blocking")
    rows = {
        (r["kind"], r["connections"]): r
        for r in coordination.many_connections_table(render.evidence(conn))
    }
    levels = _result(conn)["levels"]
    where = _where_leaner(rows, levels)
    # Each reason is the claim's verdict, with why where the machine could not show it.
    scale = render.sentence(cpu, part1.processes_scale)
    stall = render.sentence(blocking, coordination.blocking_call_stalls_the_loop)
    memory = render.sentence(conn, coordination.asyncio_uses_less_memory_per_connection)
    return (
        "| Your program | Choose | Measured reason |\n"
        "|---|---|---|\n"
        f"| CPU-bound pure Python | processes (`ProcessPoolExecutor`) | {scale} |\n"
        "| I/O-bound, up to a few hundred connections, blocking libraries | threads "
        "(`ThreadPoolExecutor`) | Not time or memory: asyncio's client took less of "
        f"both {where}. The reason is the libraries: a coroutine cannot "
        f"wait on a blocking call without freezing the loop. {stall} |\n"
        f"| I/O-bound, thousands of connections | asyncio | {memory} |\n"
    )


def _levels_text(levels: list[int]) -> str:
    """1,000 / 100 and 1,000 / 100, 500 and 1,000."""
    names = [f"{n:,}" for n in levels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _where_leaner(rows: dict[tuple[str, int], Any], levels: list[int]) -> str:
    """Where asyncio's median time and memory were both below the threads', telling
    levels with an interval apart from levels that ran too few rounds for one."""
    leaner = [
        n
        for n in levels
        if rows[("asyncio", n)]["time"].estimate < rows[("threads", n)]["time"].estimate
        and rows[("asyncio", n)]["rss_per_connection"].estimate
        < rows[("threads", n)]["rss_per_connection"].estimate
    ]
    if len(leaner) != len(levels):
        return f"at {len(leaner)} of the {len(levels)} levels measured above (medians)"

    def rounds(n: int) -> int:
        return min(rows[(kind, n)]["time"].n for kind, _ in CLIENTS)

    full = [n for n in levels if rounds(n) >= stats.MIN_ROUNDS]
    few = [n for n in levels if rounds(n) < stats.MIN_ROUNDS]
    parts = []
    if full:
        counts = sorted({rounds(n) for n in full})
        ran = " or ".join(str(c) for c in counts)
        parts.append(
            f"at {_levels_text(full)} connections (medians of {ran} rounds, "
            "intervals above)"
        )
    if few:
        counts = sorted({rounds(n) for n in few})
        if counts == [1]:
            ran = "single rounds" if len(few) > 1 else "a single round"
        else:
            ran = f"medians of {' or '.join(str(c) for c in counts)} rounds"
        if not full:
            return f"at {_levels_text(few)} connections ({ran}, no interval)"
        parts.append(f"; at {_levels_text(few)}, {ran} pointed the same way")
    return "".join(parts)
