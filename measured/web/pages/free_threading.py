"""docs/free-threading.md: threads with and without the GIL, on the same version.

Every piece reads the runs of ``free_threading`` on the free-threaded interpreters
of this build, the GIL builds of the same versions, and this build's interpreter
(across.free_threaded_and_twins), not the whole matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from measured.claims import modern
from measured.run import runner, stats
from measured.run.shapes.modern import FreeThreading
from measured.web import across, charts, render

EXPERIMENT = "free_threading"
MIB = 2**20
# `show PAGE.missing "what" [LABEL…]`: a line per interpreter this build lacks.
missing = across.missing_for(EXPERIMENT)


def _runs() -> list[runner.Run]:
    return across.runs(EXPERIMENT, where=across.free_threaded_and_twins)


def verdicts(*names: str) -> str:
    """Each named claim of free_threading on every interpreter of this page."""
    return across.claim_lines(_runs(), *(getattr(modern, name) for name in names))


def outputs() -> str:
    """Every run's output and provenance, under its interpreter's name."""
    return across.outputs(_runs())


def setup() -> str:
    """The workload and the pools, as the script set them."""
    r = render.result(_runs()[0], FreeThreading)
    return (
        f"Here: {r['tasks']} tasks of {r['size']:,} iterations, pools of "
        + ", ".join(str(w) for w in r["workers"])
        + f" threads, {r['cpu']['rounds']} timed rounds per run, each timing the "
        "serial loop and every pool once in a new random order.\n"
    )


def chart() -> str:
    """Speedup against the number of threads, a line per interpreter."""
    runs = _runs()
    tables = {
        across.label(run): modern.free_threading_series(render.evidence(run))
        for run in runs
    }
    series = {
        f"Python {name}": [(row["workers"], row["speedup"].estimate) for row in rows]
        for name, rows in tables.items()
    }
    alt = "Speedup against the number of threads: " + "; ".join(
        f"Python {name} reaches {rows[-1]['speedup'].estimate:.2f}x "
        f"with {rows[-1]['workers']} threads"
        for name, rows in tables.items()
    )
    svg = charts.speedup_chart(
        series,
        cores=render.result(runs[0], FreeThreading)["cores"],
        alt=alt,
        salt="free-threading",
    )
    return render.figure(svg, alt)


def table() -> str:
    """Every interpreter and pool size: median time and speedup over serial."""
    lines = [
        f"| Python | threads | median time | speedup [{stats.interval_label()}] |",
        "|---|--:|--:|--:|",
    ]
    for run in _runs():
        evidence = render.evidence(run)
        name = across.label(run)
        serial = evidence.timing("cpu", "serial")
        lines.append(f"| {name} | serial | {serial.estimate:.3f} s | 1.00× |")
        lines += [
            f"| {name} | {row['workers']} | {row['time'].estimate:.3f} s "
            f"| {row['speedup'].text()} |"
            for row in modern.free_threading_series(evidence)
        ]
    # Without this, a reader divides the medians shown and gets another figure.
    lines += [
        "",
        "Each speedup is the median of the per-round ratios to the serial loop, not "
        "the ratio of the median times shown.",
    ]
    return "\n".join(lines) + "\n"


def _minor(label: str) -> str:
    """ "3.14" from "3.14.2t" or "3.14.0"."""
    return ".".join(label.rstrip("t").split(".")[:2])


def _pairs(runs: list[runner.Run]) -> list[tuple[runner.Run, runner.Run]]:
    """(GIL build, free-threaded build) of the same feature version, each a run.

    Paired by feature version (3.14t with 3.14): patch releases may differ.
    """
    labels = {across.label(run): run for run in runs}
    gil_builds = {_minor(name): run for name, run in labels.items() if name[-1] != "t"}
    return [
        (gil, free)
        for name, free in sorted(labels.items())
        if name.endswith("t") and (gil := gil_builds.get(_minor(name)))
    ]


@dataclass(frozen=True)
class Documented:
    """A figure the CPython documentation states, quoted with where it says it."""

    quote: str
    where: str
    url: str


# The single-thread overhead as the free-threading HOWTO of each version states it
# (section "Single-threaded performance"), and for 3.14 What's New too, whose
# figure differs: quoted, never measured here, and shown beside what this build
# measured.
DOCUMENTED_COST: dict[str, tuple[Documented, ...]] = {
    "3.13": (
        Documented(
            "In 3.13, this overhead is about 40% on the pyperformance suite. [...] "
            "The largest impact is because the specializing adaptive interpreter "
            "(PEP 659) is disabled in the free-threaded build.",
            "free-threading HOWTO, Python 3.13",
            "https://docs.python.org/3.13/howto/free-threading-python.html"
            "#single-threaded-performance",
        ),
    ),
    "3.14": (
        Documented(
            "On the pyperformance benchmark suite, the average overhead ranges "
            "from about 1% on macOS aarch64 to 8% on x86-64 Linux systems.",
            "free-threading HOWTO, Python 3.14",
            "https://docs.python.org/3.14/howto/free-threading-python.html"
            "#single-threaded-performance",
        ),
        Documented(
            "The performance penalty on single-threaded code in free-threaded "
            "mode is now roughly 5-10%, depending on the platform and C compiler "
            "used.",
            "What's New in Python 3.14",
            "https://docs.python.org/3.14/whatsnew/3.14.html"
            "#whatsnew314-free-threaded-cpython",
        ),
    ),
}


def not_measured_here(minor: str) -> str:
    """The sentence a comparison shows when this build lacks one of the two builds
    of ``minor``, with the command that measures both (across.measure_command)."""
    command = across.measure_command(EXPERIMENT, minor, f"{minor}t")
    return (
        f"*needs a free-threaded build, not measured here:* this build has no "
        f"Python {minor}t and {minor} pair. Measure it with `{command}`."
    )


def cost_range(slow: stats.Interval, fast: stats.Interval) -> tuple[float, float]:
    """The free-threaded loop's extra time over the GIL build's, as fractions: the
    lowest and highest ratio the two timings' intervals allow.

    The two timings come from separate processes, never paired round by round, so
    no paired interval exists; dividing bound by opposite bound is conservative
    (wider than a paired interval would be), and claims nothing finer.
    """
    return slow.low / fast.high - 1, slow.high / fast.low - 1


def _cost_text(gil: runner.Run, free: runner.Run) -> str:
    slow = render.evidence(free).timing("cpu", "serial")
    fast = render.evidence(gil).timing("cpu", "serial")
    low, high = cost_range(slow, fast)
    return (
        f"{slow.text(' s', 3)} on {across.label(free)} against "
        f"{fast.text(' s', 3)} on {across.label(gil)}: from {low * 100:+.0f} % "
        f"to {high * 100:+.0f} % (the two intervals' bounds divided: a "
        "conservative range, not a paired interval)"
    )


def _version_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def _versions(measured: Iterable[str]) -> list[str]:
    """Documented versions, every free-threaded version the matrix expects, and
    whatever this build measured: one row or line each."""
    expected = {label.rstrip("t") for label in across.expected(across.FREE_THREADED)}
    return sorted({*DOCUMENTED_COST, *expected, *measured}, key=_version_key)


def _measured_pairs(runs: list[runner.Run]) -> dict[str, tuple[runner.Run, runner.Run]]:
    return {_minor(across.label(gil)): (gil, free) for gil, free in _pairs(runs)}


def cost_rows(runs: list[runner.Run]) -> list[list[str]]:
    """A row per feature version: what the HOWTO documents, what this build
    measured (one thread, the serial loop), or how to measure it."""
    measured = _measured_pairs(runs)
    rows = []
    for minor in _versions(measured):
        docs = DOCUMENTED_COST.get(minor, ())
        quoted = (
            " ".join(f"“{doc.quote}” ([{doc.where}]({doc.url}))" for doc in docs) or "—"
        )
        pair = measured.get(minor)
        here = _cost_text(*pair) if pair else not_measured_here(minor)
        rows.append([f"{minor}t against {minor}", quoted, here])
    return rows


def single_thread_cost() -> str:
    """One thread's serial loop, free-threaded build against the GIL build, beside
    the overhead the documentation states for each version."""
    return render.table(
        [
            "Builds",
            "documented: pyperformance (quoted, not measured here)",
            "measured here: the serial loop above, one thread",
        ],
        "|---|---|---|",
        cost_rows(_runs()),
        notes=[
            "A measured row compares two separate processes, timed one after the "
            "other, not in the same rounds: its range divides one interval's bounds "
            "by the other's, an estimate, not a verdict. The serial loop runs in "
            "the process that also holds the thread pools, started before any "
            "timing; on 3.13t starting a thread immortalizes code objects and "
            "module-level functions (the 3.13 HOWTO, *Immortalization*), so the "
            "row estimates that setting. One loop of integer arithmetic is not the "
            "pyperformance suite either: expect it to differ from the documented "
            "average."
        ],
    )


def _span(values: list[float]) -> str:
    """``12.3 MiB``, or ``12.3-14.0 MiB`` where the children differed."""
    low, high = f"{min(values) / MIB:.1f}", f"{max(values) / MIB:.1f}"
    return f"{low} MiB" if low == high else f"{low}–{high} MiB"


def _rss(run: runner.Run) -> list[list[int]]:
    """Every child's resident memory of the run: [at start, holding the
    workload]; empty where it was not measured (not Linux)."""
    return [
        sample
        for r in render.evidence(run).values(lambda r: r["memory"]["samples"])
        for sample in r
    ]


def _growth(samples: list[list[int]]) -> str:
    return _span([float(held - start) for start, held in samples])


def memory_rows(runs: list[runner.Run]) -> list[list[str]]:
    """A row per interpreter: every child's RSS at start, holding the workload,
    and the growth, as min-max over the children."""
    rows = []
    for run in runs:
        samples = _rss(run)
        if not samples:
            error = render.result(run, FreeThreading)["memory"]["error"]
            rows.append(
                [across.label(run), "0", "not measured", error.strip()[-60:], ""]
            )
            continue
        rows.append(
            [
                across.label(run),
                str(len(samples)),
                _span([float(s[0]) for s in samples]),
                _span([float(s[1]) for s in samples]),
                _growth(samples),
            ]
        )
    return rows


def memory_comparison(runs: list[runner.Run]) -> str:
    """A line per feature version: free-threaded against GIL build, the pair
    present but resident memory not readable here, or how to measure it."""
    measured = _measured_pairs(runs)
    lines = []
    for minor in _versions(measured):
        pair = measured.get(minor)
        if pair is None:
            text = not_measured_here(minor)
        elif not (_rss(pair[1]) and _rss(pair[0])):
            text = (
                "this build has both, but resident memory was not measurable here: "
                "the experiment reads `VmRSS` from /proc (Linux only)."
            )
        else:
            gil, free = pair
            text = (
                f"Python {across.label(free)} grew by {_growth(_rss(free))} "
                f"holding the workload, Python {across.label(gil)} by "
                f"{_growth(_rss(gil))} (min–max over the children). Separate "
                "processes of two interpreters, resident memory including what "
                "each allocator (mimalloc, pymalloc) keeps: an estimate, not a "
                "verdict, and not the size of the objects."
            )
        lines.append(f"- Python {minor}t against {minor}: {text}")
    return "\n".join(lines) + "\n"


def memory_cost() -> str:
    """Resident memory of fresh interpreters holding the same small workload, per
    interpreter of this page, then free-threaded against GIL builds."""
    runs = _runs()
    items = render.result(runs[0], FreeThreading)["memory"]["items"]
    table = render.table(
        ["Python", "children", "at start", f"holding {items:,} small dicts", "growth"],
        "|---|--:|--:|--:|--:|",
        memory_rows(runs),
    )
    return table + "\n" + memory_comparison(runs)


def missing_since(what: str, since: str) -> str:
    """:func:`missing` for every expected version from ``since`` on, both builds
    (``show free_threading.missing_since "what" 3.14``)."""
    labels = [
        label
        for label in across.expected()
        if _version_key(_minor(label)) >= _version_key(since)
    ]
    return missing(what, *labels)


def _flag(value: int | None) -> str:
    return "— (3.14+)" if value is None else f"`{value}`"


def context_rows(runs: list[runner.Run]) -> list[list[str]]:
    """A row per interpreter: the two 3.14 flags and what a new Thread saw."""
    words = {"inherited": "its creator's value", "empty": "an empty context"}
    rows = []
    for run in runs:
        context = render.result(run, FreeThreading)["context"]
        flipped = context["flipped"]
        rows.append(
            [
                across.label(run),
                _flag(context["flags"]["thread_inherit_context"]),
                _flag(context["flags"]["context_aware_warnings"]),
                words[context["seen"]],
                f"`-X thread_inherit_context={flipped['flag']}`: "
                f"{words[flipped['seen']]}"
                if flipped
                else "— (no such flag)",
            ]
        )
    return rows


def context_flags() -> str:
    """The 3.14 flags, as each interpreter of this page had them, and what a new
    Thread saw of a context variable its creator set."""
    return render.table(
        [
            "Python",
            "`thread_inherit_context`",
            "`context_aware_warnings`",
            "a new `Thread` saw",
            "the flag flipped",
        ],
        "|---|--:|--:|---|---|",
        context_rows(_runs()),
    )


def containers() -> str:
    """Operations lost by `append`, unlocked `+=` and locked `+=`, per interpreter."""

    def row(run: runner.Run) -> list[str]:
        race = render.result(run, FreeThreading)["race"]
        lost = modern.race_totals(render.evidence(run))
        return [
            across.label(run),
            f"{race['threads']} × {race['rounds']:,} ({len(run.executions)})",
            f"{lost['appends']:,}",
            f"{lost['unlocked']:,}",
            f"{lost['locked']:,}",
        ]

    return render.table(
        [
            "Python",
            "threads × operations (runs)",
            "`append` lost",
            "`+=` lost",
            "`+=` with a Lock",
        ],
        "|---|--:|--:|--:|--:|",
        map(row, _runs()),
    )


def lost_updates() -> str:
    """Per interpreter: unlocked and locked increments lost, whatever the build
    (on a GIL build, what the GIL build gives)."""
    lines = []
    for run in _runs():
        lost = modern.race_totals(render.evidence(run))
        build = "free-threaded" if run.env["free_threaded_build"] else "GIL"
        gil = "off" if not run.env["gil_enabled"] else "on"
        lines.append(
            f"- Python {across.label(run)} ({build} build, GIL {gil}): "
            f"**{lost['unlocked']:,}** of {lost['total']:,} unlocked "
            f'`counts["hits"] += 1` lost; {lost["locked"]:,} under the `Lock`.'
        )
    return "\n".join(lines) + "\n"


def legacy_warnings() -> str:
    """The RuntimeWarning a legacy extension raised, from each interpreter that
    printed one."""
    text = ""
    for run in _runs():
        controls = render.result(run, FreeThreading)["gil_controls"]
        if controls and controls["legacy_warning"]:
            text += f"The warning, from Python {across.label(run)}:\n\n"
            text += across.fenced(controls["legacy_warning"]) + "\n"
    return text
