"""The Dask experiment leaves no process behind.

The runner kills an experiment's whole process group when it ends, which would hide
a leak. Here the script runs as a reader runs it, in a session of its own, and
afterwards nothing may be left in that session: no worker, no nanny, no resource
tracker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, pid_alive
from leftovers import session_members

from measured.run import measure, runner

SCRIPT = ROOT / "snippets" / "dask_vs_pool.py"


def test_dask_cluster_leaves_no_process(tmp_path: Path) -> None:
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        measure.RESULT_ENV: str(result_file),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=runner.declared_timeout(SCRIPT))
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr[-3000:]
    result = json.loads(result_file.read_text())
    started = result["started_pids"]
    assert len(started) == result["cores"], "one worker process per core"
    assert result["left_behind"] == []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (
        session_members(proc.pid) or any(pid_alive(p) for p in started)
    ):
        time.sleep(0.1)
    assert session_members(proc.pid) == [], "processes outlived the experiment"
    assert [p for p in started if pid_alive(p)] == []
    assert "127.0.0.1" in stdout
