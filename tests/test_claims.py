"""Every registered claim, judged on the runs this build made, and shown able to fail.

The evidence comes from the same runner and cache the site build uses, so these
tests judge the very runs a reader sees. For each claim:

- on the build's runs it holds, or is not shown with its reason (the test skips);
- a recorded contradicting input (tests/contradictions/) makes it miss;
- relabelled as measured on one core, it is never false;
- a parallel claim, contradicted on a machine whose cores were busy, is "not shown
  (busy)", never false: a missing speedup cannot be told from a busy machine.
"""

from __future__ import annotations

import functools

import pytest
from contradictions import CONTRADICTIONS, with_env, with_machine

from measured import claims
from measured.claims import margins
from measured.run import runner
from measured.web import render

REGISTERED = claims.registered()
IDS = [r.name for r in REGISTERED]


@functools.cache
def evidence_of(experiment: str) -> claims.Evidence:
    return render.evidence(runner.run(experiment))


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_registered_claim_holds(entry: claims.Registered) -> None:
    """Every claim a page prints, against the runs this build shows."""
    outcome = entry.check(evidence_of(entry.experiment))
    if outcome.holds is None:
        pytest.skip(f"not shown on this machine ({outcome.why}): {outcome.reason}")
    assert outcome.holds, outcome.statement
    assert outcome.figure is not None, "a claim states the figure it rests on"


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_no_published_speedup_exceeds_the_ideal(entry: claims.Registered) -> None:
    """A speedup interval above min(workers, cores) is flagged, never published."""
    outcome = entry.check(evidence_of(entry.experiment))
    for figure in outcome.figures:
        if figure.impossible:
            assert outcome.holds is None and "measurement error" in outcome.reason


def test_every_claim_has_a_contradicting_input() -> None:
    missing = sorted(set(IDS) - CONTRADICTIONS.keys())
    assert not missing, f"claims nobody showed able to fail: {missing}"
    unknown = sorted(CONTRADICTIONS.keys() - set(IDS))
    assert not unknown, f"contradictions for claims that are not registered: {unknown}"


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_contradicting_input_makes_the_claim_miss(entry: claims.Registered) -> None:
    recorded = CONTRADICTIONS.get(entry.name)
    if recorded is None:
        pytest.fail(f"{entry.name} has no contradicting input")
    outcome = entry.check(recorded.make(evidence_of(entry.experiment)))
    assert outcome.holds is False, (
        f"fed a contradiction, {entry.name} said {outcome.verdict}: "
        f"{outcome.statement} {outcome.reason}"
    )


def _one_core(entry: claims.Registered, evidence: claims.Evidence) -> claims.Claim:
    return entry.check(with_env(evidence, cores=1))


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_no_claim_is_false_on_one_core(entry: claims.Registered) -> None:
    """Relabelled as measured on one core, a claim holds or is not shown."""
    outcome = _one_core(entry, evidence_of(entry.experiment))
    assert outcome.holds is not False, outcome.statement


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_parallel_claims_are_not_shown_on_a_busy_machine(
    entry: claims.Registered,
) -> None:
    """A parallel claim (one that one core cannot show) needs its cores free."""
    evidence = evidence_of(entry.experiment)
    one_core = _one_core(entry, evidence)
    if not (one_core.holds is None and one_core.reason == margins.ONE_CORE):
        pytest.skip("not a parallel claim: one core can show it")
    recorded = CONTRADICTIONS[entry.name]
    half = evidence.cores / 2
    busy = with_machine(recorded.make(evidence), free_cores=half, cores=evidence.cores)
    outcome = entry.check(busy)
    assert outcome.holds is None and outcome.why == claims.BUSY, (
        f"{entry.name} said {outcome.verdict} with {half:g} of {evidence.cores} "
        f"cores free: {outcome.statement} {outcome.reason}"
    )


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_no_timed_verdict_rests_on_a_busy_machine(entry: claims.Registered) -> None:
    """Contradicted or not, a timed claim measured while other programs held the
    cores is "not shown (busy)": a hog on one core once made a process pool look
    as cheap to start as a thread pool. Observations (counts, errors) still count."""
    evidence = evidence_of(entry.experiment)
    half = evidence.cores / 2
    for data in (evidence, CONTRADICTIONS[entry.name].make(evidence)):
        busy = with_machine(data, free_cores=half, cores=evidence.cores)
        outcome = entry.check(busy)
        if outcome.figures:
            assert outcome.holds is None and outcome.why == claims.BUSY, (
                f"{entry.name} said {outcome.verdict} with {half:g} of "
                f"{evidence.cores} cores free: {outcome.statement}"
            )
        else:
            assert outcome.holds is not True or data is evidence


def test_a_busy_run_is_left_out_when_a_quiet_one_exists() -> None:
    """Pooled runs: the verdict rests on the quiet runs only, never on a busy one."""
    from contradictions import Evidence, RunData

    from measured.claims import part1 as c

    real = evidence_of("cpu_bound")
    slow = CONTRADICTIONS["processes_scale"].make(real)  # processes = serial
    busy = RunData(slow.runs[0].result, {"free_cores": 1.0, "cores": real.cores})
    quiet = RunData(real.runs[0].result, {"free_cores": 2.0, "cores": real.cores})
    mixed = c.processes_scale(Evidence([busy, quiet]))
    alone = c.processes_scale(Evidence([quiet]))
    assert mixed.holds == alone.holds and mixed.figure == alone.figure


def test_a_pooled_verdict_needs_every_run_to_agree() -> None:
    """Rounds of one run share its process and moment: if one run alone says the
    opposite of the pooled figure, the claim is not shown, whatever the pool says."""
    from contradictions import Evidence, like, set_samples
    from contradictions.part1 import _cpu

    from measured.claims import part1 as c

    # The build's runs with processes set to a clear, possible speedup (serial
    # time x 0.55, about 1.8x): a measured figure above the ideal would be judged
    # a measurement error before the runs are compared.
    measured = evidence_of("cpu_bound")
    key = f"processes {measured.result['headline_workers']}"
    real = set_samples(measured, _cpu, key, like("serial", 0.55))
    slow = CONTRADICTIONS["processes_scale"].make(real)  # processes = serial
    outcome = c.processes_scale(Evidence([*real.runs * 3, *slow.runs]))
    assert outcome.holds is None and outcome.why == claims.NOISE
    # The first slow run comes after three copies of the real runs (however many
    # runs the build made of cpu_bound).
    assert f"the runs disagree: run {3 * len(real.runs) + 1}" in outcome.reason


def test_claims_are_registered_per_experiment() -> None:
    from measured.claims import part1 as c

    assert claims.for_experiment("cpu_bound") == [
        c.processes_scale,
        c.threads_do_not_scale_with_gil,
        c.more_processes_than_cores_gain_nothing,
    ]
    assert claims.for_experiment("no_such_experiment") == []


def test_every_registered_experiment_exists() -> None:
    for name in claims.registry.REGISTRY:
        assert runner.resolve(name).is_file()


def test_an_undecided_claim_does_not_open_by_asserting_it() -> None:
    """A claim not shown (the interval straddles its margin) prints its neutral
    "reached" wording, never the statement it would print had it held."""
    from measured.claims.registry import Figure, judged
    from measured.run.stats import Interval

    straddling = Figure(
        "processes vs serial", Interval(1.44, 1.35, 1.60, 12, 0.96), 1.4, "at least"
    )
    outcome = judged(
        "Processes ran the work in parallel: 1.44×.",
        [straddling],
        missed="Processes did NOT speed the work up: 1.44×.",
        undecided="Processes reached 1.44×.",
    )
    assert outcome.holds is None and outcome.why == claims.NOISE
    assert outcome.statement == "Processes reached 1.44×."
    clear = Figure("x", Interval(2.0, 1.9, 2.1, 12, 0.96), 1.4, "at least")
    held = judged("Held.", [clear], undecided="Reached.")
    assert held.holds is True and held.statement == "Held."


@pytest.mark.parametrize("entry", REGISTERED, ids=IDS)
def test_a_claim_not_decided_never_prints_its_statement(
    entry: claims.Registered, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A not-shown line never asserts what the claim would say had it held (once a
    page read "**1.53x**: big tasks ran in parallel", held in 0 of 3 runs), nor sets
    a figure in bold. The one decision rule is forced each way on this build's runs."""
    evidence = evidence_of(entry.experiment)
    monkeypatch.setattr(claims.registry, "decide", lambda figures: True)
    held = entry.check(evidence)
    monkeypatch.setattr(claims.registry, "decide", lambda figures: None)
    undecided = entry.check(evidence)
    if held.holds is not True or undecided.holds is not None:
        pytest.skip("no interval verdict to force on this build's runs")
    line = render.not_shown_text(undecided, entry.check, [undecided, undecided])
    assert held.statement not in line, line
    assert "**" not in line, line
    assert render.NOT_SHOWN in line
