"""Mechanism diagrams as build-time inline SVG: no diagram library on the page.

One column of boxes read top to bottom, so it stays legible in a phone's column
(same viewBox width and type size as the timelines). Boxes are outlined in the
charts' palette, text and arrows in ``currentColor``. Measured figures come in as
arguments, rendered by the page from its run; nothing here is a number.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from measured.web import charts_timeline as tl
from measured.web.charts import PALETTE

WIDTH = tl.VIEW_WIDTH
LINE = 19  # one line of text in a box
PAD = 9
GAP = 34  # between two boxes: the arrow and its label

Box = tuple[str, Sequence[str], int, str]  # (heading, lines, palette slot, align)


def _box(y: float, box: Box) -> tuple[list[str], float]:
    heading, lines, slot, align = box
    width = WIDTH * 0.74
    x = 0.0 if align == "left" else WIDTH - width if align == "right" else 0.0
    if align == "full":
        width = WIDTH - 2
    height = PAD * 2 + LINE * (len(lines) + 1) - 4
    colour = PALETTE[slot % len(PALETTE)]
    parts = [
        f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" '
        f'height="{height:.1f}" rx="6" fill="{colour}" fill-opacity="0.12" '
        f'stroke="{colour}" stroke-width="2"/>'
    ]
    ty = y + PAD + LINE - 5
    parts.append(tl.text(x + 10, ty, heading, font_weight="bold"))
    for line in lines:
        ty += LINE
        parts.append(tl.text(x + 10, ty, line))
    return parts, y + height


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<path d="M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}" stroke="currentColor" '
        'stroke-width="1.6" fill="none" marker-end="url(#measured-arrow)"/>'
    )


def _centre(align: str) -> float:
    return {"left": WIDTH * 0.37, "right": WIDTH * 0.63}.get(align, WIDTH / 2)


def flow(
    boxes: Sequence[Box], notes: Sequence[str], *, alt: str, back: bool = False
) -> str:
    """Boxes top to bottom, an arrow between each two with its note beside it;
    ``back``: a labelled arrow up the right edge, from the last box to the first."""
    body: list[str] = []
    y = 4.0
    tops, bottoms = [], []
    for i, box in enumerate(boxes):
        tops.append(y)
        parts, y = _box(y, box)
        bottoms.append(y)
        body += parts
        if i < len(boxes) - 1:
            x1, x2 = _centre(box[3]), _centre(boxes[i + 1][3])
            body.append(_arrow(x1, y + 2, x2, y + GAP - 3))
            note = notes[i] if i < len(notes) else ""
            if note:  # right of the arrow, clear of the loop-back line
                body.append(tl.text(max(x1, x2) + 12, y + GAP / 2 + 5, note))
            y += GAP
    if back:
        xr = WIDTH - 6
        body.append(
            f'<path d="M{WIDTH * 0.74:.1f},{(tops[-1] + bottoms[-1]) / 2:.1f} '
            f'H{xr:.1f} V{(tops[0] + bottoms[0]) / 2:.1f} H{WIDTH * 0.74 + 4:.1f}" '
            'stroke="currentColor" stroke-width="1.6" fill="none" '
            'marker-end="url(#measured-arrow)"/>'
        )
    label = html.escape(alt, quote=True)
    marker = (
        '<defs><marker id="measured-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>'
    )
    return (
        f'<svg role="img" aria-label="{label}" class="measured-chart" '
        f'viewBox="0 0 {WIDTH} {y + 4:.0f}" font-size="{tl.FONT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{marker}'
        + "".join(body)
        + "</svg>"
    )


def round_trip(
    there_ms: float,
    back_ms: float,
    trips: int,
    spread: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> tuple[str, str]:
    """A task's round trip to a worker process, with measured medians and, when
    given, each leg's interquartile range in ms: (svg, alt)."""
    boxes: list[Box] = [
        ("main process", ["pool.submit(f, x)", "pickle.dumps: f's name, x"], 0, "left"),
        (
            "worker process",
            ["pickle.loads: import f, get x", "run f(x)", "pickle.dumps(result)"],
            1,
            "right",
        ),
        (
            "main process",
            ["pickle.loads(result)", "future.result() returns"],
            0,
            "left",
        ),
    ]
    ranges = ["", ""]
    if spread is not None:
        ranges = [f" (IQR {low:.2f}–{high:.2f})" for low, high in spread]
    notes = [
        f"sent in {there_ms:.2f} ms{ranges[0]}",
        f"back in {back_ms:.2f} ms{ranges[1]}",
    ]
    alt = (
        "Diagram of a task's round trip to a worker process: the main process "
        "pickles the function's name and its arguments and writes them to a pipe; "
        "the worker unpickles them, runs the function, pickles the result and "
        "writes it back; the main process unpickles it. Measured here, a tiny "
        f"task took a median {there_ms:.2f} ms{ranges[0]} to reach the worker and "
        f"{back_ms:.2f} ms{ranges[1]} to come back ({trips} tasks, one at a time, "
        "in 1 run). Both include the executor's own thread hand-offs: a feeder "
        "thread pickles and writes the call, a manager thread reads the result."
    )
    return flow(boxes, notes, alt=alt), alt


def event_loop(
    tasks: int, step_ms: float, switch_us: float, hops: int = 0
) -> tuple[str, str]:
    """An event loop switching tasks at ``await``, with measured figures: ``hops``
    is how many step-to-step gaps ``switch_us`` is the median of."""
    boxes: list[Box] = [
        (
            "event loop",
            [f"ready: task 1 … task {tasks}", "pick the next ready task"],
            2,
            "full",
        ),
        (
            "task 1 runs",
            [f"until its next await ({step_ms:.1f} ms)", "await asyncio.sleep(…)"],
            0,
            "left",
        ),
        ("task 1 waits", ["parked on a timer", "the loop runs task 2, 3 …"], 1, "left"),
        ("timer fires", ["task 1 is ready again"], 3, "left"),
    ]
    notes = [f"switch: {switch_us:.0f} µs", "await", ""]
    alt = (
        f"Diagram of an event loop switching tasks at await: the loop picks a ready "
        f"task; it runs until its next await (a median {step_ms:.1f} ms here), then "
        "waits, parked on a timer, while the loop runs the other tasks; when the "
        "timer fires the task is ready again and the loop comes back to it. "
        "Measured here, from the end of one task's step to the start of the next "
        f"task's step took a median {switch_us:.0f} µs"
        + (f" ({hops} hops in 1 run)" if hops else "")
        + "; that includes the sleep call and the loop's timer handling."
    )
    return flow(boxes, notes, alt=alt, back=True), alt
