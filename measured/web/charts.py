"""Charts as inline SVG that follow the page's light or dark scheme.

Text, axes and grid are drawn in a sentinel colour that is swapped for
``currentColor`` after rendering, so the inline SVG takes the page's text colour in
either scheme. Data colours are mid-tones chosen to read on white and on slate.

Legible on a phone: a chart is at most WIDTH inches (about 320 SVG units) wide with
12-unit text. It is drawn at its natural size at most (12 units = 16 CSS px, the
body text) and shrinks to the column, so on a 390 px phone (a 358 px column) its
smallest text is still 12 CSS px or more. Legends sit below the plot, where they
cannot cover a line or a bar.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import os
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from measured.run import project


@functools.cache
def _pyplot() -> ModuleType:
    """matplotlib's pyplot, loaded on the first chart actually drawn."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a build machine
    import matplotlib.pyplot

    return matplotlib.pyplot


class _Pyplot:
    """``plt``: a warm rebuild serves every chart from .cache/charts and never
    imports matplotlib (half a second of a build that must take 5 s at most)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_pyplot(), name)


plt: Any = _Pyplot()

# A chart depends only on its arguments, this module (the style), the module that
# draws it and matplotlib: rendering it again on every rebuild would take most of a
# warm build's time, so the SVG is kept under .cache/charts by a hash of all four.
_SOURCE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _cached(chart: Callable[..., str]) -> Callable[..., str]:
    """Keep ``chart``'s SVG by its inputs (used by charts_matrix too)."""
    drawn_by = hashlib.sha256(
        Path(sys.modules[chart.__module__].__file__ or __file__).read_bytes()
    ).hexdigest()

    @functools.wraps(chart)
    def render(*args: object, **kwargs: object) -> str:
        inputs = repr((chart.__name__, args, sorted(kwargs.items())))
        digest = hashlib.sha256(
            f"{_SOURCE_HASH}|{drawn_by}|{metadata.version('matplotlib')}|{inputs}".encode()
        ).hexdigest()[:32]
        path = project.root() / ".cache" / "charts" / f"{digest}.svg"
        if path.is_file():
            return path.read_text()
        svg = chart(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(svg)
        tmp.replace(path)  # atomic: a parallel build never reads half a file
        return svg

    return render


_INK = "#010203"  # sentinel: becomes currentColor
WIDTH = 4.4  # inches; 72 SVG units each
FONT_SIZE = 12  # SVG units (pt); no text of a chart is smaller
LABEL_WIDTH = 18  # characters: longer category names wrap
AXIS_LABEL_WIDTH = 44  # characters of an axis label or title across the chart
# Each at least 3:1 (WCAG non-text contrast) on white and on the slate background.
PALETTE = ("#3b82f6", "#dd6b10", "#0f9d6e", "#e11d48", "#a855f7")
_MARKERS = ("o", "s", "^", "D", "v")


def _style() -> dict[str, object]:
    return {
        "svg.fonttype": "none",  # real text: page font, selectable, small
        "font.size": FONT_SIZE,
        "legend.fontsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE,
        "ytick.labelsize": FONT_SIZE,
        "axes.labelsize": FONT_SIZE,
        "text.color": _INK,
        "axes.labelcolor": _INK,
        "axes.edgecolor": _INK,
        "xtick.color": _INK,
        "ytick.color": _INK,
        "grid.color": _INK,
        "grid.alpha": 0.18,
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.transparent": True,
        "legend.frameon": False,
    }


def _to_inline_svg(fig: plt.Figure, alt: str, salt: str) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": salt}):  # unique, stable ids per chart
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE
    svg = svg.replace(_INK, "currentColor")
    # Responsive, never larger than its natural size (pt -> CSS px), so its text is
    # the body text size at most; and an accessible name.
    width = re.search(r'<svg[^>]*? width="([\d.]+)pt"', svg)
    natural = f' style="max-width: {float(width[1]) * 4 / 3:.0f}px"' if width else ""
    svg = re.sub(
        r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', rf"\1{natural}", svg, count=1
    )
    label = html.escape(alt, quote=True)
    svg = svg.replace(
        "<svg", f'<svg role="img" aria-label="{label}" class="measured-chart"', 1
    )
    svg = re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", svg, count=1)
    # Blank lines would end a raw HTML block in Markdown.
    return "\n".join(line for line in svg.splitlines() if line.strip())


@_cached
def speedup_chart(
    series: dict[str, Sequence[tuple[int, float]]],
    *,
    cores: int,
    alt: str,
    title: str = "",
    salt: str = "speedup",
    legend: str = "upper left",
) -> str:
    """Speedup against workers, a line per series, and the ideal min(w, cores).

    ``legend`` is kept for callers; the legend always sits below the plot.
    """
    del legend
    with plt.rc_context(_style()):
        fig, ax = _figure(3.2)
        workers = sorted({w for points in series.values() for w, _ in points})
        ideal = [min(w, cores) for w in workers]
        ax.plot(
            workers,
            ideal,
            linestyle="--",
            color=_INK,
            alpha=0.55,
            label=f"ideal: min(workers, {cores} cores)",
        )
        _plot_series(ax, series)
        ax.set_xticks(workers)
        ax.set_xlabel("workers")
        ax.set_ylabel("speedup vs serial (×)")
        ax.set_ylim(bottom=0)
        ax.grid(True)
        if title:
            ax.set_title(_wrap(title, AXIS_LABEL_WIDTH))
        _legend_below(fig, ax)
        return _to_inline_svg(fig, alt, salt)


@_cached
def line_chart(
    series: dict[str, Sequence[tuple[float, float]]],
    *,
    xlabel: str,
    ylabel: str,
    alt: str,
    salt: str,
    logx: bool = False,
    logy: bool = False,
    reference: tuple[float, str] | None = None,
    xticks: Sequence[float] | None = None,
    xticklabels: Sequence[str] | None = None,
    title: str = "",
    points_only: Sequence[str] = (),
) -> str:
    """A line per series over a shared x axis; ``reference`` draws a dashed y line
    (say, a speedup of 1: break-even with the serial loop). The series named in
    ``points_only`` are drawn as markers: their points are separate runs, and a
    line through them would read as a trend."""
    with plt.rc_context(_style()):
        fig, ax = _figure(3.2)
        if reference is not None:
            value, label = reference
            ax.axhline(value, linestyle="--", color=_INK, alpha=0.55, label=label)
        _plot_series(ax, series, points_only)
        if logx:
            ax.set_xscale("log")
            _plain_numbers(ax.xaxis)
        if logy:
            ax.set_yscale("log")
            _plain_numbers(ax.yaxis)
        else:
            ax.set_ylim(bottom=0)
        if xticks is not None:
            ax.set_xticks(list(xticks))
            ax.set_xticklabels(list(xticklabels or [f"{x:g}" for x in xticks]))
            ax.minorticks_off()
        ax.set_xlabel(_wrap(xlabel, AXIS_LABEL_WIDTH))
        ax.set_ylabel(_wrap(ylabel, AXIS_LABEL_WIDTH // 2))
        ax.grid(True, which="major")
        if title:
            ax.set_title(_wrap(title, AXIS_LABEL_WIDTH))
        _legend_below(fig, ax)
        return _to_inline_svg(fig, alt, salt)


@_cached
def hbar_chart(
    values: dict[str, float],
    *,
    xlabel: str,
    alt: str,
    salt: str,
    log: bool = False,
    fmt: str = "{:.2f}",
    reference: tuple[float, str] | None = None,
) -> str:
    """Horizontal bars, one per label, each annotated with its value.

    For several series per category, use :func:`bar_chart`.
    """
    with plt.rc_context(_style()):
        fig, ax = _figure(1.2 + 0.45 * len(values))
        labels = list(values)[::-1]  # first label on top
        numbers = [values[k] for k in labels]
        bars = ax.barh(
            [_category(label) for label in labels],
            numbers,
            color=[PALETTE[i % len(PALETTE)] for i in range(len(labels))][::-1],
        )
        for bar, number in zip(bars, numbers, strict=True):
            ax.annotate(
                fmt.format(number),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
            )
        if reference is not None:
            value, label = reference
            ax.axvline(value, linestyle="--", color=_INK, alpha=0.55, label=label)
            _legend_below(fig, ax)
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(_wrap(xlabel, AXIS_LABEL_WIDTH))
        ax.grid(True, axis="x")
        ax.margins(x=0.18)  # room for the value labels
        return _to_inline_svg(fig, alt, salt)


def _figure(height: float) -> tuple[plt.Figure, plt.Axes]:
    """A chart WIDTH inches wide; constrained layout keeps labels inside it."""
    return plt.subplots(figsize=(WIDTH, height), layout="constrained")


def _legend_below(fig: plt.Figure, ax: plt.Axes) -> None:
    """The axes' legend under the plot, where it cannot cover the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        columns = 1 if max(len(label) for label in labels) > 22 else 2
        fig.legend(handles, labels, loc="outside lower center", ncols=columns)


def _wrap(label: str, width: int) -> str:
    """An axis label or title broken into lines of at most ``width`` characters."""
    return textwrap.fill(label, width, break_long_words=False)


def _category(label: str) -> str:
    """A category name in lines of LABEL_WIDTH characters; a long name such as
    ``asyncio.to_thread(time.sleep)`` breaks inside a word."""
    return textwrap.fill(label, LABEL_WIDTH)


def _plot_series(
    ax: object,
    series: dict[str, Sequence[tuple[float, float]]],
    points_only: Sequence[str] = (),
) -> None:
    """One line per series through its sorted (x, y) points, in palette order
    (markers alone for the series in ``points_only``)."""
    for i, (label, points) in enumerate(series.items()):
        xs, ys = zip(*sorted(points), strict=True)
        ax.plot(  # type: ignore[attr-defined]
            xs,
            ys,
            marker=_MARKERS[i % len(_MARKERS)],
            linestyle="none" if label in points_only else "-",
            linewidth=2,
            color=PALETTE[i % len(PALETTE)],
            label=label,
        )


def _plain_numbers(axis: object) -> None:
    """Label a log axis 0.1, 1, 10, 1,000 rather than 10^-1, 10^0, 10^1, 10^3."""
    from matplotlib.ticker import FuncFormatter  # loaded only to draw a chart

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))  # type: ignore[attr-defined]


@_cached
def bar_chart(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    label: str,
    alt: str,
    salt: str,
    log: bool = False,
    horizontal: bool = False,
    fmt: str = "{:,.0f}",
    title: str = "",
) -> str:
    """Grouped bars: one group per category, one bar per series, values printed.

    ``horizontal`` suits long category names; ``log`` suits values that span
    orders of magnitude (a log axis starts at the smallest value, not at zero).
    """
    n = len(series)
    width = 0.8 / n
    height = max(2.4, 0.45 * len(categories) * n + 1.2) if horizontal else 3.2
    categories = [_category(c) for c in categories]
    with plt.rc_context(_style()):
        fig, ax = _figure(height)
        positions = range(len(categories))
        for i, (name, values) in enumerate(series.items()):
            offsets = [p + (i - (n - 1) / 2) * width for p in positions]
            draw = ax.barh if horizontal else ax.bar
            bars = draw(
                offsets, values, width, color=PALETTE[i % len(PALETTE)], label=name
            )
            ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2)
        if horizontal:
            ax.set_yticks(list(positions), list(categories))
            ax.invert_yaxis()  # first category on top, as read
        else:
            ax.set_xticks(list(positions), list(categories))
        # The values run along x for horizontal bars, along y for vertical ones.
        values_on = "x" if horizontal else "y"
        if horizontal:
            ax.set_xlabel(_wrap(label, AXIS_LABEL_WIDTH))
        else:
            ax.set_ylabel(_wrap(label, AXIS_LABEL_WIDTH // 2))
        if log:
            (ax.set_xscale if horizontal else ax.set_yscale)("log")
            _plain_numbers(ax.xaxis if horizontal else ax.yaxis)
        ax.margins(**{values_on: 0.18 if horizontal else 0.15})
        ax.grid(True, axis=values_on)
        ax.set_axisbelow(True)
        if title:
            ax.set_title(_wrap(title, AXIS_LABEL_WIDTH))
        if n > 1:
            _legend_below(fig, ax)
        return _to_inline_svg(fig, alt, salt)
