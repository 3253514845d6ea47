"""Every experiment runs the way a reader runs it: ``python snippets/<name>.py``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

from measured.run import runner

SCRIPTS = sorted((ROOT / "snippets").glob("*.py"))


def test_there_are_snippets() -> None:
    assert SCRIPTS, "snippets/ holds no experiment"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_snippet_runs_standalone(script) -> None:
    # No MEASURED_RESULT_FILE: emit() must not need the build to be present.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEASURED_")}
    timeout = runner.declared_timeout(script) or runner.DEFAULT_TIMEOUT
    proc = subprocess.run(
        [sys.executable, f"snippets/{script.name}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip(), "an experiment should print what it measured"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_snippet_is_safe_to_import(script) -> None:
    """Workers live at module top level and the work sits behind the main guard,
    so a spawned child can import the script without re-running the experiment."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(script)!r})"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == "", "importing the script must not run the experiment"
