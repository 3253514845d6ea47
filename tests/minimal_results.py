"""A small, valid results file built in memory, so tests need no site build.

One experiment, ``timed``, in the format ``results.record`` writes: one run whose
"fast" alternative takes half the time of "slow" in 12 rounds, and one registered
claim (:func:`twice_as_fast`, installed by :func:`register`) judged on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from measured import claims
from measured.claims import Evidence, Figure
from measured.run import stats
from measured.web import results

ROUNDS = 12
ENV: dict[str, Any] = {
    "python": "3.12.1",
    "implementation": "CPython",
    "free_threaded_build": False,
    "gil_enabled": True,
    "os": "Linux 6.1.0",
    "cpu": "Example CPU 3000",
    "cores": 2,
    "logical_cpus": 2,
    "physical_cores": 2,
    "smt": False,
    "cgroup_cpus": None,
    "date": "2026-12-02 18:52 UTC",
}


def twice_as_fast(evidence: Evidence) -> claims.Claim:
    figure = Figure(
        "slow / fast", evidence.ratio("cmp", "slow", "fast"), 1.5, "at least"
    )
    return claims.judged(f"fast ran **{figure.interval.estimate:.2f}×**", [figure])


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        claims.registry,
        "REGISTRY",
        {"timed": [claims.Registered("timed", twice_as_fast, claims.MEASURED)]},
    )


def run() -> dict[str, Any]:
    fast = [0.1 + i * 1e-4 for i in range(ROUNDS)]
    samples = {"slow": [0.2] * ROUNDS, "fast": fast}
    return {
        "result": {
            "cmp": {
                "kind": stats.ROUNDS_KIND,
                "rounds": ROUNDS,
                "warmup": 0,
                "samples": samples,
            },
            "start_method": "fork",
            "env": dict(ENV),
        },
        "stdout": "slow 0.200 s\nfast 0.100 s\n",
        "seconds": 3.6,
        "machine": {"seconds": 3.6, "cores": 2, "foreign_cores": 0.0, "free_cores": 2},
        "added_because": "",
        "leftovers": {
            "processes": [],
            "ports": [],
            "shared_memory": [],
            "leak_warnings": [],
        },
    }


def document() -> dict[str, Any]:
    """The whole file; its claims are judged with whatever registry is installed."""
    runs = [run()]
    entry = {
        "experiment": "timed",
        "script": "snippets/timed.py",
        "pages": ["timed.md"],
        "interpreter": {
            "command": "/usr/bin/python3.12",
            "version": "3.12.1",
            "implementation": "CPython",
            "free_threaded_build": False,
            "gil_enabled": True,
        },
        "seconds": 3.6,
        "cached": False,
        "planned_runs": 1,
        "stopped_because": "",
        "runs": runs,
        "provenance": "CPython 3.12.1 (GIL build) · Linux 6.1.0 · Example CPU 3000",
        "claims": claims.evaluate("timed", Evidence.of(runs), strict=False),
    }
    return {
        "format": results.FORMAT,
        "kind": "reproduce",
        "generated": "2026-12-02 18:58 UTC",
        "site_url": None,
        "against": "--against none",
        "interrupted": None,
        "failed": [],
        "rows": [],
        "experiments": [entry],
    }


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    return path
