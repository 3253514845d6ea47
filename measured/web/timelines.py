"""The timeline pictures of snippets/timelines.py, as pages show them.

Every number in an alt text or a caption is computed here from the run the page
was built with; the claims read the same spans through ``measured.run.spans``.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from typing import Any

from measured.run import spans
from measured.run.shapes.part1 import Timelines
from measured.run.spans import Span
from measured.web import charts_timeline as tl
from measured.web import render

EXPERIMENT = "timelines"
HEADINGS = {
    "serial": "One after another",
    "threads": "2 threads",
    "processes": "2 processes",
}


def result() -> Timelines:
    return render.evidence(render.experiment(EXPERIMENT)).result_as(Timelines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _pct(share: float) -> str:
    return f"{share:.0%}".replace("%", " %")


def gaps(running: Sequence[Span], start: float, end: float) -> list[Span]:
    """The time between ``start`` and ``end`` not covered by ``running``."""
    out, at = [], start
    for a, b in spans.merged(running):
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if end > at:
        out.append((at, end))
    return out


def _cpu_lane(label: str, tasks: Sequence[tuple[int, list[float]]]) -> tl.Lane:
    lane = tl.Lane(label)
    for slot, stamps in tasks:
        ran = spans.runs_from_stamps(stamps)
        lane.running += [(s, slot) for s in ran]
        lane.waiting += [(s, slot) for s in gaps(ran, stamps[0], stamps[-1])]
    return lane


def _io_lane(label: str, tasks: Sequence[tuple[int, list[float]]]) -> tl.Lane:
    return tl.Lane(label, waiting=[((st[0], st[-1]), slot) for slot, st in tasks])


def _groups(scenarios: dict[str, list[list[Any]]], cpu: bool) -> list[tl.Group]:
    make = _cpu_lane if cpu else _io_lane
    groups = []
    for kind in ("serial", "threads", "processes"):
        rows = scenarios[kind]
        end = max(stamps[-1] for _, stamps in rows)
        if kind == "serial":
            lanes = [make("main thread", list(enumerate(s for _, s in rows)))]
        else:
            lanes = [make(worker, [(i, s)]) for i, (worker, s) in enumerate(rows)]
        groups.append(tl.Group(f"{HEADINGS[kind]}: {_ms(end)}", lanes))
    return groups


def _together(rows: list[list[Any]]) -> float:
    first, second = (spans.runs_from_stamps(s) for _, s in rows[:2])
    return spans.overlap_share(first, second)


def _chunk(stamps: Sequence[float]) -> float:
    """Median time between two stamps: one fixed piece of work, so its pace."""
    return statistics.median(b - a for a, b in itertools.pairwise(stamps))


def _paces(rows: list[list[Any]], alone: float) -> str:
    """Each worker's median chunk time, and its pace against the serial one."""
    return ", ".join(
        f"{worker} {_chunk(stamps) * 1000:.2f} ms ({_pct(alone / _chunk(stamps))} "
        "of the serial pace)"
        for worker, stamps in rows
    )


def cpu_chart() -> str:
    """Two CPU tasks one after another, in 2 threads and in 2 processes."""
    data = result()
    cpu = data["cpu"]
    work = statistics.median(s[-1] - s[0] for _, s in cpu["serial"])
    took = {k: max(s[-1] for _, s in rows) for k, rows in cpu.items()}
    alone = statistics.median(_chunk(s) for _, s in cpu["serial"])
    processes = _paces(cpu["processes"], alone)
    alt = (
        f"Timeline of two CPU-bound tasks of about {_ms(work)} each. One after "
        f"another: {_ms(took['serial'])}. In 2 threads: {_ms(took['threads'])}, "
        f"running side by side {_pct(_together(cpu['threads']))} of the time. "
        f"In 2 processes: {_ms(took['processes'])}, running side by "
        f"side {_pct(_together(cpu['processes']))} of the time; median time per "
        f"piece of work: {processes}."
    )
    caption = (
        f"Each colour is one task of about {_ms(work)} of pure-Python work: solid "
        "where it ran, pale where it had started but was not running. Each task "
        "stamped the time after every fixed piece of work (sized beforehand to about "
        "half a millisecond); "
        f"one piece took a median {alone * 1000:.2f} ms one after another. In this "
        f"run the pair of processes took {_ms(took['processes'])} against "
        f"{_ms(took['serial'])} one after another; each piece took {processes}. "
        "Running at the same time does not mean each had a full core."
    )
    return tl.figure(tl.gantt(_groups(cpu, cpu=True), alt=alt), caption)


def io_chart() -> str:
    """Two waits one after another, in 2 threads and in 2 processes."""
    data = result()
    io = data["io"]
    took = {k: max(s[-1] for _, s in rows) for k, rows in io.items()}
    waits = {k: [[(s[0], s[-1])] for _, s in rows] for k, rows in io.items()}
    at_once = {k: _pct(spans.overlap_share(*w[:2])) for k, w in waits.items()}
    alt = (
        f"Timeline of two waits of {_ms(data['wait'])} each. One after another: "
        f"{_ms(took['serial'])}. In 2 threads: {_ms(took['threads'])}, waiting side "
        f"by side {at_once['threads']} of the time. In 2 processes: "
        f"{_ms(took['processes'])}, side by side {at_once['processes']} of the time."
    )
    caption = (
        f"Each bar is one `time.sleep({data['wait']:g})`, standing in for a network "
        "wait: a waiting thread has released the GIL, so threads wait side by side."
    )
    return tl.figure(tl.gantt(_groups(io, cpu=False), alt=alt), caption)


def turns(data: Timelines) -> dict[str, list[Span]]:
    return {k: spans.runs_from_stamps(v) for k, v in data["handoff"].items()}


def handoff_chart(data: Timelines | None = None, label: str = "") -> str:
    """Two threads on CPU work handing the GIL back and forth, turn by turn."""
    data = data or result()
    ran = turns(data)
    end = max(s[-1] for s in data["handoff"].values())
    lanes = [
        tl.Lane(
            name,
            running=[(s, i) for s in ran[name]],
            waiting=[(s, i) for s in gaps(ran[name], 0.0, stamps[-1])],
        )
        for i, (name, stamps) in enumerate(data["handoff"].items())
    ]
    lengths = [b - a for runs in ran.values() for a, b in runs]
    count = len(lengths)
    shares = ", ".join(
        f"{name} ran {_pct(spans.length(r) / end)}" for name, r in ran.items()
    )
    switch = data["switch_interval"]
    both = spans.overlap_share(*ran.values())
    alt = (
        f"Timeline of two threads on CPU work{label}: {shares} of the "
        f"{_ms(end)}, side by side {_pct(both)} of the time; {count} turns of a median "
        f"{statistics.median(lengths) * 1000:.1f} ms; the switch interval is "
        f"{switch * 1000:g} ms."
    )
    caption = (
        f"Each solid stripe is one turn: {count} turns, a median "
        f"{statistics.median(lengths) * 1000:.1f} ms each, against a switch interval "
        f"(`sys.getswitchinterval()`) of {switch * 1000:g} ms. Pale: the thread "
        "waited for the lock."
    )
    group = tl.Group(f"2 threads{label}: {count} turns", lanes)
    return tl.figure(tl.gantt([group], alt=alt), caption)


def asyncio_chart() -> str:
    """Three tasks on one event loop: each step runs until its next await."""
    data = result()
    by_task: dict[str, list[Span]] = {}
    for task, start, end in data["asyncio"]:
        by_task.setdefault(task, []).append((start, end))
    lanes = []
    for i, (task, steps) in enumerate(by_task.items()):
        lane = tl.Lane(task, running=[(s, i) for s in steps])
        lane.waiting = [(s, i) for s in gaps(steps, steps[0][0], steps[-1][1])]
        lanes.append(lane)
    names = list(by_task)
    both = sum(
        spans.overlap(by_task[a], by_task[b])
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    )
    step = statistics.median(e - s for _, s, e in data["asyncio"])
    switch = switch_gap(data)
    alt = (
        f"Timeline of {len(names)} asyncio tasks on one event loop: "
        f"{len(data['asyncio'])} steps of a median {step * 1000:.1f} ms, two at "
        f"once for {both * 1000:.1f} ms in all; between steps each task waited in "
        f"await asyncio.sleep; the loop moved to the next task in a median "
        f"{switch * 1e6:.0f} µs."
    )
    caption = (
        "Solid: a task running until its next `await`; pale: the task waiting in "
        "`await asyncio.sleep(...)` while the loop runs the others."
    )
    group = tl.Group(f"{len(names)} tasks, 1 thread", lanes)
    return tl.figure(tl.gantt([group], alt=alt), caption)


def switch_hops(data: Timelines) -> list[float]:
    """Seconds from one task's step ending to another task's step starting."""
    steps = sorted(data["asyncio"], key=lambda r: r[1])
    return [
        b[1] - a[2]
        for a, b in itertools.pairwise(steps)
        if a[0] != b[0] and b[1] >= a[2]
    ]


def switch_gap(data: Timelines) -> float:
    """Median time from one task's step ending to another task's step starting."""
    hops = switch_hops(data)
    return statistics.median(hops) if hops else 0.0


def round_trip_medians(data: Timelines) -> tuple[float, float]:
    """Median seconds for a tiny task to reach a worker process, and to come back."""
    there, back = _legs(data)
    return statistics.median(there), statistics.median(back)


def round_trip_quartiles(
    data: Timelines,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The interquartile range of each leg, in seconds: its spread in this run."""
    there, back = _legs(data)
    return _iqr(there), _iqr(back)


def _legs(data: Timelines) -> tuple[list[float], list[float]]:
    trips = data["round_trips"]
    there = [ran - sent for sent, ran, _ in trips]
    back = [done - ran for _, ran, done in trips]
    return there, back


def _iqr(values: Sequence[float]) -> tuple[float, float]:
    low, _, high = statistics.quantiles(values, n=4)
    return low, high
