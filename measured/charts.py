"""Charts as inline SVG that follow the page's light or dark scheme.

Text, axes and grid are drawn in a sentinel colour that is swapped for
``currentColor`` after rendering, so the inline SVG takes the page's text colour in
either scheme. Data colours are mid-tones chosen to read on white and on slate.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a build machine

import matplotlib.pyplot as plt

_INK = "#010203"  # sentinel: becomes currentColor
# Each at least 3:1 (WCAG non-text contrast) on white and on the slate background.
PALETTE = ("#3b82f6", "#dd6b10", "#0f9d6e", "#e11d48", "#a855f7")
_MARKERS = ("o", "s", "^", "D", "v")


def _style() -> dict[str, object]:
    return {
        "svg.fonttype": "none",  # real text: page font, selectable, small
        "font.size": 11,
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
    # Make it responsive and give it an accessible name.
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)
    label = html.escape(alt, quote=True)
    svg = svg.replace(
        "<svg", f'<svg role="img" aria-label="{label}" class="measured-chart"', 1
    )
    svg = re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", svg, count=1)
    # Blank lines would end a raw HTML block in Markdown.
    return "\n".join(line for line in svg.splitlines() if line.strip())


def speedup_chart(
    series: dict[str, Sequence[tuple[int, float]]],
    *,
    cores: int,
    alt: str,
    title: str = "",
    salt: str = "speedup",
) -> str:
    """Speedup against workers, a line per series, and the ideal min(w, cores)."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
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
        for i, (label, points) in enumerate(series.items()):
            xs, ys = zip(*sorted(points), strict=True)
            ax.plot(
                xs,
                ys,
                marker=_MARKERS[i % len(_MARKERS)],
                linewidth=2,
                color=PALETTE[i % len(PALETTE)],
                label=label,
            )
        ax.set_xticks(workers)
        ax.set_xlabel("workers")
        ax.set_ylabel("speedup vs serial (×)")
        ax.set_ylim(bottom=0)
        ax.grid(True)
        if title:
            ax.set_title(title)
        ax.legend(loc="upper left")
        return _to_inline_svg(fig, alt, salt)
