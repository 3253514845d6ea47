"""Claims the guide makes, judged on the runs of an experiment.

One function per claim, registered with ``@claim("<experiment id>")``. It receives
the :class:`Evidence` of every run the runner made of that experiment and returns a
:class:`Claim`: the statement a page prints and its verdict.

The verdict has three values, decided by one rule (``measured.run.stats``):

- ``holds=True``: the whole confidence interval of the figure clears the margin;
- ``holds=False``: the whole interval lies on the wrong side of it;
- ``holds=None``: *not shown*, with the reason and its kind (``why``): the machine
  cannot show it by its nature (:data:`SHAPE`: one core, no free-threaded build, a
  version without the feature), it was busy (:data:`BUSY`: fewer free cores than
  the claim needs), or the rounds disagreed too much to decide (:data:`NOISE`).

A claim either *measures* (:data:`MEASURED`, the default) or *checks* what the
standard library says about itself or does once, timing nothing (:data:`CHECKED`):
an API surface, a default, a socket sent.
Pages and ``results.json`` show which. Every claim also has a contradicting input
in ``tests/contradictions.py`` that makes it miss; a test walks the registry.

Where this machine cannot show a claim, the statement still prints what was
measured. Margins live in ``measured.claims.margins``, one per statement.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict, TypeVar, Unpack, cast

from measured.claims import margins
from measured.claims.margins import ONE_CORE
from measured.run import pace, stats

T = TypeVar("T")

__all__ = [
    "BUSY",
    "CHECKED",
    "MEASURED",
    "NOISE",
    "NO_GIL",
    "ONE_CORE",
    "REFUSED_WHEN_PUBLISHING",
    "REGISTRY",
    "SHAPE",
    "VERDICTS",
    "Check",
    "Claim",
    "Evidence",
    "Figure",
    "Reader",
    "Registered",
    "RunData",
    "busy_reason",
    "busy_runs",
    "claim",
    "decide",
    "evaluate",
    "experiments",
    "for_experiment",
    "how",
    "judge",
    "judged",
    "kind_of",
    "named",
    "not_shown",
    "observed",
    "on_quiet_runs",
    "parallel",
    "registered",
    "runs_in_parallel",
    "speedup",
    "takes_turns",
    "tally",
]

MEASURED, CHECKED = "measured", "checked"
SHAPE, BUSY, NOISE = "machine shape", "busy machine", "noise"
# Kinds of "not shown" a publish build refuses: the machine should have shown them.
REFUSED_WHEN_PUBLISHING = (BUSY, NOISE)
VERDICTS = {True: "holds", False: "misses", None: "not shown"}


@dataclass(frozen=True)
class Figure:
    """One interval a verdict rests on, with the margin it was held against."""

    label: str  # "processes vs serial"
    interval: stats.Interval
    margin: float | None = None
    rule: str = ""  # "at least" | "at most" | ""
    unit: str = "×"
    # For speedups: the ideal, min(workers, cores); an interval above it is an error.
    ideal: float | None = None

    @property
    def impossible(self) -> bool:
        return self.ideal is not None and self.interval.low > max(1.0, self.ideal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            **self.interval.to_dict(),
            "margin": self.margin,
            "rule": self.rule,
            "unit": self.unit,
            "ideal": self.ideal,
        }

    def text(self) -> str:
        digits = 2 if self.unit == "×" else 1
        return f"{self.label} {self.interval.text(self.unit, digits)}"


@dataclass(frozen=True)
class Claim:
    holds: bool | None  # None: not shown (see reason and why)
    statement: str
    reason: str = ""
    figure: float | None = None  # the headline number the claim rests on
    why: str = ""  # SHAPE, BUSY or NOISE when holds is None
    figures: tuple[Figure, ...] = ()
    # True when a claim not shown carries the statement it would make had it held
    # (no neutral ``undecided`` wording): a page must then not print it as said.
    asserts: bool = False

    @property
    def verdict(self) -> str:
        return VERDICTS[self.holds]


@dataclass(frozen=True)
class RunData:
    """One run of an experiment: its result and how busy the machine was meanwhile."""

    result: dict[str, Any]
    machine: Mapping[str, Any] = field(default_factory=dict)

    @property
    def free_cores(self) -> float | None:
        """The meter's free cores, or fewer where the experiment's probe shows the
        machine delivered less (measured.run.pace)."""
        return pace.free_cores(self.machine, self.result)

    @property
    def paced(self) -> bool:
        """True when the probe, not the load meter, set free_cores."""
        return self.free_cores is not None and self.free_cores != self.machine.get(
            "free_cores"
        )


class Evidence:
    """Every run of one experiment on one interpreter, pooled for judging.

    ``result`` is the first run's result: the experiment's set-up (sizes, worker
    counts, environment), which is the same in every run. Measured figures pool all
    runs: :meth:`rounds` joins their rounds, :meth:`values` lists one value per run.
    """

    def __init__(self, runs: Sequence[RunData]) -> None:
        if not runs:
            raise ValueError("evidence needs at least one run")
        self.runs = tuple(runs)

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]]) -> Evidence:
        """From run records ``{"result": ..., "machine": ...}`` (results, cache)."""
        return cls(
            [RunData(dict(r["result"]), dict(r.get("machine") or {})) for r in records]
        )

    @classmethod
    def single(cls, result: dict[str, Any], **machine: Any) -> Evidence:
        """One run's result, e.g. a script run by hand or a test's fake."""
        return cls([RunData(result, machine)])

    @property
    def result(self) -> dict[str, Any]:
        return self.runs[0].result

    def result_as(self, shape: type[T]) -> T:
        """The first run's result, read as its declared shape (measured.run.shapes)."""
        return cast(T, self.result)

    @property
    def env(self) -> dict[str, Any]:
        return self.result["env"]

    @property
    def cores(self) -> int:
        return int(self.env["cores"])

    def values(self, read: Callable[[dict[str, Any]], Any]) -> list[Any]:
        """``read(result)`` for every run, in run order."""
        return [read(run.result) for run in self.runs]

    def rounds(self, read: Callable[[dict[str, Any]], Any] | str) -> dict[str, Any]:
        """One comparison's rounds, pooled over every run (they stay paired)."""
        reader = (lambda r: r[read]) if isinstance(read, str) else read
        return stats.pooled([reader(run.result) for run in self.runs])

    def ratio(
        self,
        read: Callable[[dict[str, Any]], Any] | str,
        baseline: str,
        contender: str,
    ) -> stats.Interval:
        """Pooled median of the paired per-round ratios baseline / contender."""
        return stats.ratio(self.rounds(read), baseline, contender)

    def timing(
        self, read: Callable[[dict[str, Any]], Any] | str, name: str
    ) -> stats.Interval:
        return stats.timing(self.rounds(read), name)

    def free(self) -> list[float | None]:
        return [run.free_cores for run in self.runs]

    def with_free_cores(self, need: float) -> Evidence | None:
        """The runs during which at least ``need`` cores were free (or not measured).

        A run is kept when ``stats.FREE_SHARE`` of the cores it needs were free.
        None when no run qualifies.
        """
        kept = [
            run
            for run in self.runs
            if run.free_cores is None or run.free_cores >= stats.FREE_SHARE * need
        ]
        return Evidence(kept) if kept else None

    def single_runs(self) -> list[Evidence]:
        return [Evidence([run]) for run in self.runs]


Check = Callable[[Evidence], Claim]


@dataclass(frozen=True)
class Registered:
    experiment: str
    check: Check
    kind: str

    @property
    def name(self) -> str:
        return self.check.__name__


# experiment id -> its claims, in registration order
REGISTRY: dict[str, list[Registered]] = {}


def claim(experiment: str, *, kind: str = MEASURED) -> Callable[[Check], Check]:
    """Register a claim function as one of ``experiment``'s claims.

    The registered function judges timed figures on quiet runs only (see
    :func:`on_quiet_runs`), however it is called: from a page, a test or check.
    """
    if kind not in (MEASURED, CHECKED):
        raise ValueError(f"kind must be {MEASURED!r} or {CHECKED!r}")

    def register(check: Check) -> Check:
        wrapped = on_quiet_runs(check)
        wrapped.kind = kind  # type: ignore[attr-defined]
        REGISTRY.setdefault(experiment, []).append(
            Registered(experiment, wrapped, kind)
        )
        return wrapped

    return register


# Set while a claim is judged on runs that were all made on a busy machine: a
# timed figure (judged) is then "not shown (busy)"; an observation still stands.
_busy: ContextVar[str] = ContextVar("busy", default="")


def on_quiet_runs(check: Check) -> Check:
    """Judge ``check`` on quiet runs, and hold a pooled verdict to every run.

    Two rules every claim obeys, whichever page, test or command calls it:

    - Timed figures rest only on runs with the usable cores free. Every
      experiment sizes its work to the usable cores, so a run during which other
      programs held some of them times the machine, not Python: a hog on one core
      of two once made a process pool "start as fast as a thread pool". The rule
      reads the runs' measured free cores, never the verdict; if no run was quiet,
      a timed verdict is not shown (BUSY). Observations still count.
    - Several runs pooled: the rounds of one run share that run's process and its
      moment, so they may agree with each other more than with another run. A
      pooled verdict therefore stands only if every run's own figures (their
      medians) sit on the same side of the margins; if one run's median says the
      opposite, the claim is not shown (NOISE), whatever the pooled interval says.
    """

    @functools.wraps(check)
    def judged_on_quiet_runs(evidence: Evidence) -> Claim:
        quiet = evidence.with_free_cores(evidence.cores)
        if quiet is None:
            token = _busy.set(busy_reason(evidence, evidence.cores))
            try:
                return check(evidence)
            finally:
                _busy.reset(token)
        outcome = check(quiet)
        if outcome.holds is None or not outcome.figures or len(quiet.runs) < 2:
            return outcome
        for number, single in enumerate(quiet.single_runs(), 1):
            alone = check(single)
            if _medians_disagree(outcome, alone):
                return Claim(
                    None,
                    outcome.statement,
                    f"the runs disagree: run {number} alone gives "
                    + "; ".join(f.text() for f in alone.figures)
                    + ", on the other side of the margin from the pooled figure",
                    outcome.figure,
                    NOISE,
                    outcome.figures,
                    asserts=True,
                )
        return outcome

    return judged_on_quiet_runs


def _medians_disagree(pooled: Claim, alone: Claim) -> bool:
    """True when one run's medians alone decide against the pooled verdict."""
    points = [
        replace(
            f,
            interval=replace(
                f.interval, low=f.interval.estimate, high=f.interval.estimate
            ),
        )
        for f in alone.figures
    ]
    return decide(points) is (not pooled.holds)


def experiments() -> list[str]:
    """Every experiment claims are registered for, sorted."""
    return sorted(REGISTRY)


def for_experiment(experiment: str) -> list[Check]:
    return [r.check for r in REGISTRY.get(experiment, [])]


def named(experiment: str, name: str) -> Check:
    """The claim function ``name`` registered for ``experiment``."""
    for check in for_experiment(experiment):
        if check.__name__ == name:
            return check
    known = ", ".join(c.__name__ for c in for_experiment(experiment))
    raise LookupError(f"{experiment} has no claim {name!r} (it has: {known or 'none'})")


def registered() -> list[Registered]:
    return [r for entries in REGISTRY.values() for r in entries]


def kind_of(check: Check) -> str:
    return getattr(check, "kind", MEASURED)


# --- building a verdict -------------------------------------------------------------


def not_shown(
    statement: str, reason: str, why: str = SHAPE, figure: float | None = None
) -> Claim:
    return Claim(None, statement, reason, figure, why)


def busy_reason(evidence: Evidence, need: float) -> str:
    known = [run for run in evidence.runs if run.free_cores is not None]
    best = max(known, key=lambda run: run.free_cores or 0.0, default=None)
    most = (best.free_cores or 0.0) if best is not None else 0.0
    runs = len(evidence.runs)
    during = "its run" if runs == 1 else f"each of its {runs} runs"
    cores = f"{evidence.cores} core{'s' if evidence.cores != 1 else ''}"
    if best is not None and best.paced:
        # The kernel's counters saw free cores; a probe no claim judges did not.
        return (
            f"a probe of plain processes hashing in C got about {most:.1f} of "
            f"{cores} during {during}, though the kernel's counters showed them "
            f"free; a timed verdict needs at least {stats.FREE_SHARE * need:.1f}"
        )
    return (
        f"about {most:.1f} of {cores} were free during {during}; a timed "
        f"verdict needs at least {stats.FREE_SHARE * need:.1f} free"
    )


def parallel(
    evidence: Evidence,
    need: float,
    statement: str,
    figure: float | None = None,
    *,
    one_core_ok: bool = False,
) -> Evidence | Claim:
    """The runs that can show a parallel claim needing ``need`` cores, or why none.

    One usable core cannot run anything in parallel, with or without a GIL (SHAPE);
    a run during which other programs held the cores cannot either (BUSY).
    ``one_core_ok``: the claim means something on one core too (it still needs
    the cores it uses to be free).
    """
    if evidence.cores < 2 and not one_core_ok:
        return not_shown(statement, ONE_CORE, SHAPE, figure)
    kept = evidence.with_free_cores(need)
    if kept is None:
        return not_shown(statement, busy_reason(evidence, need), BUSY, figure)
    return kept


def speedup(
    evidence: Evidence,
    read: Callable[[dict[str, Any]], Any] | str,
    baseline: str,
    contender: str,
    *,
    label: str,
    workers: int,
    margin: float | None = None,
    rule: str = "at least",
) -> Figure:
    """How many times faster ``contender`` ran than ``baseline``, pooled over runs.

    ``workers`` sets the ideal, min(workers, usable cores): an interval above it
    is a measurement error (see judged).
    """
    return Figure(
        label,
        evidence.ratio(read, baseline, contender),
        margin,
        rule if margin is not None else "",
        "×",
        ideal=float(min(workers, evidence.cores)),
    )


Reader = Callable[[dict[str, Any]], Any] | str
# Why a claim about the GIL slowing threads cannot be shown without one.
NO_GIL = "this interpreter runs without the GIL, so its threads may scale"


class Verdicts(TypedDict):
    """A speedup claim's statements when it holds, when it misses and when it is
    not shown (``reached``): templates with one ``{}`` for the figure's words."""

    holds: str
    missed: str
    reached: str


class SpeedupWording(Verdicts):
    """How a speedup claim reads. ``workers`` sets the need and the ideal;
    ``text(ev)`` words the figure for the Verdicts' templates."""

    workers: int
    label: str
    text: Callable[[Evidence], str]


def ran_in_parallel(who: str) -> Verdicts:
    """The usual statements of a runs_in_parallel claim about ``who``."""
    return {
        "holds": f"{who} ran the work in parallel: {{}}.",
        "missed": f"{who} did NOT speed the work up: {{}}.",
        "reached": f"{who} reached {{}}.",
    }


def took_turns(who: str) -> Verdicts:
    """The usual statements of a takes_turns claim about ``who`` (takes_turns
    completes the first two with the margin's words)."""
    return {
        "holds": f"{who} did not run the work in parallel: {{}}",
        "missed": f"{who} DID speed the work up: {{}}",
        "reached": f"{who} reached {{}}.",
    }


def _speedup_claim(
    evidence: Evidence,
    read: Reader,
    baseline: str,
    contender: str,
    *,
    margin: float,
    rule: str,
    wording: SpeedupWording,
) -> Claim:
    """A speedup judged against ``margin`` on the runs with min(workers, cores) free."""
    text = wording["text"]
    need = min(wording["workers"], evidence.cores)
    kept = parallel(evidence, need, wording["reached"].format(text(evidence)))
    if isinstance(kept, Claim):
        return kept
    figure = speedup(
        kept,
        read,
        baseline,
        contender,
        label=wording["label"],
        workers=wording["workers"],
        margin=margin,
        rule=rule,
    )
    return judged(
        wording["holds"].format(text(kept)),
        [figure],
        missed=wording["missed"].format(text(kept)),
        undecided=wording["reached"].format(text(kept)),
    )


def runs_in_parallel(
    evidence: Evidence,
    read: Reader,
    baseline: str,
    contender: str,
    **wording: Unpack[SpeedupWording],
) -> Claim:
    """ "``contender`` runs the work in parallel": one rule for every such claim.

    It needs min(workers, usable cores) free cores, and holds when the speedup's
    interval clears margins.PARALLEL_MIN_EFFICIENCY of that ideal.
    """
    return _speedup_claim(
        evidence,
        read,
        baseline,
        contender,
        margin=margins.parallel_min_speedup(wording["workers"], evidence.cores),
        rule="at least",
        wording=wording,
    )


def takes_turns(
    evidence: Evidence,
    read: Reader,
    baseline: str,
    contender: str,
    **wording: Unpack[SpeedupWording],
) -> Claim:
    """ "Threads do not run the work in parallel on a GIL build": one rule for all.

    Not shown without a GIL (SHAPE), on one core or with the cores busy (nothing
    could scale there: no evidence of a GIL); holds when the speedup's interval
    stays under margins.GIL_THREADS_MAX_SPEEDUP. The margin allows that much, so
    the statement says so: ``holds`` and ``missed`` get the margin's words added.
    """
    if not evidence.env["gil_enabled"]:
        reached = wording["reached"].format(wording["text"](evidence))
        return not_shown(reached, NO_GIL, SHAPE)
    ceiling = margins.GIL_THREADS_MAX_SPEEDUP
    parallel_at = margins.parallel_min_speedup(wording["workers"], evidence.cores)
    return _speedup_claim(
        evidence,
        read,
        baseline,
        contender,
        margin=ceiling,
        rule="at most",
        wording={
            **wording,
            "holds": f"{wording['holds']}; the whole interval stays at or under "
            f"{ceiling:g}× (running in parallel needs at least {parallel_at:g}× "
            "here), because the GIL lets one thread at a time run Python bytecode.",
            "missed": f"{wording['missed']}, more than the {ceiling:g}× that "
            "taking turns allows.",
        },
    )


def decide(figures: Sequence[Figure]) -> bool | None:
    """Every figure against its margin: holds if all hold, misses if any misses."""
    verdicts = []
    for fig in figures:
        if fig.margin is None:
            continue
        rule = stats.at_least if fig.rule == "at least" else stats.at_most
        verdicts.append(rule(fig.interval, fig.margin))
    if any(v is False for v in verdicts):
        return False
    if all(v is True for v in verdicts):
        return True
    return None


def judged(
    statement: str,
    figures: Sequence[Figure],
    *,
    figure: float | None = None,
    missed: str | None = None,
    undecided: str | None = None,
) -> Claim:
    """The claim's verdict from its figures, by the one decision rule.

    ``statement`` is printed when the claim holds; ``missed`` (default:
    ``statement``) when it misses; ``undecided`` (default: ``statement``) when it
    cannot be decided, so that a claim not shown never opens by asserting what it
    did not show. A speedup interval above its ideal is a measurement error, never
    a result.
    """
    headline = figure if figure is not None else figures[0].interval.estimate
    pending = undecided or statement
    asserts = undecided is None
    if busy := _busy.get():
        return Claim(None, pending, busy, headline, BUSY, tuple(figures), asserts)
    if errors := [f for f in figures if f.impossible]:
        error = errors[0]
        return Claim(
            None,
            pending,
            f"measurement error: {error.text()} lies above the ideal "
            f"{error.ideal:g}{error.unit}, which no real speedup can exceed",
            headline,
            NOISE,
            tuple(figures),
            asserts,
        )
    verdict = decide(figures)
    if verdict is None:
        open_ = [f for f in figures if f.margin is not None]
        return Claim(
            None,
            pending,
            "the rounds disagreed too much to decide: "
            + "; ".join(
                f"{f.text()} straddles the margin {f.margin:g}{f.unit}" for f in open_
            ),
            headline,
            NOISE,
            tuple(figures),
            asserts,
        )
    text = statement if verdict or missed is None else missed
    return Claim(verdict, text, figure=headline, figures=tuple(figures))


def observed(holds: bool, statement: str, figure: float | None) -> Claim:
    """A verdict on an observation that needs no interval (a count, an error type)."""
    return Claim(holds, statement, figure=figure)


# --- judging an experiment ----------------------------------------------------------


def _record(check: Check, outcome: Claim) -> dict[str, Any]:
    return {
        "claim": check.__name__,
        "kind": kind_of(check),
        "holds": outcome.holds,
        "verdict": outcome.verdict,
        "why": outcome.why,
        "statement": outcome.statement,
        "reason": outcome.reason,
        "figure": outcome.figure,
        "figures": [f.to_dict() for f in outcome.figures],
    }


def busy_runs(per_run: Sequence[Claim]) -> int:
    """Runs a timed verdict left out because the machine was busy during them."""
    return sum(c.holds is None and c.why == BUSY for c in per_run)


def tally(per_run: Sequence[Claim]) -> str:
    """ "held in k of n runs", naming the busy runs a pooled verdict left out."""
    runs, busy = len(per_run), busy_runs(per_run)
    held = sum(c.holds is True for c in per_run)
    text = f"held in {held} of {runs} run{'s' if runs != 1 else ''}"
    if 0 < busy < runs:
        text += f" ({busy} of them busy, left out of the verdict)"
    return text


def how(outcome: Claim, per_run: Sequence[Claim]) -> str:
    """How the verdict was reached: runs, rounds, intervals."""
    parts = [tally(per_run)]
    parts += [f.text() for f in outcome.figures]
    if outcome.figures:
        n = outcome.figures[0].interval.n
        conf = outcome.figures[0].interval.confidence
        parts.append(f"{n} rounds, {conf:.0%} intervals")
    return ", ".join(parts)


def judge(check: Check, evidence: Evidence) -> tuple[Claim, list[Claim]]:
    """The pooled verdict and, for the record, each run's verdict alone."""
    outcome = check(evidence)
    if len(evidence.runs) == 1:
        return outcome, [outcome]
    return outcome, [check(single) for single in evidence.single_runs()]


def evaluate(
    experiment: str, evidence: Evidence, *, strict: bool = True
) -> list[dict[str, Any]]:
    """Every registered claim of ``experiment``, judged on ``evidence``.

    ``strict=False`` (a reader's run) records a claim that cannot read the result as
    an ``error`` instead of raising: the other claims and experiments still count.
    """
    judged_: list[dict[str, Any]] = []
    for check in for_experiment(experiment):
        try:
            outcome, per_run = judge(check, evidence)
        except Exception as exc:
            if strict:
                raise
            judged_.append(
                {
                    "claim": check.__name__,
                    "kind": kind_of(check),
                    "holds": None,
                    "verdict": "error",
                    "error": repr(exc),
                }
            )
            continue
        record = _record(check, outcome)
        record["runs"] = {
            "made": len(per_run),
            "held": sum(c.holds is True for c in per_run),
            "missed": sum(c.holds is False for c in per_run),
        }
        record["how"] = how(outcome, per_run)
        judged_.append(record)
    return judged_
