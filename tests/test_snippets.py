"""Every experiment runs the way a reader runs it: ``python snippets/<name>.py``.

The session build ran every snippet through the runner (``python snippets/<name>.py``
in the project root, in a session of its own); its results file says each run
exited 0 and printed what it measured. A reader's run differs only in having no
result file to write: emit() must not need one, and no snippet may read the
runner's environment.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, snippet_names

from measured.run import measure
from measured.web import results

SCRIPTS = sorted((ROOT / "snippets").glob("*.py"))


def test_there_are_snippets() -> None:
    assert SCRIPTS, "snippets/ holds no experiment"


@pytest.mark.parametrize("name", snippet_names())
def test_snippet_ran_and_printed_what_it_measured(
    build_results: results.Published, name: str
) -> None:
    # A failing run (non-zero exit, no result) fails the strict build itself.
    entries = [e for e in build_results.entries if e["experiment"] == name]
    assert entries, f"{name}: no page of the build ran it"
    for entry in entries:
        for run in entry["runs"]:
            assert run["stdout"].strip(), "an experiment should print what it measured"


def test_emit_needs_no_result_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run by hand (no MEASURED_RESULT_FILE), emit() returns the result, writes
    nothing and does not fail."""
    monkeypatch.delenv(measure.RESULT_ENV, raising=False)
    result = measure.emit({"answer": 42})
    assert result["answer"] == 42 and "env" in result


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_snippet_reads_no_runner_variable(script) -> None:
    """Whatever the runner sets (MEASURED_*) a reader's shell does not have."""
    assert not re.search(r"MEASURED_\w+", script.read_text())


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
