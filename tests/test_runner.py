"""The experiment runner: failures, timeouts, and the content-addressed cache."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from conftest import hanging_script, pid_alive

from measured import claims
from measured.run import cache, load, processes, provenance, runner

EMIT = "from measured.run import measure\n"


def write(project: Path, name: str, body: str) -> Path:
    path = project / "snippets" / name
    path.write_text(textwrap.dedent(body))
    return path


def stored(project: Path) -> list[str]:
    folder = project / ".cache" / "experiments"
    return sorted(p.name for p in folder.glob("*.json")) if folder.exists() else []


def test_result_comes_from_measure_emit(project: Path) -> None:
    write(project, "ok.py", EMIT + "print('hello')\nmeasure.emit({'value': 42})\n")
    run = runner.run("ok")
    assert run.result["value"] == 42
    assert run.stdout == "hello\n"
    assert run.env["cores"] >= 1 and run.env["python"]
    assert not run.cached


def test_failing_script_names_script_status_and_stderr_tail(project: Path) -> None:
    write(
        project,
        "boom.py",
        """\
        import sys
        for i in range(30):
            print(f"line {i}", file=sys.stderr)
        raise SystemExit(3)
        """,
    )
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run("boom", page="threads.md")
    message = str(caught.value)
    assert "snippets/boom.py" in message
    assert "exited with status 3" in message
    assert "page: threads.md" in message
    assert "line 29" in message and "line 10" in message
    assert "line 9\n" not in message  # only the last 20 lines
    assert stored(project) == []  # nothing from a failed run is cached


def test_exception_in_script_fails_with_traceback(project: Path) -> None:
    write(project, "raises.py", "raise ValueError('bad input')\n")
    with pytest.raises(runner.ExperimentFailed, match="ValueError: bad input"):
        runner.run("raises")


def test_script_that_emits_nothing_fails(project: Path) -> None:
    write(project, "silent.py", "print('no result')\n")
    with pytest.raises(runner.ExperimentFailed, match="emitted no result"):
        runner.run("silent")


def test_timeout_kills_the_whole_group_and_frees_shared_memory(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    report = tmp_path_factory.mktemp("hang") / "report.json"
    write(project, "hang.py", hanging_script(report, timeout=2))
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run("hang")
    message = str(caught.value)
    assert "timed out after 2 s" in message
    assert "about to hang" in message
    info = json.loads(report.read_text())
    survivors = [pid for pid in info["pids"] if pid_alive(pid)]
    assert survivors == [], f"children survived the timeout: {survivors}"
    assert not (Path("/dev/shm") / info["shm"].lstrip("/")).exists()
    assert stored(project) == []


def test_script_timeout_declaration_is_read(project: Path) -> None:
    script = write(project, "t.py", "TIMEOUT = 7.5\n")
    assert runner.declared_timeout(script) == 7.5


def test_cache_hit_then_miss_after_one_character_change(project: Path) -> None:
    body = EMIT + "measure.emit({'v': 1})  # a\n"
    script = write(project, "exp.py", body)
    first = runner.run("exp")
    runner.reset()
    second = runner.run("exp")
    assert (first.cached, second.cached) == (False, True)
    assert runner.counters["executed"] == 0 and runner.counters["cached"] == 1

    script.write_text(body.replace("# a", "# b"))
    runner.reset()
    assert runner.run("exp").cached is False
    assert runner.counters["executed"] == 1


def test_cache_miss_after_change_to_imported_local_module(project: Path) -> None:
    helper = write(project, "helper.py", "VALUE = 1\n")
    body = EMIT + "import helper\nmeasure.emit({'v': helper.VALUE})\n"
    write(project, "uses.py", body)
    assert runner.run("uses").result["v"] == 1
    runner.reset()
    assert runner.run("uses").cached is True

    helper.write_text("VALUE = 2\n")
    runner.reset()
    again = runner.run("uses")
    assert again.cached is False and again.result["v"] == 2


def test_local_imports_are_followed_transitively(project: Path) -> None:
    pkg = project / "labkit"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "deep.py").write_text("X = 1\n")
    write(project, "mid.py", "from labkit import deep\n")
    script = write(project, "top.py", "import mid\nimport json\n")
    found = {p.relative_to(project).as_posix() for p in cache.local_imports(script)}
    assert found == {"snippets/mid.py", "labkit/__init__.py", "labkit/deep.py"}


def test_relative_imports_inside_a_package_are_followed(project: Path) -> None:
    """measure.py's `from . import stats`: a change to stats re-runs experiments."""
    pkg = project / "labkit"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text("from . import numbers\nfrom .deep import x\n")
    (pkg / "numbers.py").write_text("N = 1\n")
    (pkg / "deep.py").write_text("x = 1\n")
    script = write(project, "top.py", "from labkit import helper\n")
    found = {p.relative_to(project).as_posix() for p in cache.local_imports(script)}
    assert found == {
        "labkit/__init__.py",
        "labkit/helper.py",
        "labkit/numbers.py",
        "labkit/deep.py",
    }


def test_lock_file_change_invalidates(project: Path) -> None:
    write(project, "exp.py", EMIT + "measure.emit({})\n")
    runner.run("exp")
    (project / "requirements.lock").write_text("example==2.0\n")
    runner.reset()
    assert runner.run("exp").cached is False


def test_fresh_forces_execution(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, "exp.py", EMIT + "measure.emit({})\n")
    runner.run("exp")
    runner.reset()
    monkeypatch.setenv(cache.FRESH_ENV, "1")
    assert runner.run("exp").cached is False
    # ... but once per build: a second call in the same build reuses the run.
    assert runner.run("exp") is runner.run("exp")
    assert runner.counters["executed"] == 1


def test_unknown_experiment_is_an_error(project: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no experiment script"):
        runner.run("does_not_exist")


def test_runner_uses_a_fresh_process(project: Path) -> None:
    write(project, "pid.py", EMIT + "import os\nmeasure.emit({'pid': os.getpid()})\n")
    assert runner.run("pid").result["pid"] != os.getpid()


# A script whose figure depends on how often it ran: each run counts itself in a
# file beside it, so a claim can hold on some runs and miss on others.
COUNTING = (
    EMIT
    + """\
from pathlib import Path
runs = Path(__file__).with_suffix(".runs")
n = int(runs.read_text()) + 1 if runs.exists() else 1
runs.write_text(str(n))
measure.emit({"run": n})
"""
)


@pytest.fixture
def verdict_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register a claim that always misses ("misses") and one that always holds."""

    def always_misses(evidence: claims.Evidence) -> claims.Claim:
        return claims.Claim(False, "missed", figure=0.0)

    def always_holds(evidence: claims.Evidence) -> claims.Claim:
        return claims.Claim(True, "held", figure=1.0)

    monkeypatch.setitem(
        claims.registry.REGISTRY,
        "misses",
        [claims.Registered("misses", always_misses, "m")],
    )
    monkeypatch.setitem(
        claims.registry.REGISTRY,
        "holds",
        [claims.Registered("holds", always_holds, "m")],
    )


def test_a_missed_claim_is_never_measured_again(
    project: Path, verdict_claims: None
) -> None:
    """Replication is blind to verdicts: a claim that misses gets as many runs as
    one that holds."""
    write(project, "misses.py", COUNTING)
    write(project, "holds.py", COUNTING)
    missed, held = runner.run("misses"), runner.run("holds")
    assert len(missed.executions) == len(held.executions) == runner.PLANNED_RUNS
    assert (project / "snippets" / "misses.runs").read_text() == str(
        runner.PLANNED_RUNS
    )
    assert runner.counters["executed"] == 2 * runner.PLANNED_RUNS
    assert runner.counters["added"] == 0


def test_a_script_declares_its_planned_runs(project: Path) -> None:
    write(project, "thrice.py", "RUNS = 3\n" + COUNTING)
    run = runner.run("thrice")
    assert [e.result["run"] for e in run.executions] == [1, 2, 3]
    assert run.planned == 3 and all(e.added_because == "" for e in run.executions)
    assert "3 runs" in provenance.line(run)
    runner.reset()
    cached = runner.run("thrice")  # the cache keeps every run
    assert cached.cached and [e.result["run"] for e in cached.executions] == [1, 2, 3]


# Rounds whose paired ratios disagree wildly, in every run alike: the run's own
# noise asks for more runs, and pooling them never narrows it under the limit.
# "a / c" is steady. JUDGED (when a test adds it) names the ratios claims judge.
NOISY = (
    EMIT
    + """\
from measured.run import stats
base = [1.0] * 9
other = [0.2] * 4 + [1.0] + [5.0] * 4
measure.emit({"cmp": {"kind": stats.ROUNDS_KIND, "rounds": 9, "warmup": 0,
                      "samples": {"a": base, "b": other, "c": [0.5] * 9}},
              "noisy": "b"})
"""
)


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run made on a free machine: only the noise rule may add a run (other
    programs on a loaded test machine would otherwise trigger the busy rule)."""
    monkeypatch.setattr(load.Meter, "stop", lambda self: load.Load(1.0, 2, 0.0, 2.0))


def test_undeclared_noisy_rounds_add_runs_up_to_the_limit(
    project: Path, quiet: None
) -> None:
    """A script without JUDGED keeps the older rule: every alternative against its
    record's first counts, so a new experiment is never under-replicated."""
    write(project, "noisy.py", NOISY)
    run = runner.run("noisy")
    assert len(run.executions) == runner.MAX_RUNS
    assert run.executions[0].added_because == ""
    assert "widest interval of a paired ratio" in run.executions[1].added_because
    assert "(cmp: a / b)" in run.executions[1].added_because
    assert "the most the rule makes" in run.stopped_because
    assert runner.counters["added"] == runner.MAX_RUNS - 1
    assert "added:" in provenance.line(run)


@pytest.mark.parametrize(
    "judged", ['("cmp: a / b",)', '("cmp: a / {noisy}",)', '("cmp: c / *",)']
)
def test_a_declared_noisy_ratio_adds_runs_up_to_the_limit(
    project: Path, quiet: None, judged: str
) -> None:
    write(project, "noisy.py", f"JUDGED = {judged}\n" + NOISY)
    run = runner.run("noisy")
    assert len(run.executions) == runner.MAX_RUNS
    assert "widest interval of a ratio its claims judge" in (
        run.executions[1].added_because
    )
    assert "the most the rule makes" in run.stopped_because
    assert "added:" in provenance.line(run)


@pytest.mark.parametrize("judged", ['("cmp: a / c",)', "()", '("cmp: a / {absent}",)'])
def test_a_noisy_ratio_no_claim_judges_adds_no_run(
    project: Path, quiet: None, judged: str
) -> None:
    """Only the ratios the script declares its claims judge count: "a / b" is as
    noisy as ever, but no claim reads it, so no run is added for it."""
    write(project, "noisy.py", f"JUDGED = {judged}\n" + NOISY)
    run = runner.run("noisy")
    assert len(run.executions) == runner.PLANNED_RUNS
    assert run.stopped_because == ""
    assert runner.counters["added"] == 0


def test_judged_ratios_are_read_without_running_the_script(tmp_path: Path) -> None:
    script = tmp_path / "exp.py"
    script.write_text('raise SystemExit("never run")\nJUDGED = ("x: a / b",)\n')
    assert runner.judged_ratios(script) == ("x: a / b",)
    script.write_text("ROUNDS = 9\n")
    assert runner.judged_ratios(script) is None
    for bad in ('JUDGED = ("a / b",)', "JUDGED = tuple()", 'JUDGED = "x: a / b"'):
        script.write_text(bad + "\n")
        with pytest.raises(ValueError, match="path: baseline / contender"):
            runner.judged_ratios(script)


def _load(free: float, cores: int = 2) -> load.Load:
    return load.Load(1.0, cores, cores - free, free)


def test_a_busy_run_is_repeated_once_the_machine_is_free(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        project,
        "exp.py",
        "JUDGED = ()  # no ratio: the busy rule still applies\n" + COUNTING,
    )
    loads = iter([_load(1.0), _load(2.0)])  # run 1 busy, run 2 on a free machine
    monkeypatch.setattr(load.Meter, "stop", lambda self: next(loads))
    monkeypatch.setattr(load, "sample", lambda seconds: _load(1.95))
    run = runner.run("exp")
    assert [e.result["run"] for e in run.executions] == [1, 2]
    assert "1.0 of 2 cores free" in run.executions[1].added_because
    assert not run.busy() and stored(project)  # a good run was made: cached


def test_a_machine_that_stays_busy_is_not_measured_again_and_stays_busy(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged rebuild runs no experiment, busy or not; the busy run is served
    as it was, still busy (its timed verdicts "not shown"), until a fresh build."""
    write(project, "exp.py", COUNTING)
    monkeypatch.setattr(load.Meter, "stop", lambda self: _load(1.0))
    monkeypatch.setattr(load, "sample", lambda seconds: _load(1.0))
    run = runner.run("exp")
    assert len(run.executions) == 1 and run.busy()
    assert "still busy" in run.stopped_because
    runner.reset()
    monkeypatch.setattr(load.Meter, "stop", lambda self: _load(2.0))
    again = runner.run("exp")
    assert again.cached and again.busy() and again.result["run"] == 1
    runner.reset()
    fresh = runner.run("exp", fresh=True)
    assert not fresh.cached and not fresh.busy() and fresh.result["run"] == 2


def test_a_group_of_zombies_is_not_alive() -> None:
    """A helper whose parent exited first lingers as a zombie until PID 1 reaps it:
    the runner must not wait for it (some inits take seconds)."""
    import subprocess
    import sys
    import time

    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc")
    # A session whose leader exits at once, leaving a child that exits too: the
    # child may stay a zombie for a while, but nothing in the group runs.
    orphan = "import subprocess, sys; subprocess.Popen([sys.executable, '-c', ''])"
    proc = subprocess.Popen([sys.executable, "-c", orphan], start_new_session=True)
    proc.wait()
    deadline = time.monotonic() + 5
    while processes.live_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert processes.live_members(proc.pid) is False
    assert processes.group_alive(proc.pid) is False


PROBED = (
    EMIT
    + """\
from pathlib import Path
runs = Path(__file__).with_suffix(".runs")
n = int(runs.read_text()) + 1 if runs.exists() else 1
runs.write_text(str(n))
# Run 1: the probe got 1.2 of 2 cores; run 2: both.
cores = 1.2 if n == 1 else 2.0
measure.emit({"run": n, "delivered_cores": {"method": "probe", "cores": cores,
              "per_round": [cores], "workers": 2}})
"""
)


def test_a_run_only_the_probe_found_busy_is_repeated_at_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, quiet: None
) -> None:
    """The meter saw the machine free, so reading it again says nothing: no pause,
    another run; the verdict then rests on the quiet one."""
    write(project, "exp.py", "JUDGED = ()\n" + PROBED)

    def no_pause(seconds: float) -> load.Load:
        raise AssertionError("a probe-busy run needs no pause")

    monkeypatch.setattr(load, "sample", no_pause)
    run = runner.run("exp")
    assert [e.result["run"] for e in run.executions] == [1, 2]
    assert "probe got about 1.2 of 2 cores" in run.executions[1].added_because
    assert not run.busy()
