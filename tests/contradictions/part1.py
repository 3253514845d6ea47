"""Contradicting inputs for the claims of guide part 1 (measured/claims_part1.py)."""

from __future__ import annotations

from measured.claims import Evidence

from . import contradicts, like, set_samples

# --- cpu_bound --------------------------------------------------------------------


def _cpu(result: dict) -> dict:
    return result["cpu"]


@contradicts("processes_scale")
def processes_as_slow_as_serial(evidence: Evidence) -> Evidence:
    key = f"processes {evidence.result['headline_workers']}"
    return set_samples(evidence, _cpu, key, like("serial"))


@contradicts("threads_do_not_scale_with_gil")
def threads_twice_as_fast(evidence: Evidence) -> Evidence:
    key = f"threads {evidence.result['headline_workers']}"
    return set_samples(evidence, _cpu, key, like("serial", 0.5))


@contradicts("more_processes_than_cores_gain_nothing")
def doubled_processes_twice_as_fast(evidence: Evidence) -> Evidence:
    cores = evidence.cores
    return set_samples(
        evidence, _cpu, f"processes {2 * cores}", like(f"processes {cores}", 0.5)
    )
