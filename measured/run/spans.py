"""Arithmetic on recorded time spans (snippets/timelines.py): when a worker ran.

A span is ``(start, end)`` in seconds from a common start. Claims and page code
both read timelines through these functions, so a chart and the verdict beside it
can never disagree about what "ran at the same time" means.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence

Span = tuple[float, float]

# A chunk of the hand-off record normally takes a fraction of a millisecond; a gap
# between two stamps this many times the median chunk is time spent waiting (for
# the GIL, or for a core), not running.
GAP_FACTOR = 4.0


def merged(spans: Iterable[Span]) -> list[Span]:
    """The spans joined where they touch or overlap, in time order."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def length(spans: Iterable[Span]) -> float:
    return sum(end - start for start, end in merged(spans))


def overlap(a: Iterable[Span], b: Iterable[Span]) -> float:
    """Seconds during which some span of ``a`` and some span of ``b`` both ran."""
    left, right = merged(a), merged(b)
    total, i, j = 0.0, 0, 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        total += max(0.0, end - start)
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return total


def overlap_share(a: Iterable[Span], b: Iterable[Span]) -> float:
    """``overlap`` as a share of the shorter one's running time: 0 when they took
    turns, 1 when the other ran whenever the shorter one did. (A share of the time
    either ran would count the tail after one worker finished against overlap.)"""
    a, b = list(a), list(b)
    shorter = min(length(a), length(b))
    return overlap(a, b) / shorter if shorter > 0 else 0.0


def runs_from_stamps(stamps: Sequence[float]) -> list[Span]:
    """The intervals a worker ran, from the time stamps it took after each chunk:
    consecutive stamps closer than GAP_FACTOR median chunks are running time."""
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    if not steps:
        return []
    limit = GAP_FACTOR * statistics.median(steps)
    return merged(
        (a, b)
        for (a, b), step in zip(itertools.pairwise(stamps), steps, strict=True)
        if step <= limit
    )
