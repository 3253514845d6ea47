"""``python -m measured reproduce`` end to end, on tiny experiments in a scratch repo.

In-process calls of ``main`` check the table and the JSON; subprocesses check what a
reader sees at a terminal: one-line errors with status 2, no traceback, and Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, pid_alive

from measured import claims
from measured.cli.main import main
from measured.run import runner
from measured.web import results

EMIT = "from measured.run import measure\n"
FAST = EMIT + "print('fast ran')\nmeasure.emit({'speedup': 2.0})\n"
PLAIN = EMIT + "measure.emit({'value': 1})\n"


def write(project: Path, name: str, body: str) -> Path:
    path = project / "snippets" / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


def fast_is_fast(evidence: claims.Evidence) -> claims.Claim:
    gain = evidence.result["speedup"]
    return claims.Claim(gain >= 1.5, f"fast reached {gain:.2f}×", figure=gain)


def registered(*checks: claims.Check) -> list[claims.Registered]:
    return [claims.Registered("fast", check, claims.MEASURED) for check in checks]


@pytest.fixture
def lab(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two experiments, ``fast`` with one registered claim and ``plain`` with none."""
    write(project, "fast", FAST)
    write(project, "plain", PLAIN)
    monkeypatch.setitem(claims.registry.REGISTRY, "fast", registered(fast_is_fast))
    monkeypatch.setenv("COLUMNS", "200")  # rich: one table row per line
    return project


ENV = {
    "python": "3.13.0",
    "implementation": "CPython",
    "free_threaded_build": False,
    "gil_enabled": True,
    "os": "Linux 6.1",
    "cpu": "Published CPU 9000",
    "cores": 8,
    "date": "2025-01-01 00:00 UTC",
}


def published_file(path: Path, figure: float = 4.0, **changes: Any) -> Path:
    run = {
        "experiment": "fast",
        "script": "snippets/fast.py",
        "pages": ["fast-page.md"],
        "interpreter": {"command": "python3.13", "version": "3.13.0"},
        "seconds": 0.5,
        "cached": False,
        "provenance": "CPython 3.13.0 (GIL build) · ...",
        "claims": [
            {
                "claim": "fast_is_fast",
                "holds": True,
                "statement": f"fast reached {figure:.2f}×",
                "reason": "",
                "figure": figure,
            }
        ],
        "runs": [
            {
                "result": {"speedup": figure, "env": ENV},
                "stdout": "fast ran\n",
                "machine": {},
            }
        ],
    }
    data = {
        "format": 2,
        "kind": "site",
        "generated": "2025-01-02 03:04 UTC",
        "site_url": "https://example.invalid/guide/",
        "experiments": [run],
        **changes,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def table_row(out: str, name: str) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith(name)]
    return line


# -- run and compare ----------------------------------------------------------------


def test_runs_every_experiment_and_compares_with_the_results_file(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    against = published_file(lab / "published.json")
    assert main(["reproduce", "--against", str(against)]) == 0
    out, err = capsys.readouterr()
    assert "Published: " + str(against) in out
    assert "generated 2025-01-02 03:04 UTC" in out
    assert "Published CPU 9000 · 8 usable cores" in out  # the published machine
    assert runner.probe().version in out.split("Yours:")[1]  # your machine
    fast = table_row(out, "fast")
    assert "fast is fast" in fast
    assert fast.split()[-5:] == ["4.00", "2.00", "0.50×", "✓", "holds"]
    plain = table_row(out, "plain")
    assert "no conclusion registered" in plain and "0.50×" not in plain
    assert "1 of 1 conclusions hold on your machine" in out
    # Progress went to stderr, one line per finished experiment, in order.
    assert err.index("✓ fast") < err.index("✓ plain")


def test_a_conclusion_that_fails_here_is_shown_not_an_error(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(lab, "fast", EMIT + "measure.emit({'speedup': 1.1})\n")
    against = published_file(lab / "published.json")
    assert main(["reproduce", "--only", "fast", "--against", str(against)]) == 0
    out = capsys.readouterr().out
    row = table_row(out, "fast").split()
    assert row[-7:] == ["4.00", "1.10", "0.28×", "✗", "does", "not", "hold"]
    assert "0 of 1 conclusions hold" in out


def test_json_output_is_a_results_file_to_compare_with_later(
    lab: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("json") / "mine.json"
    against = published_file(lab / "published.json")
    assert main(["reproduce", "--json", str(out), "--against", str(against)]) == 0
    data = json.loads(out.read_text())
    assert data["format"] == results.FORMAT and data["kind"] == "reproduce"
    assert data["against"] == str(against) and data["interrupted"] is None
    (row,) = [r for r in data["rows"] if r["experiment"] == "fast"]
    assert row["claim"] == "fast_is_fast"
    assert (row["published_figure"], row["figure"], row["ratio"]) == (4.0, 2.0, 0.5)
    assert row["holds"] is True and row["cached"] is False
    assert row["published_machine"] == "3.13.0 · 8 cores"
    runs = {run["experiment"]: run for run in data["experiments"]}
    assert runs["fast"]["runs"][0]["result"]["speedup"] == 2.0
    assert runs["fast"]["claims"][0]["figure"] == 2.0

    # The saved file is itself a comparison source.
    again = results.load(str(out))
    assert [run["experiment"] for run in again.entries] == ["fast", "plain"]
    assert main(["reproduce", "--only", "fast", "--against", str(out)]) == 0


def test_runs_are_fresh_and_leave_the_build_cache_alone(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counter = lab / "runs.txt"
    write(lab, "fast", f"open({str(counter)!r}, 'a').write('run')\n" + FAST)
    stored = lab / ".cache" / "experiments"
    assert main(["reproduce", "--only", "fast", "--against", "none"]) == 0
    assert main(["reproduce", "--only", "fast", "--against", "none"]) == 0
    assert counter.read_text() == "runrun"  # executed both times
    assert not list(stored.glob("*.json"))
    out = capsys.readouterr().out
    assert "Published: not compared (--against none)" in out
    assert "ratio" not in out  # nothing to divide by

    # --cached stores, then reuses, and the summary says so. (The first call may
    # execute the script more than once: the runner adds a run when the machine
    # was busy. The second must execute nothing.)
    runner.reset()
    assert main(["reproduce", "--only", "fast", "--against", "none", "--cached"]) == 0
    stored_runs = counter.read_text()
    assert stored_runs.startswith("runrunrun")
    assert main(["reproduce", "--only", "fast", "--against", "none", "--cached"]) == 0
    assert len(list(stored.glob("fast-*.json"))) == 1
    assert counter.read_text() == stored_runs  # the second --cached run reused it
    out = capsys.readouterr().out
    assert out.count("1 run from the build cache") == 1


def test_page_selects_the_experiments_the_page_showed(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    against = str(published_file(lab / "published.json"))
    for page in ("fast-page", "docs/fast-page.md", "/guide/fast-page/"):
        assert main(["reproduce", "--page", page, "--against", against]) == 0
        out = capsys.readouterr().out
        assert table_row(out, "fast") and "plain" not in out.split("experiment")[-1]


def test_several_interpreters_give_one_row_each(
    lab: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A second name for this interpreter: a different executable to the runner.
    # Outside the venv it needs the checkout on its path to import `measured`.
    other = tmp_path_factory.mktemp("bin") / "python-again"
    other.symlink_to(Path(sys.executable).resolve())
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    args = ["reproduce", "--only", "fast", "--against", "none", "--python"]
    assert main([*args, sys.executable, str(other), sys.executable]) == 0
    out, err = capsys.readouterr()
    assert err.count("✓ fast on CPython") == 2  # the same command twice runs once
    assert out.count("✓ holds") == 2


def test_default_source_is_the_last_local_build(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published_file(lab / "site" / "results.json", figure=8.0)
    assert main(["reproduce", "--only", "fast"]) == 0
    out = capsys.readouterr().out
    assert "(your last local build)" in out
    assert "0.25×" in table_row(out, "fast")


def test_default_source_without_a_build_is_the_published_site(
    lab: Path, tmp_path_factory: pytest.TempPathFactory, capsys
) -> None:
    # A file:// site_url keeps the test offline; the code path is the URL one.
    site = tmp_path_factory.mktemp("published")
    published_file(site / "results.json", figure=1.0)
    (lab / "mkdocs.yml").write_text(
        f"site_name: t\nsite_url: !ENV [NO_SUCH_VARIABLE, '{site.as_uri()}/']\n"
    )
    assert main(["reproduce", "--only", "fast"]) == 0
    out = capsys.readouterr().out
    assert f"{site.as_uri()}/results.json (the published site)" in out
    assert "2.00×" in table_row(out, "fast")


def test_a_failing_experiment_is_reported_and_the_others_still_run(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(lab, "broken", "import sys\nsys.exit('broken on purpose')\n")
    assert main(["reproduce", "--against", "none"]) == 1
    out, err = capsys.readouterr()
    assert "run failed: exited with status 1" in table_row(out, "broken")
    assert "broken on purpose" in err  # the runner's message, with stderr tail
    assert "✓ holds" in table_row(out, "fast")
    assert "1 experiment failed" in out


# -- bad input: one line on stderr, status 2, nothing runs ----------------------------


def cli(project: Path, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "measured", "reproduce", *args],
        cwd=project,
        env={**os.environ, "MEASURED_ROOT": str(project), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.fixture
def marked(project: Path) -> Path:
    """An experiment that leaves a mark when it runs, and a valid results file."""
    write(project, "fast", EMIT + "open('ran', 'w').close()\nmeasure.emit({})\n")
    published_file(project / "published.json")
    return project


def broken_interpreter(folder: Path) -> str:
    script = folder / "python-broken"
    script.write_text("#!/bin/sh\necho 'this Python is broken' >&2\nexit 3\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "nope"], "error: unknown experiment 'nope' (known: fast)"),
        (["--page", "nope"], "error: no page 'nope' in published.json"),
        (["--against", "missing.json"], "error: cannot read missing.json: No such"),
        (["--against", "snippets"], "error: cannot read snippets: Is a directory"),
        (["--against", "not-json.json"], "error: not-json.json is not valid JSON"),
        (
            ["--against", "no-runs.json"],
            'no-runs.json is not a results file: no "experiments"',
        ),
        (["--against", "future.json"], "format 99 is newer than this checkout reads"),
        (["--against", "bad-run.json"], "entry 0 (fast), repetition 1 has no result"),
        (
            ["--against", "no-cores.json"],
            "entry 0 (fast), repetition 1 env lacks cores",
        ),
        (
            ["--python", "no-such-python"],
            "error: interpreter 'no-such-python' does not",
        ),
        (["--python", "BROKEN"], "exit status 3: this Python is broken"),
        (["--json", "no/such/folder/x.json"], "error: cannot write no/such/folder"),
        (["--page", "fast-page", "--against", "none"], "--page needs a results file"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_bad_input_is_one_line_with_status_2(
    marked: Path, args: list[str], message: str
) -> None:
    (marked / "not-json.json").write_text("{not json")
    (marked / "no-runs.json").write_text('{"format": 2}')
    published_file(marked / "future.json", format=99)
    bad = json.loads((marked / "published.json").read_text())
    del bad["experiments"][0]["runs"][0]["result"]
    (marked / "bad-run.json").write_text(json.dumps(bad))
    no_cores = json.loads((marked / "published.json").read_text())
    del no_cores["experiments"][0]["runs"][0]["result"]["env"]["cores"]
    (marked / "no-cores.json").write_text(json.dumps(no_cores))
    args = [broken_interpreter(marked) if a == "BROKEN" else a for a in args]
    if "--against" not in args:
        args += ["--against", "published.json"]
    proc = cli(marked, *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr  # exactly one line
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (marked / "ran").exists(), "an experiment ran despite the bad input"


def test_help_documents_the_options() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "measured", "reproduce", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    for option in ("--only", "--page", "--python", "--json", "--against", "--cached"):
        assert option in proc.stdout
    assert "130 interrupted" in proc.stdout


# -- Ctrl-C ---------------------------------------------------------------------------


def test_ctrl_c_kills_the_running_experiment_and_its_children(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    report = tmp_path_factory.mktemp("hang") / "pids.json"
    write(project, "a_quick", EMIT + "measure.emit({'value': 1})\n")
    write(
        project,
        "b_hang",
        f"""\
        import json, multiprocessing, os, subprocess, sys, time

        def sleeper():
            time.sleep(600)

        if __name__ == "__main__":
            worker = multiprocessing.Process(target=sleeper)
            worker.start()
            sleep = "import time; time.sleep(600)"
            grandchild = subprocess.Popen([sys.executable, "-c", sleep])
            pids = [os.getpid(), worker.pid, grandchild.pid]
            with open({str(report)!r}, "w") as f:
                json.dump(pids, f)
            time.sleep(600)
        """,
    )
    write(project, "c_never", EMIT + "open('ran', 'w').close()\nmeasure.emit({})\n")
    out_json = project / "partial.json"
    args = ["--against", "none", "--json", str(out_json)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "measured", "reproduce", *args],
        cwd=project,
        env={**os.environ, "MEASURED_ROOT": str(project), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, like a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 60
        while not report.exists() or not report.read_text():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the hanging experiment never started"
            time.sleep(0.1)
        pids = json.loads(report.read_text())
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at a terminal sends
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted: stopped b_hang after" in stderr
    assert "killed its process group; 1 of 3 runs finished" in stderr
    survivors = [pid for pid in pids if pid_alive(pid)]
    for pid in survivors:  # don't leave them behind on a shared machine
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], f"processes survived Ctrl-C: {survivors}"
    assert "a_quick" in stdout and "b_hang" not in stdout.split("experiment")[-1]
    assert "No conclusion was judged" in stdout  # a_quick has no claim
    assert not (project / "ran").exists(), "an experiment started after Ctrl-C"
    data = json.loads(out_json.read_text())
    assert data["interrupted"]["experiment"] == "b_hang"
    assert [run["experiment"] for run in data["experiments"]] == ["a_quick"]


def test_a_claim_that_cannot_read_your_result_is_reported(
    lab: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def needs_more(evidence: claims.Evidence) -> claims.Claim:
        return claims.Claim(True, "", figure=evidence.result["missing"])

    monkeypatch.setitem(
        claims.registry.REGISTRY, "fast", registered(needs_more, fast_is_fast)
    )
    assert main(["reproduce", "--only", "fast", "--against", "none"]) == 1
    out = capsys.readouterr().out
    assert "could not read your result: KeyError('missing')" in out
    assert "1 of 1 conclusions hold" in out  # the other claim still counts
    assert "1 claim could not be judged" in out


def test_your_run_is_compared_with_the_published_run_of_the_same_python(
    tmp_path: Path,
) -> None:
    from measured.cli import report

    mine = runner.probe()
    path = published_file(tmp_path / "two.json")
    data = json.loads(path.read_text())
    first = data["experiments"][0]
    same = json.loads(json.dumps(first))
    same["runs"][0]["result"]["env"] = {**ENV, "python": mine.version, "cores": 2}
    free = json.loads(json.dumps(same))
    env = free["runs"][0]["result"]["env"]
    env["free_threaded_build"] = not mine.free_threaded_build
    data["experiments"] = [first, free, same]
    published = results.Published("two.json", data)
    assert report.published_run(published, "fast", mine) is data["experiments"][2]
    # No run of your version: one of the same build, else the first.
    data["experiments"] = [free, first]
    assert report.published_run(published, "fast", mine) is data["experiments"][1]
    assert report.published_run(published, "nope", mine) is None
