"""The statistics every verdict rests on, in one place (standard library only).

A timed comparison is made of *rounds*: each round times every alternative once, in
a shuffled order (see :func:`measured.run.measure.time_rounds`). A speedup is judged on
the **paired per-round ratios** (baseline ÷ contender, both timed in the same round),
so a slow spell of the machine lands on both sides of a ratio instead of on one
alternative.

The figure is the median of those ratios, with a distribution-free confidence
interval for it: the order statistics ``x(k)`` and ``x(n-k+1)`` of the sorted
ratios, ``k`` the largest rank whose binomial tail stays within the error budget.
It assumes only that rounds are independent draws; no normality, no equal spread.

A claim **holds** when the whole interval clears its margin, **misses** when the
whole interval lies on the wrong side, and is **not shown** otherwise. With a 95 %
two-sided interval each wrong verdict has a probability of at most 2.5 %, whatever
the distribution of the ratios (``tests/test_stats.py`` checks it by simulation).
"""

from __future__ import annotations

import math
import random
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Two-sided confidence of every interval the guide publishes.
CONFIDENCE = 0.95
# The fewest rounds for which [min, max] already covers the median at CONFIDENCE.
MIN_ROUNDS = 6
# A run can show a claim that needs N cores when FREE_SHARE x N of them were free
# while it ran (the runner measures it: measured.load). Below that, other programs
# held the cores and a parallel speedup cannot be told from a missing one.
FREE_SHARE = 0.85
# Marker of a timed-rounds record in a result (see measure.Rounds.to_dict).
ROUNDS_KIND = "rounds"


def interval_label(plural: bool = False) -> str:
    """How pages name an interval: it covers at least CONFIDENCE (each verdict line
    names the exact coverage its number of rounds gives)."""
    return f"≥{CONFIDENCE:.0%} interval{'s' if plural else ''}"


@dataclass(frozen=True)
class Interval:
    """A median with its distribution-free confidence interval."""

    estimate: float
    low: float
    high: float
    n: int
    confidence: float  # what [low, high] actually covers (>= CONFIDENCE from 6 on)

    @property
    def relative_width(self) -> float:
        """(high - low) / estimate: how much the rounds disagreed."""
        return (self.high - self.low) / self.estimate if self.estimate else math.inf

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Interval:
        return cls(
            **{k: data[k] for k in ("estimate", "low", "high", "n")},
            confidence=data["confidence"],
        )

    def text(self, unit: str = "×", digits: int = 2) -> str:
        """The figure, then its interval: ``1.83x [1.71-1.94]`` with the real signs."""
        return (
            f"{self.estimate:.{digits}f}{unit} "
            f"[{self.low:.{digits}f}–{self.high:.{digits}f}]"
        )


def _binomial_tail(n: int, k: int) -> float:
    """P(B <= k) for B ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2**n


def rank(n: int, confidence: float = CONFIDENCE) -> int:
    """The 1-based rank k of the lower bound: [x(k), x(n-k+1)] covers the median.

    The largest k with P(B <= k-1) <= (1 - confidence) / 2. Below MIN_ROUNDS no
    rank reaches the confidence; then k = 1 ([min, max]) and the interval says
    what it covers instead.
    """
    if n < 1:
        raise ValueError("an interval needs at least one value")
    budget = (1 - confidence) / 2
    k = 1
    while k < (n + 1) // 2 and _binomial_tail(n, k) <= budget:
        k += 1
    return k


def coverage(n: int, k: int) -> float:
    """Probability that [x(k), x(n-k+1)] contains the population median."""
    return 1 - 2 * _binomial_tail(n, k - 1)


def median_interval(
    values: Iterable[float], confidence: float = CONFIDENCE
) -> Interval:
    """The median of ``values`` and its order-statistic confidence interval."""
    xs = sorted(values)
    n = len(xs)
    k = rank(n, confidence)
    return Interval(statistics.median(xs), xs[k - 1], xs[n - k], n, coverage(n, k))


def paired_ratios(
    numerator: Sequence[float], denominator: Sequence[float]
) -> list[float]:
    """Round-by-round ``numerator[i] / denominator[i]``."""
    if len(numerator) != len(denominator):
        raise ValueError(
            f"paired samples differ in length ({len(numerator)} vs {len(denominator)})"
        )
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


def is_rounds(value: Any) -> bool:
    """True for a timed-rounds record as ``measure.Rounds.to_dict`` writes it."""
    return isinstance(value, dict) and value.get("kind") == ROUNDS_KIND


def samples(rounds: Mapping[str, Any], name: str) -> list[float]:
    """One alternative's per-round seconds from a rounds record."""
    try:
        return [float(x) for x in rounds["samples"][name]]
    except KeyError:
        known = ", ".join(rounds.get("samples", {})) or "none"
        raise KeyError(
            f"no alternative {name!r} in these rounds (known: {known})"
        ) from None


def pooled(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Several runs' rounds records of one comparison, as one record.

    Rounds stay paired: round i of run j is still one round, timed together.
    """
    if not records:
        raise ValueError("nothing to pool")
    names = list(records[0]["samples"])
    return {
        "kind": ROUNDS_KIND,
        "rounds": sum(int(r["rounds"]) for r in records),
        "warmup": records[0].get("warmup", 0),
        "samples": {n: [x for r in records for x in r["samples"][n]] for n in names},
    }


def ratio(rounds: Mapping[str, Any], baseline: str, contender: str) -> Interval:
    """How many times faster ``contender`` ran than ``baseline``: paired, per round."""
    return median_interval(
        paired_ratios(samples(rounds, baseline), samples(rounds, contender))
    )


def timing(rounds: Mapping[str, Any], name: str) -> Interval:
    """One alternative's median seconds per round, with its interval."""
    return median_interval(samples(rounds, name))


# --- the decision rule ---------------------------------------------------------

HOLDS, MISSES, UNDECIDED = True, False, None


def at_least(interval: Interval, margin: float) -> bool | None:
    """At least ``margin``: holds if the interval clears it, misses if below it."""
    if interval.low >= margin:
        return HOLDS
    if interval.high < margin:
        return MISSES
    return UNDECIDED


def at_most(interval: Interval, margin: float) -> bool | None:
    """ "At most ``margin``": holds if the interval lies under it, misses if above."""
    if interval.high <= margin:
        return HOLDS
    if interval.low > margin:
        return MISSES
    return UNDECIDED


def impossible_speedup(interval: Interval, workers: int, cores: float) -> bool:
    """A speedup whose whole interval lies above the ideal min(workers, cores).

    More than ideal is not a result but a measurement error: windows too short,
    an order effect, a warm-up that leaked into one side.
    """
    return interval.low > max(1.0, min(workers, cores))


# --- noise, for the runner's replication rule ---------------------------------


def find_rounds(data: Any, path: str = "") -> Iterable[tuple[str, Mapping[str, Any]]]:
    """Every timed-rounds record anywhere in a result, with where it sits."""
    if is_rounds(data):
        yield path or "(top)", data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from find_rounds(value, f"{path}/{key}" if path else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from find_rounds(value, f"{path}[{i}]")


def ratio_label(path: str, baseline: str, contender: str) -> str:
    """How a paired ratio is named: ``"cpu: serial / threads 2"``.

    ``path`` is where its rounds record sits (find_rounds), then the alternative
    timed in the numerator and the one in the denominator, as in
    ``ratio(record, baseline, contender)``: "how many times faster the contender".
    """
    return f"{path}: {baseline} / {contender}"


def ratio_pattern(pattern: str, fields: Mapping[str, Any]) -> re.Pattern[str]:
    """A declared ratio (see runner.judged_ratios) as a regular expression.

    ``{name}`` is the value of the result's top-level field ``name`` (say
    ``{headline_workers}``: a name that depends on the machine), ``{2*name}``
    twice a numeric one; ``*`` stands for any text. A field the result lacks
    matches nothing.
    """
    out = ""
    for part in re.split(r"(\{(?:\d+\*)?[A-Za-z_]\w*\}|\*)", pattern):
        if part == "*":
            out += ".*"
        elif part.startswith("{") and part.endswith("}") and len(part) > 2:
            times, _, name = part[1:-1].rpartition("*")
            value = fields.get(name)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                return re.compile(r"(?!)")  # matches nothing
            if times:
                if isinstance(value, str):
                    return re.compile(r"(?!)")
                value = int(times) * value
            out += re.escape(str(value))
        else:
            out += re.escape(part)
    return re.compile(out)


def noise(
    result: Mapping[str, Any], judged: Callable[[str], bool] | None = None
) -> tuple[float, str]:
    """The widest relative interval of a paired ratio in a result, and its label.

    The run's own measure of how noisy it was, independent of what any claim says:
    the runner adds a run when it is too wide (see runner.NOISE_LIMIT). ``judged``
    picks the ratios that count by label (ratio_label), in both directions of every
    pair of alternatives; without it, every alternative against its record's first
    alternative counts. Records of fewer than MIN_ROUNDS rounds never count.
    """
    worst, where = 0.0, ""
    for path, record in find_rounds(result):
        names = list(record["samples"])
        if len(names) < 2 or int(record.get("rounds", 0)) < MIN_ROUNDS:
            continue
        if judged is None:
            pairs = [(names[0], name) for name in names[1:]]
        else:
            pairs = [(a, b) for a in names for b in names if a != b]
        for baseline, contender in pairs:
            label = ratio_label(path, baseline, contender)
            if judged is not None and not judged(label):
                continue
            width = ratio(record, baseline, contender).relative_width
            if width > worst:
                worst, where = width, label
    return worst, where


# --- simulation of the rule ----------------------------------------------------

# The simulated machine's stalls: this share of timings runs 1.2-2x slower.
STALL_SHARE = 0.05


def simulate(
    true_ratio: float,
    margin: float,
    *,
    rounds: int,
    spread: float,
    trials: int = 4000,
    seed: int = 12,
    rule: Callable[[Interval, float], bool | None] = at_least,
) -> dict[str, float]:
    """How often the rule says holds / misses / not shown for a known true ratio.

    Each trial draws ``rounds`` paired timings: the baseline ~ 1 s and the contender
    ~ 1/true_ratio s, each times an independent log-normal slowdown with sigma
    ``spread``, plus rare long stalls (STALL_SHARE of timings 1.2-2x slower), the
    shape of this machine's noise. The median of the ratios is then ``true_ratio``.
    """
    rng = random.Random(seed)

    def slowdown() -> float:
        stall = rng.uniform(1.2, 2.0) if rng.random() < STALL_SHARE else 1.0
        return math.exp(rng.gauss(0.0, spread)) * stall

    counts = {"holds": 0, "misses": 0, "not shown": 0}
    for _ in range(trials):
        base = [1.0 * slowdown() for _ in range(rounds)]
        other = [(1.0 / true_ratio) * slowdown() for _ in range(rounds)]
        verdict = rule(median_interval(paired_ratios(base, other)), margin)
        key = {HOLDS: "holds", MISSES: "misses", UNDECIDED: "not shown"}[verdict]
        counts[key] += 1
    return {key: count / trials for key, count in counts.items()}
