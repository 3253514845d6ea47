"""One start method for a whole run: $MEASURED_START_METHOD and reproduce's flag.

The measurement helper applies the variable when a script imports it; the runner
hands it to every experiment, keys the cache on it, and the result records it.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from measured.cli.main import main
from measured.run import cache, measure, provenance, runner
from measured.run.interpreter import probe

ENV = measure.START_METHOD_ENV
# What the child reports: the variable it got and the default it ends up with.
REPORTS = textwrap.dedent(
    """\
    import multiprocessing, os
    from measured.run import measure

    measure.emit({
        "variable": os.environ.get(measure.START_METHOD_ENV),
        "default": multiprocessing.get_start_method(),
    })
    """
)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """set_start_method calls, recorded instead of made (this process keeps its own)."""
    calls: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        multiprocessing,
        "set_start_method",
        lambda method, force=False: calls.append((method, force)),
    )
    return calls


def test_the_variable_sets_the_default_start_method(
    recorded: list[tuple[str, bool]],
) -> None:
    assert measure.apply_start_method({ENV: "spawn"}) == "spawn"
    assert measure.apply_start_method({ENV: " forkserver "}) == "forkserver"
    assert recorded == [("spawn", True), ("forkserver", True)]


@pytest.mark.parametrize("environ", [{}, {ENV: ""}, {ENV: "  "}])
def test_unset_or_empty_changes_nothing(
    recorded: list[tuple[str, bool]], environ: dict[str, str]
) -> None:
    assert measure.apply_start_method(environ) is None
    assert recorded == []


def test_a_bad_value_is_one_clear_error(recorded: list[tuple[str, bool]]) -> None:
    with pytest.raises(ValueError) as raised:
        measure.apply_start_method({ENV: "sideways"})
    message = str(raised.value)
    assert message.startswith(f"{ENV}='sideways': unknown start method 'sideways'")
    assert "fork, forkserver, spawn" in message and "\n" not in message
    assert recorded == []


def test_a_method_this_platform_lacks_is_refused(
    monkeypatch: pytest.MonkeyPatch, recorded: list[tuple[str, bool]]
) -> None:
    # What Windows offers: spawn only (no fork, no forkserver).
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with pytest.raises(ValueError, match="'forkserver' is not available on"):
        measure.apply_start_method({ENV: "forkserver"})
    assert measure.apply_start_method({ENV: "spawn"}) == "spawn"


def test_importing_the_helper_with_a_bad_value_exits_with_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import measured.run.measure"],
        cwd=ROOT,
        env={**_clean_env(), ENV: "threads"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {ENV}='threads': unknown start method")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_the_cache_key_differs_by_start_method(project: Path) -> None:
    script = project / "snippets" / "reports.py"
    script.write_text(REPORTS)
    interpreter = probe(None)
    keys = {
        method: cache.key(script, interpreter, start_method=method)
        for method in (None, "fork", "forkserver", "spawn")
    }
    assert len(set(keys.values())) == 4
    assert cache.key(script, interpreter, start_method="spawn") == keys["spawn"]


def test_the_runner_hands_the_method_to_the_script_and_records_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "snippets" / "reports.py").write_text(REPORTS)
    monkeypatch.setenv(ENV, "fork")  # the flag's value wins over the variable
    spawned = runner.run("reports", start_method="spawn")
    assert spawned.result["variable"] == spawned.result["default"] == "spawn"
    assert spawned.env["start_method"] == "spawn"
    assert spawned.env["start_method_requested"] == "spawn"
    assert f"start method spawn ({ENV})" in provenance.line(spawned)

    # Without the argument the variable decides, and a fork run is stored apart:
    # it is measured, never served from the spawn run's record.
    forked = runner.run("reports")
    assert not forked.cached and forked.result["variable"] == "fork"
    assert forked.env["start_method_requested"] == "fork"
    assert len(list((project / ".cache" / "experiments").glob("reports-*"))) == 2

    monkeypatch.delenv(ENV)
    default = runner.run("reports")
    assert default.result["variable"] is None
    assert default.env["start_method_requested"] is None
    assert "start method" not in provenance.line(default)


def test_reproduce_parses_the_flag_and_passes_it_on(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (project / "snippets" / "reports.py").write_text(REPORTS)
    monkeypatch.delenv(ENV, raising=False)
    out = tmp_path / "mine.json"
    args = ["reproduce", "--against", "none", "--json", str(out)]
    assert main([*args, "--start-method", "spawn"]) == 0
    (run,) = json.loads(out.read_text())["experiments"]
    assert run["runs"][0]["result"]["variable"] == "spawn"
    assert run["runs"][0]["result"]["env"]["start_method"] == "spawn"

    # No flag: $MEASURED_START_METHOD, as the site build reads it.
    monkeypatch.setenv(ENV, "forkserver")
    assert main(args) == 0
    (run,) = json.loads(out.read_text())["experiments"]
    assert run["runs"][0]["result"]["variable"] == "forkserver"


@pytest.mark.parametrize(
    ("flag", "variable", "message"),
    [
        (["--start-method", "threads"], None, "invalid choice: 'threads'"),
        ([], "threads", f"error: {ENV}='threads': unknown start method"),
    ],
)
def test_reproduce_refuses_a_bad_method_before_running_anything(
    project: Path, flag: list[str], variable: str | None, message: str
) -> None:
    (project / "snippets" / "reports.py").write_text(REPORTS + "open('ran', 'w')\n")
    env = _clean_env()
    if variable is not None:
        env[ENV] = variable
    proc = subprocess.run(
        [sys.executable, "-m", "measured", "reproduce", "--against", "none", *flag],
        cwd=project,
        env={**env, "MEASURED_ROOT": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (project / "ran").exists()


def test_help_documents_the_switch() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "measured", "reproduce", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--start-method {fork,forkserver,spawn}" in proc.stdout
    assert ENV in proc.stdout


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != ENV}
