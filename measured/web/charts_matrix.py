"""Grouped bar charts for comparisons across interpreters or start methods.

Same look as :mod:`measured.charts` (inline SVG, text in the page's colour).
"""

from __future__ import annotations

from collections.abc import Sequence

from measured.web.charts import (
    _INK,
    AXIS_LABEL_WIDTH,
    PALETTE,
    _cached,
    _figure,
    _legend_below,
    _style,
    _to_inline_svg,
    _wrap,
    plt,
)


@_cached
def grouped_bars(
    groups: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    ylabel: str,
    alt: str,
    salt: str,
    reference: tuple[float, str] | None = None,
    log: bool = False,
    fmt: str = "%.2f",
    spans: dict[str, Sequence[tuple[float, float]]] | None = None,
) -> str:
    """One group of bars per entry of ``groups``, one bar per series.

    ``spans`` gives, per series, the (low, high) interval around each bar's value
    (a pooled median's confidence interval): drawn as an error bar.
    """
    with plt.rc_context(_style()):
        fig, ax = _figure(3.2)
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series.items()):
            xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
            bounds = (spans or {}).get(name)
            yerr = None
            if bounds is not None:
                pairs = list(zip(values, bounds, strict=True))
                yerr = [
                    [max(0.0, v - lo) for v, (lo, _) in pairs],
                    [max(0.0, hi - v) for v, (_, hi) in pairs],
                ]
            bars = ax.bar(
                xs,
                values,
                width=width,
                color=PALETTE[i % len(PALETTE)],
                yerr=yerr,
                error_kw={"ecolor": _INK, "elinewidth": 1, "capsize": 3},
            )
            bars.set_label(name)
            ax.bar_label(bars, fmt=fmt, padding=2)
        if reference is not None:
            value, text = reference
            ax.axhline(value, linestyle="--", color=_INK, alpha=0.55, label=text)
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set_ylabel(_wrap(ylabel, AXIS_LABEL_WIDTH // 2))
        tallest = max(
            max(max(v) for v in series.values()),
            max((hi for b in (spans or {}).values() for _, hi in b), default=0.0),
        )
        if log:
            ax.set_yscale("log")
            # Headroom for the labels above the tallest bar (a decade is x10).
            ax.set_ylim(top=tallest * 3)
        else:
            top = tallest
            if reference is not None:
                top = max(top, reference[0])
            ax.set_ylim(bottom=0, top=top * 1.25)
        ax.grid(True, axis="y")
        # Below the plot: a legend inside would sit on the reference line.
        _legend_below(fig, ax)
        return _to_inline_svg(fig, alt, salt)
