"""Every experiment under spawn: opt-in (``pytest -m spawn_all``), minutes long.

Run by .ci/run after ``make test``. Each script must run when its processes are
spawned (workers importable at module top level, nothing set up only in the parent),
and every claim must hold or be honestly "not shown" there too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.spawn_all
def test_every_experiment_runs_and_no_claim_misses_under_spawn(tmp_path: Path) -> None:
    out = tmp_path / "spawn.json"
    command = ["reproduce", "--start-method", "spawn", "--against", "none"]
    proc = subprocess.run(
        [sys.executable, "-m", "measured", *command, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    data = json.loads(out.read_text())
    envs = [r["result"]["env"] for e in data["experiments"] for r in e["runs"]]
    # Recorded in every result, as $MEASURED_START_METHOD would have set it.
    assert envs and all(e["start_method_requested"] == "spawn" for e in envs)
    missed = [
        f"{row['experiment']}: {row['claim']}"
        for row in data["rows"]
        if row["verdict"] not in ("holds", "not shown", "no claim")
    ]
    assert not missed, "under spawn:\n" + "\n".join(missed)
