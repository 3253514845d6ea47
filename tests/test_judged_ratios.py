"""Every snippet's ``JUDGED`` names exactly the ratios its claims compute.

The runner adds a run for noise only in the ratios a script declares its claims
judge (``runner.judged_ratios``). It cannot ask the claims (tests/test_layers.py),
so the declaration could drift from them: a ratio a claim judges but the script
does not declare would never get the runs its noise calls for.

Here every registered claim is judged on the session build's results, on the same
runs relabelled quiet (a claim a busy machine left undecided still computes its
figures), while every ratio it computes is recorded:

- through ``stats.ratio`` (``Evidence.ratio``, ``claims.speedup``, ``stats.ratio``
  on pooled rounds): the rounds record is found by identity in the result;
- through ``stats.paired_ratios`` on per-round values each proportional to one
  alternative's seconds (seconds per start, per batch): the two alternatives they
  come from. Values that are not timed rounds (a stall, a resident set size) name
  no ratio the runner could measure, and are left out.

Each computed ratio must be declared, and every ratio a declaration selects in the
results computed by some claim (no stale entry, no wildcard wider than the claims).
A script with timed rounds of two or more alternatives declares,
even ``JUDGED = ()``: without a declaration the runner counts every alternative
against the first, runs no claim needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from contradictions import with_machine

from measured import claims
from measured.run import project, runner, stats
from measured.web import results

SNIPPETS = sorted(p.stem for p in Path(project.snippets_dir()).glob("*.py"))


@dataclass
class Recorder:
    """The ratios claims compute while it is installed (see record())."""

    computed: set[str] = field(default_factory=set)
    # The results of the runs being judged, in order: where values come from.
    results: list[dict[str, Any]] = field(default_factory=list)
    # id(pooled rounds) -> (its path, the record, kept alive so the id stays unique)
    pooled: dict[int, tuple[str | None, Any]] = field(default_factory=dict)
    inside_ratio: int = 0

    def path_of(self, rounds: Any) -> str | None:
        if id(rounds) in self.pooled:
            return self.pooled[id(rounds)][0]
        for result in self.results:  # a record read straight from a result
            for path, record in stats.find_rounds(result):
                if record is rounds:
                    return path
        return None

    def series(self) -> dict[tuple[str, str], list[list[float]]]:
        """Every alternative's seconds, run by run: (path, name) -> per run."""
        out: dict[tuple[str, str], list[list[float]]] = {}
        for result in self.results:
            for path, record in stats.find_rounds(result):
                for name, values in record["samples"].items():
                    out.setdefault((path, name), []).append([float(v) for v in values])
        return out

    def sources(self, values: Sequence[float]) -> set[tuple[str, str]]:
        """The alternatives whose seconds, run after run, ``values`` are (each run's
        scaled by one constant: per start, per batch)."""
        return {
            key for key, runs in self.series().items() if _concatenation(values, runs)
        }


def _proportional(xs: Sequence[float], ys: Sequence[float]) -> bool:
    if len(xs) != len(ys) or not ys or any(y == 0 for y in ys):
        return False
    factor = xs[0] / ys[0]
    return all(
        math.isclose(x / y, factor, rel_tol=1e-9) for x, y in zip(xs, ys, strict=True)
    )


def _concatenation(values: Sequence[float], runs: list[list[float]]) -> bool:
    """``values`` is some of ``runs``, in order, each scaled by its own constant."""
    at = 0
    for run in runs:
        piece = values[at : at + len(run)]
        if len(piece) == len(run) and _proportional(piece, run):
            at += len(run)
    return 0 < len(values) == at


@contextmanager
def record() -> Iterator[Recorder]:
    """Install the recorder on stats and Evidence; remove it afterwards."""
    recorder = Recorder()
    registry = claims.registry
    rounds_, ratio_, paired_ = (
        registry.Evidence.rounds,
        stats.ratio,
        stats.paired_ratios,
    )

    def rounds(self: claims.Evidence, read: claims.Reader) -> dict[str, Any]:
        out = rounds_(self, read)
        reader: Callable[[dict[str, Any]], Any] = (
            (lambda r: r[read]) if isinstance(read, str) else read
        )
        first = reader(self.runs[0].result)
        path = next(
            (p for p, r in stats.find_rounds(self.runs[0].result) if r is first), None
        )
        recorder.pooled[id(out)] = (path, out)
        return out

    def ratio(rounds: Mapping[str, Any], baseline: str, contender: str) -> Any:
        path = recorder.path_of(rounds) or "(not a record of the result)"
        recorder.computed.add(stats.ratio_label(path, baseline, contender))
        recorder.inside_ratio += 1
        try:
            return ratio_(rounds, baseline, contender)
        finally:
            recorder.inside_ratio -= 1

    def paired_ratios(
        numerator: Sequence[float], denominator: Sequence[float]
    ) -> list[float]:
        if not recorder.inside_ratio:
            top, bottom = list(numerator), list(denominator)
            pairs = {
                stats.ratio_label(path, a, b)
                for path, a in recorder.sources(top)
                for other, b in recorder.sources(bottom)
                if path == other and a != b
            }
            if len(pairs) == 1:  # identical samples (a contradiction) name none
                recorder.computed |= pairs
        return paired_(numerator, denominator)

    registry.Evidence.rounds = rounds  # type: ignore[method-assign]
    stats.ratio = ratio  # type: ignore[assignment]
    stats.paired_ratios = paired_ratios  # type: ignore[assignment]
    try:
        yield recorder
    finally:
        registry.Evidence.rounds = rounds_  # type: ignore[method-assign]
        stats.ratio, stats.paired_ratios = ratio_, paired_


def computed_ratios(experiment: str, evidence: claims.Evidence) -> set[str]:
    """Every ratio ``experiment``'s claims compute on ``evidence`` and on the same
    runs relabelled quiet (a claim returns early on a busy machine)."""
    quiet = with_machine(evidence, free_cores=float(evidence.cores))
    with record() as recorder:
        for variant in (evidence, quiet):
            recorder.results = [run.result for run in variant.runs]
            claims.evaluate(experiment, variant, strict=False)
    return recorder.computed


@dataclass(frozen=True)
class Judged:
    """One entry of the results file: its set-up fields, every ratio its rounds
    allow (each ordered pair of alternatives) and the ratios its claims computed."""

    fields: Mapping[str, Any]
    computed: set[str]
    ratios: set[str]


def ratios_in(result: Mapping[str, Any]) -> set[str]:
    """Every ratio label a result's rounds allow (stats.noise picks among them)."""
    return {
        stats.ratio_label(path, a, b)
        for path, record in stats.find_rounds(result)
        for a in record["samples"]
        for b in record["samples"]
        if a != b
    }


def drift(judged: tuple[str, ...] | None, entries: Iterable[Judged]) -> list[str]:
    """How a script's JUDGED differs from what its claims compute ([] if it does
    not): a computed ratio it lacks, a ratio it selects that no claim computes
    (a stale entry, or a wildcard wider than the claims), or no JUDGED at all."""
    entries = list(entries)
    if judged is None:
        if any(e.computed or e.ratios for e in entries):
            computed = sorted(set().union(*(e.computed for e in entries)))
            return [f"no JUDGED: declare its claims' ratios, here {computed or '()'}"]
        return []
    problems, selected = [], {entry: set() for entry in judged}
    computed = set().union(*(e.computed for e in entries))
    for entry in entries:
        patterns = [stats.ratio_pattern(p, entry.fields) for p in judged]
        for label in sorted(entry.computed):
            if not any(p.fullmatch(label) for p in patterns):
                problems.append(f"a claim judges {label!r}, which JUDGED lacks")
        for declared, pattern in zip(judged, patterns, strict=True):
            selected[declared] |= {r for r in entry.ratios if pattern.fullmatch(r)}
    # On one usable core a parallel claim stops before it computes its figure:
    # what it would judge cannot be seen there, so no entry is called stale.
    if all(int(e.fields.get("env", {}).get("cores", 2)) >= 2 for e in entries):
        for declared, labels in selected.items():
            if not labels:
                problems.append(f"JUDGED names {declared!r}, which no result has")
            problems += [
                f"JUDGED names {declared!r}: it selects {label!r}, which no "
                "claim computes"
                for label in sorted(labels - computed)
            ]
    return problems


def _judged_entries(published: results.Published, experiment: str) -> list[Judged]:
    out = []
    for entry in published.entries:
        if entry["experiment"] != experiment:
            continue
        evidence = claims.Evidence.of(entry["runs"])
        out.append(
            Judged(
                evidence.result,
                computed_ratios(experiment, evidence),
                set().union(*(ratios_in(run["result"]) for run in entry["runs"])),
            )
        )
    return out


@pytest.mark.parametrize("experiment", SNIPPETS)
def test_judged_names_exactly_the_ratios_claims_compute(
    experiment: str, build_results: results.Published
) -> None:
    entries = _judged_entries(build_results, experiment)
    if not entries:
        pytest.skip(f"{experiment} is not in the build's results")
    script = runner.resolve(experiment)
    assert drift(runner.judged_ratios(script), entries) == []


def test_a_snippet_missing_a_judged_ratio_fails(
    build_results: results.Published,
) -> None:
    """The contradiction: cpu_bound's declaration without one of its entries (its
    claims still judge that ratio), and with an entry no claim computes."""
    entries = _judged_entries(build_results, "cpu_bound")
    judged = runner.judged_ratios(runner.resolve("cpu_bound"))
    assert judged and drift(judged, entries) == []
    missing = drift(judged[1:], entries)
    assert missing and all("which JUDGED lacks" in p for p in missing)
    assert any(f"{entries[0].fields['headline_workers']}" in p for p in missing)
    stale = drift((*judged, "cpu: threads 1 / serial"), entries)
    assert stale == [
        "JUDGED names 'cpu: threads 1 / serial': it selects "
        "'cpu: threads 1 / serial', which no claim computes"
    ]
    wide = drift((*judged[:2], "cpu: processes {cores} / processes *"), entries)
    assert wide and all("which no claim computes" in p for p in wide)
    assert drift((*judged, "cpu: serial / fibers"), entries) == [
        "JUDGED names 'cpu: serial / fibers', which no result has"
    ]
    assert drift(None, entries)[0].startswith("no JUDGED")


def test_drift_on_made_up_ratios() -> None:
    """The rule alone, without a build: fields, wildcards, stale and missing."""
    top = "by_level/2000/time: threads / asyncio"
    ratios = {top, "by_level/2000/time: asyncio / threads"}
    entries = [Judged({"top": 2000}, {top}, ratios)]
    assert drift(("by_level/{top}/time: threads / asyncio",), entries) == []
    assert drift(("by_level/*/time: threads / *",), entries) == []
    assert drift(("by_level/100/time: threads / asyncio",), entries) == [
        f"a claim judges {top!r}, which JUDGED lacks",
        "JUDGED names 'by_level/100/time: threads / asyncio', which no result has",
    ]
    assert drift(("by_level/2000/time: *",), entries) == [
        "JUDGED names 'by_level/2000/time: *': it selects "
        "'by_level/2000/time: asyncio / threads', which no claim computes"
    ]
    assert drift((), [Judged({}, set(), {"x: a / b"})]) == []  # no claim reads it
    assert drift(None, [Judged({}, set(), {"x: a / b"})]) != []  # must say so
    assert drift(None, [Judged({}, set(), set())]) == []  # nothing timed: nothing


def test_the_recorder_names_paired_values_by_their_source() -> None:
    """Seconds per start of two alternatives, paired: the ratio of those two."""
    originals = (stats.ratio, stats.paired_ratios, claims.Evidence.rounds)
    result = {
        "starts": {
            "kind": stats.ROUNDS_KIND,
            "rounds": 3,
            "samples": {"thread": [1.0, 2.0, 4.0], "spawn": [3.0, 5.0, 7.0]},
        },
        "stall": [0.5, 0.25, 0.125],
    }
    with record() as recorder:
        recorder.results = [result]
        per_start = [s / 10 for s in result["starts"]["samples"]["spawn"]]
        stats.paired_ratios(per_start, result["starts"]["samples"]["thread"])
        stats.paired_ratios(result["stall"], result["starts"]["samples"]["thread"])
        evidence = claims.Evidence.single(result)
        evidence.ratio("starts", "thread", "spawn")
    assert recorder.computed == {"starts: spawn / thread", "starts: thread / spawn"}
    assert (stats.ratio, stats.paired_ratios, claims.Evidence.rounds) == originals
