"""Timelines (Gantt charts) as hand-written inline SVG, sized for a phone.

A lane per worker, a bar where it ran (solid) or waited (pale), grouped under a
heading per way of running the work, on one time axis. The viewBox is
VIEW_WIDTH units wide and text is FONT units: in a phone's 358 px column that
is about 13 CSS px, and ``.measured-timeline`` caps the width on a desktop so
the text never grows past about 20 px. Text and axes are ``currentColor``
(the page's text colour in either scheme); bars use the charts' palette, each at
least 3:1 on white and on slate.

No matplotlib: a few dozen rectangles render in microseconds, so nothing is
cached and a warm build pays nothing for them.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from measured.run.spans import Span
from measured.web.charts import PALETTE

VIEW_WIDTH = 400
FONT = 15
LABEL_WIDTH = 100  # the lane names' column ("process 2")
RIGHT = 16  # room for the last tick's number
HEADING = 26  # a group's heading row
ROW = 22  # one lane
BAR = 14
AXIS = 40  # ticks and their labels


@dataclass
class Lane:
    """One worker: where it ran and where it waited, each span with a palette slot."""

    label: str
    running: list[tuple[Span, int]] = field(default_factory=list)
    waiting: list[tuple[Span, int]] = field(default_factory=list)


@dataclass
class Group:
    heading: str
    lanes: list[Lane]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_step(end: float, most: int = 4) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving at most ``most`` steps."""
    raw = end / most
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def text(x: float, y: float, words: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" fill="currentColor"{extra}>'
        f"{html.escape(words)}</text>"
    )


def _legend(y: float, kinds: Sequence[str]) -> list[str]:
    parts, x = [], 0.0
    for kind in kinds:
        parts.append(_bar(x, y - BAR + 2, 18, kind == "running", 0))
        parts.append(text(x + 24, y, kind))
        x += 24 + 9 * len(kind) + 24
    return parts


def _bar(x: float, y: float, width: float, solid: bool, slot: int) -> str:
    colour = PALETTE[slot % len(PALETTE)]
    paint = (
        f'fill="{colour}"'
        if solid
        else f'fill="{colour}" fill-opacity="0.28" stroke="{colour}" stroke-width="1.5"'
    )
    return (
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{max(0.6, width):.2f}" '
        f'height="{BAR}" {paint}/>'
    )


def gantt(groups: Sequence[Group], *, alt: str, unit: float = 1000.0) -> str:
    """The groups on one time axis (seconds in, shown in ms with ``unit``)."""
    end = max(
        s[1] for g in groups for lane in g.lanes for s, _ in lane.running + lane.waiting
    )
    x0, x1 = LABEL_WIDTH, VIEW_WIDTH - RIGHT
    scale = (x1 - x0) / (end * unit)
    kinds = [
        k
        for k, present in (
            ("running", any(lane.running for g in groups for lane in g.lanes)),
            ("waiting", any(lane.waiting for g in groups for lane in g.lanes)),
        )
        if present
    ]
    body: list[str] = []
    y = 18.0
    if len(kinds) > 1:
        body += _legend(y, kinds)
        y += 12
    top = y
    for group in groups:
        y += HEADING
        body.append(text(0, y - 8, group.heading, font_weight="bold"))
        for lane in group.lanes:
            body.append(text(0, y + BAR - 2, lane.label))
            for (start, stop), slot in lane.waiting:
                x = x0 + start * unit * scale
                body.append(_bar(x, y, (stop - start) * unit * scale, False, slot))
            for (start, stop), slot in lane.running:
                x = x0 + start * unit * scale
                body.append(_bar(x, y, (stop - start) * unit * scale, True, slot))
            y += ROW
    step = nice_step(end * unit)
    ticks = [i * step for i in range(int(end * unit / step + 1e-9) + 1)]
    grid = []
    for tick in ticks:
        x = x0 + tick * scale
        grid.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(top)}" x2="{_fmt(x)}" y2="{_fmt(y + 4)}" '
            'stroke="currentColor" stroke-opacity="0.2"/>'
        )
        body.append(text(x, y + 22, f"{tick:g}", text_anchor="middle"))
    body.append(text(0, y + 22, "time, ms"))
    axis = (
        f'<line x1="{x0}" y1="{_fmt(y + 4)}" x2="{x1}" y2="{_fmt(y + 4)}" '
        'stroke="currentColor" stroke-width="1"/>'
    )
    height = y + AXIS
    label = html.escape(alt, quote=True)
    return (
        f'<svg role="img" aria-label="{label}" class="measured-chart" '
        f'viewBox="0 0 {VIEW_WIDTH} {_fmt(height)}" font-size="{FONT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        + "".join(grid)
        + axis
        + "".join(body)
        + "</svg>"
    )


def figure(svg: str, caption: str) -> str:
    """The chart in a figure whose CSS class keeps its text phone-sized; `code`
    in the caption is set as code (Markdown does not reach inside raw HTML)."""
    caption = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(caption))
    return (
        f'<figure class="measured-figure measured-timeline">\n{svg}\n'
        f"<figcaption>{caption}</figcaption>\n</figure>\n"
    )
