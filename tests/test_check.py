"""``python -m measured check``: a results file judged again from its raw runs.

Unit tests on a tiny project with one timed claim, then the real site's file: it
passes as built, and fails once a raw sample or a stored figure is edited.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Build

from measured import claims
from measured.claims import Evidence, Figure
from measured.cli import check
from measured.run import runner
from measured.web import results

# A script whose "fast" alternative takes half the time of "slow", in 12 rounds.
SCRIPT = """\
from measured.run import measure, stats
n = 12
fast = [0.1 + i * 1e-4 for i in range(n)]
measure.emit({"cmp": {"kind": stats.ROUNDS_KIND, "rounds": n, "warmup": 0,
    "samples": {"slow": [0.2] * n, "fast": fast}}})
"""


def twice_as_fast(evidence: Evidence) -> claims.Claim:
    if evidence.env["cores"] < 1:
        return claims.not_shown("never", "no cores", claims.SHAPE)
    figure = Figure(
        "slow / fast", evidence.ratio("cmp", "slow", "fast"), 1.5, "at least"
    )
    return claims.judged(f"fast ran **{figure.interval.estimate:.2f}×**", [figure])


def busy_claim(evidence: Evidence) -> claims.Claim:
    return claims.not_shown("needs free cores", "about 1 of 2 cores free", claims.BUSY)


@pytest.fixture
def lab(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (project / "snippets" / "timed.py").write_text(SCRIPT)
    monkeypatch.setattr(
        claims.registry,
        "REGISTRY",
        {"timed": [claims.Registered("timed", twice_as_fast, claims.MEASURED)]},
    )
    return project


def document(kind: str = "site") -> dict[str, Any]:
    return results.document([runner.run("timed")], kind=kind)


def judge(data: dict[str, Any], path: Path, *extra: str) -> int:
    path.write_text(json.dumps(data))
    return check.main(check_args(str(path), *extra))


def check_args(*argv: str) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    check.add_parser(commands)
    return parser.parse_args(["check", *argv])


def test_a_sound_file_passes(lab: Path, tmp_path: Path) -> None:
    assert judge(document(), tmp_path / "r.json") == check.EXIT_OK


def test_a_raw_sample_edited_to_contradict_the_claim_fails(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = document()
    samples = data["experiments"][0]["runs"][0]["result"]["cmp"]["samples"]
    samples["fast"] = list(samples["slow"])  # fast is now as slow as slow
    assert judge(data, tmp_path / "r.json") == check.EXIT_FAILED
    assert "disagrees" in capsys.readouterr().out


def test_a_stored_verdict_that_its_data_do_not_support_fails(
    lab: Path, tmp_path: Path
) -> None:
    data = document()
    data["experiments"][0]["claims"][0]["figure"] = 9.9  # a figure typed by hand
    assert judge(data, tmp_path / "r.json") == check.EXIT_FAILED


def test_a_false_claim_fails_even_when_the_file_admits_it(
    lab: Path, tmp_path: Path
) -> None:
    data = document()
    entry = data["experiments"][0]
    entry["runs"][0]["result"]["cmp"]["samples"]["fast"] = [0.4] * 12
    evidence = Evidence.of(entry["runs"])
    entry["claims"] = claims.evaluate("timed", evidence)  # consistent, but false
    assert entry["claims"][0]["verdict"] == "misses"
    assert judge(data, tmp_path / "r.json") == check.EXIT_FAILED


def test_a_missing_claim_or_experiment_fails(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = document()
    no_claims = copy.deepcopy(data)
    no_claims["experiments"][0]["claims"] = []
    assert judge(no_claims, tmp_path / "a.json") == check.EXIT_FAILED
    monkeypatch.setitem(
        claims.registry.REGISTRY,
        "other",
        [claims.Registered("other", twice_as_fast, claims.MEASURED)],
    )
    assert judge(data, tmp_path / "b.json") == check.EXIT_FAILED  # a site lacks it
    data["kind"] = "reproduce"  # a reader's subset need not have every experiment
    assert judge(data, tmp_path / "c.json") == check.EXIT_OK


def test_a_machine_file_may_miss_but_never_disagree_with_its_runs(
    lab: Path, tmp_path: Path
) -> None:
    """--machine: a miss on a reader's machine is a finding; an edit is not."""
    data = document(kind="reproduce")
    entry = data["experiments"][0]
    entry["runs"][0]["result"]["cmp"]["samples"]["fast"] = [0.4] * 12
    entry["claims"] = claims.evaluate("timed", Evidence.of(entry["runs"]))
    assert entry["claims"][0]["verdict"] == "misses"
    path = tmp_path / "m.json"
    assert judge(data, path) == check.EXIT_FAILED
    assert judge(data, path, "--machine") == check.EXIT_OK
    older = copy.deepcopy(data)  # made before this claim was registered
    older["experiments"][0]["claims"] = []
    assert judge(older, path, "--machine") == check.EXIT_OK
    edited = copy.deepcopy(data)  # the stored verdict typed over the runs'
    edited["experiments"][0]["claims"][0]["holds"] = True
    assert judge(edited, path, "--machine") == check.EXIT_FAILED
    bad = copy.deepcopy(data)
    bad["experiments"][0]["runs"][0]["result"]["cmp"]["samples"]["fast"] = [
        float("nan")
    ]
    assert judge(bad, path, "--machine") == check.EXIT_BAD_FILE


def test_publish_refuses_claims_a_busy_machine_did_not_show(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        claims.registry.REGISTRY,
        "timed",
        [
            claims.Registered("timed", twice_as_fast, claims.MEASURED),
            claims.Registered("timed", busy_claim, claims.MEASURED),
        ],
    )
    data = document()
    assert judge(data, tmp_path / "r.json") == check.EXIT_OK  # honest: not shown
    assert judge(data, tmp_path / "r.json", "--publish") == check.EXIT_FAILED


def test_not_shown_by_the_machine_s_nature_may_be_published(
    lab: Path, tmp_path: Path
) -> None:
    data = document()
    for run in data["experiments"][0]["runs"]:
        run["result"]["env"]["cores"] = 0  # twice_as_fast: not shown (shape)
    entry = data["experiments"][0]
    entry["claims"] = claims.evaluate("timed", Evidence.of(entry["runs"]))
    assert judge(data, tmp_path / "r.json", "--publish") == check.EXIT_OK


def test_unreadable_or_foreign_files_exit_2(lab: Path, tmp_path: Path) -> None:
    text = json.dumps(document())
    (tmp_path / "cut.json").write_text(text[: len(text) // 2])
    assert check.main(check_args(str(tmp_path / "cut.json"))) == check.EXIT_BAD_FILE
    (tmp_path / "other.json").write_text('{"format": 1, "runs": []}')
    assert check.main(check_args(str(tmp_path / "other.json"))) == 2
    assert check.main(check_args(str(tmp_path / "none.json"))) == 2


# -- the real site --------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "measured", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.mark.build
def test_the_built_site_passes_and_an_edited_copy_fails(
    site_build: Build, tmp_path: Path
) -> None:
    built = site_build.site / results.FILENAME
    proc = cli(str(built))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 failed the check" in proc.stdout

    data = json.loads(built.read_text())
    (threads,) = [e for e in data["experiments"] if e["experiment"] == "threads_basics"]
    pids = threads["runs"][0]["result"]["pids"]
    pids.append(pids[0] + 1)  # one raw observation: the threads ran in two processes
    (tmp_path / "one.json").write_text(json.dumps(data))
    proc = cli(str(tmp_path / "one.json"))
    assert proc.returncode == 1 and "threads_share_one_process" in proc.stdout

    data = json.loads(built.read_text())
    (cpu,) = [e for e in data["experiments"] if e["experiment"] == "cpu_bound"]
    cores = cpu["runs"][0]["result"]["headline_workers"]
    for run in cpu["runs"]:  # processes as slow as the serial loop
        rounds = run["result"]["cpu"]["samples"]
        rounds[f"processes {cores}"] = list(rounds["serial"])
    (tmp_path / "slow.json").write_text(json.dumps(data))
    proc = cli(str(tmp_path / "slow.json"))
    assert proc.returncode == 1 and "processes_scale" in proc.stdout

    (tmp_path / "cut.json").write_text(built.read_text()[:1000])
    assert cli(str(tmp_path / "cut.json")).returncode == 2
