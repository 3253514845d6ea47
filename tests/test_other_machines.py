"""Results from other machines: files read through validation, claims judged again,
tables escaped, charts described, and pages that stay correct with no file.

Machine files are built in memory the way tests/minimal_results.py builds one, with
raw rounds for cpu_bound and startup_cost (no experiment runs): the real registry
judges them. Their stored claims are deliberately wrong, so a table that showed
them would fail.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import minimal_results
import pytest
from conftest import ROOT, mkdocs_build, scratch_project

from measured.run import stats
from measured.web import directives, elsewhere, machines, results
from measured.web.pages import other_machines

ROUNDS = 12
MAC_CPU = "Apple M2 & <3 *not bold*"  # passes validation; must render escaped


def _rounds(samples: dict[str, list[float]]) -> dict[str, Any]:
    return {
        "kind": stats.ROUNDS_KIND,
        "rounds": ROUNDS,
        "warmup": 0,
        "samples": samples,
    }


def _jitter(value: float) -> list[float]:
    return [value * (1 + i * 1e-3) for i in range(ROUNDS)]


def _entry(experiment: str, result: dict[str, Any], env: dict[str, Any]) -> dict:
    run = minimal_results.run()
    run["result"] = {**result, "env": env}
    run["machine"]["free_cores"] = env["cores"]
    run["machine"]["cores"] = env["cores"]
    return {
        "experiment": experiment,
        "script": f"snippets/{experiment}.py",
        "pages": [],
        "interpreter": {
            "command": "python3",
            "version": env["python"],
            "implementation": "CPython",
            "free_threaded_build": env["free_threaded_build"],
            "gil_enabled": env["gil_enabled"],
        },
        "seconds": 1.0,
        "cached": False,
        "planned_runs": 1,
        "stopped_because": "",
        "runs": [run],
        "provenance": "",
        # Never trusted: the pages judge the raw runs again.
        "claims": [
            {
                "claim": "processes_scale",
                "kind": "measured",
                "holds": False,
                "verdict": "misses",
                "figure": 99.0,
            }
        ],
    }


def machine_file(
    folder: Path,
    name: str,
    *,
    cpu: str,
    os: str,
    cores: int,
    method: str,
    free_threaded: bool = False,
    processes: float = 1.9,
) -> Path:
    """A submitted file: cpu_bound (speedup ``processes``) and startup_cost."""
    env = {
        **minimal_results.ENV,
        "cpu": cpu,
        "os": os,
        "cores": cores,
        "logical_cpus": cores,
        "python": "3.13.1" if free_threaded else "3.12.1",
        "free_threaded_build": free_threaded,
        "gil_enabled": not free_threaded,
    }
    threads = processes if free_threaded else 1.0
    cpu_bound = {
        "experiment": "cpu_bound",
        "cores": cores,
        "workers": [1, cores],
        "headline_workers": cores,
        "start_method": method,
        "cpu": _rounds(
            {
                "serial": _jitter(1.0),
                f"threads {cores}": _jitter(1.0 / threads),
                f"processes {cores}": _jitter(1.0 / processes),
            }
        ),
    }
    methods = ["fork", "spawn"] if method == "fork" else ["spawn"]
    kinds = ["thread", *methods, "thread pool", "process pool"]
    per_start = {"thread": 1e-4, "fork": 3e-3, "spawn": 6e-2}
    per_start |= {"thread pool": 1e-3, "process pool": 5e-2}
    startup = {
        "experiment": "startup_cost",
        "cores": cores,
        "default_method": method,
        "methods": methods,
        "batch": {k: 1 for k in kinds},
        "starts": _rounds({k: _jitter(per_start[k]) for k in kinds}),
    }
    document = {
        "format": results.FORMAT,
        "kind": "reproduce",
        "generated": "2026-12-03 04:00 UTC",
        "machine": {"cpu": cpu, "os": os, "pythons": [], "cores": cores},
        "experiments": [
            _entry("cpu_bound", cpu_bound, env),
            _entry("startup_cost", startup, env),
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    return minimal_results.write(folder / name, document)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with no machine file yet, and no extra folder."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    monkeypatch.setenv("MEASURED_ROOT", str(tmp_path))
    monkeypatch.delenv(machines.ENV, raising=False)
    machines.reset()
    yield tmp_path
    machines.reset()


@pytest.fixture
def two(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Linux (4 cores, fork) in results/machines; macOS (8, spawn) in the extra
    folder the publish workflow names with MEASURED_MACHINES_DIR."""
    machine_file(
        root / "results" / "machines",
        "linux.json",
        cpu="Example CPU 3000",
        os="Linux 6.1.0",
        cores=4,
        method="fork",
        processes=3.6,
    )
    extra = root / "ci"
    machine_file(
        extra,
        "mac.json",
        cpu=MAC_CPU,
        os="Darwin 23.1",
        cores=8,
        method="spawn",
        free_threaded=True,
        processes=7.0,
    )
    monkeypatch.setenv(machines.ENV, str(extra))
    machines.reset()
    return root


def test_two_files_give_rows_judged_again_from_their_raw_runs(two: Path) -> None:
    rows = machines.of("cpu_bound")
    assert [(r.machine, r.cores, r.start_method) for r in rows] == [
        (MAC_CPU, 8, "spawn"),
        ("Example CPU 3000", 4, "fork"),
    ]
    assert rows[0].python == "CPython 3.13.1 · free-threaded"
    assert rows[1].python == "CPython 3.12.1 · GIL"
    # The stored "misses, 99" is ignored: the raw rounds give the figure.
    figure = rows[1].claim("processes_scale")
    assert figure is not None and figure["figure"] == pytest.approx(3.6, rel=0.01)
    # startup_cost records no start_method of its own (it compares them): none is
    # borrowed from another experiment of the file.
    assert [r.start_method for r in machines.of("startup_cost")] == ["", ""]


def test_experiment_table_has_a_row_per_machine_escaped(two: Path) -> None:
    table = elsewhere.experiment("cpu_bound")
    assert "processes_scale" in table
    body = table.split("<tbody>")[1]
    assert body.count("<tr>") == 2
    for column in elsewhere.COLUMNS:
        assert f"<th>{column}</th>" in table
    assert "Apple M2 &amp; &lt;3 *not bold*" in table
    assert MAC_CPU not in table
    assert "3.60×" in table and "99" not in body
    linux = body.split("<tr>")[2]
    assert "<td>Linux 6.1.0</td>" in linux and "<td>4</td>" in linux
    assert "<td>fork</td>" in linux


def test_script_in_a_cpu_model_is_refused_by_name_and_escaped_anyway(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = root / "results" / "machines"
    machine_file(
        folder,
        "evil.json",
        cpu="<script>alert(1)</script>",
        os="Linux",
        cores=2,
        method="fork",
    )
    with caplog.at_level(logging.WARNING, logger="mkdocs.measured"):
        assert machines.load() == ()
    [line] = [r.getMessage() for r in caplog.records]
    assert "evil.json" in line and "markup" in line and "\n" not in line
    # Were such a row ever shown, the table escapes it.
    row = machines.Row(
        "x.json",
        "<script>alert(1)</script>",
        "Linux",
        "CPython",
        False,
        2,
        "fork",
        "cpu_bound",
        (),
        None,
    )  # type: ignore[arg-type]
    table = elsewhere.table([row], None)
    assert "<script>" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table


def test_no_file_and_a_missing_folder_say_how_to_add_one(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(machines.ENV, str(root / "not-downloaded"))
    machines.reset()
    assert machines.load() == () and machines.rows() == ()
    text = elsewhere.for_page("cpu-bound.md")
    assert text == elsewhere.none_yet()
    assert "No other machine has submitted results yet" in text
    assert "#submit-results-from-your-machine" in text
    assert other_machines.machine_table() == elsewhere.none_yet()
    assert "No results yet" in other_machines.claim_table(
        "cpu_bound", "processes_scale"
    )
    for chart in (
        other_machines.speedup_chart,
        other_machines.builds_chart,
        other_machines.startup_chart,
    ):
        assert chart().startswith("*Too little data for this chart yet")


def test_one_file_is_too_little_for_a_chart(root: Path) -> None:
    machine_file(
        root / "results" / "machines",
        "one.json",
        cpu="CPU",
        os="Linux",
        cores=2,
        method="fork",
    )
    assert "only 1 has" in other_machines.speedup_chart()
    assert "<svg" not in other_machines.startup_chart()


def test_charts_describe_every_machine_in_their_alt_text(two: Path) -> None:
    speedup = other_machines.speedup_chart()
    assert 'role="img"' in speedup and "<figcaption>" in speedup
    assert "Example CPU 3000 (Linux, CPython 3.12.1 · GIL) 4 cores 3.60×" in speedup
    assert "Apple M2 &amp; &lt;3 *not bold* (macOS" in speedup
    builds = other_machines.builds_chart()
    assert "3.12 GIL (1 run) threads 1.00×, processes 3.60×" in builds
    assert "3.13t free-threaded (1 run) threads 7.00×, processes 7.00×" in builds
    startup = other_machines.startup_chart()
    for bar in (
        "Linux · fork 3.02 ms (1 run)",
        "Linux · thread 0.101 ms (1 run)",
        "macOS · spawn 60.3",
    ):
        assert bar in startup
    assert "macOS · fork" not in startup  # spawn only: no fork bar for it


def test_claim_table_names_every_machine(two: Path) -> None:
    table = other_machines.claim_table(
        "startup_cost", "spawn_start_costs_more_than_fork"
    )
    assert table.split("<tbody>")[1].count("<tr>") == 2
    with pytest.raises(LookupError):
        other_machines.claim_table("cpu_bound", "no_such_claim")


def test_experiment_pages_get_the_section_and_summaries_do_not() -> None:
    fence = "# T\n\n```measured\nverdicts cpu_bound processes_scale\n```\n"
    assert elsewhere.wants_section("cpu-bound.md", fence)
    assert elsewhere.wants_section("recipes/pools.md", fence)
    assert not elsewhere.wants_section("start-here.md", fence)
    assert not elsewhere.wants_section("glossary.md", "# Glossary\n")
    assert "other-machines" in elsewhere.section()
    assert "other-machines" in directives.DIRECTIVES
    nav = (ROOT / "mkdocs.yml").read_text()
    assert "  - Results from other machines: other-machines.md\n" in nav


def _scratch(root: Path) -> Path:
    """The real other-machines page and one page with a measured fence."""
    page = (ROOT / "docs" / "other-machines.md").read_text()
    project = scratch_project(
        root,
        {
            "other-machines.md": page,
            "reproduce.md": "# Reproduce\n",
            "exp.md": "# Exp\n\n```measured\nshow other_machines.machine_table\n```\n",
        },
    )
    config = project / "mkdocs.yml"
    fences = (
        "  - pymdownx.superfences:\n      custom_fences:\n        - name: measured\n"
        "          class: measured\n"
        "          format: !!python/name:measured.web.directives.fence\n"
    )
    config.write_text(config.read_text().replace("  - pymdownx.superfences\n", fences))
    return project


def test_pages_render_in_a_strict_build(tmp_path: Path) -> None:
    project = _scratch(tmp_path / "p")
    folder = project / "results" / "machines"
    machine_file(
        folder,
        "linux.json",
        cpu="Example CPU 3000",
        os="Linux 6.1.0",
        cores=4,
        method="fork",
        processes=3.6,
    )
    machine_file(
        folder,
        "mac.json",
        cpu=MAC_CPU,
        os="Darwin 23.1",
        cores=8,
        method="spawn",
        processes=7.0,
    )
    build = mkdocs_build(
        tmp_path / "site", config=project / "mkdocs.yml", env={machines.ENV: ""}
    )
    assert build.returncode == 0, build.log[-3000:]
    page = (tmp_path / "site" / "other-machines" / "index.html").read_text()
    assert page.count('role="img"') == 3
    assert "Apple M2 &amp; &lt;3 *not bold*" in page and MAC_CPU not in page
    exp = (tmp_path / "site" / "exp" / "index.html").read_text()
    assert 'id="on-other-machines"' in exp
    assert "Results from other machines" in exp
    # A file that fails validation fails the strict build, named on one line.
    (folder / "broken.json").write_text('{"format": 2, "kind": "reproduce"')
    failed = mkdocs_build(
        tmp_path / "site2", config=project / "mkdocs.yml", env={machines.ENV: ""}
    )
    assert failed.returncode != 0
    [line] = [x for x in failed.log.splitlines() if "broken.json" in x]
    assert "other machines:" in line and "truncated" in line
    shutil.rmtree(folder)
    empty = mkdocs_build(
        tmp_path / "site3", config=project / "mkdocs.yml", env={machines.ENV: ""}
    )
    assert empty.returncode == 0, empty.log[-3000:]
    page = (tmp_path / "site3" / "other-machines" / "index.html").read_text()
    assert "No other machine has submitted results yet" in page
    assert "Too little data for this chart yet" in page


def test_a_submitted_file_is_read_as_written(root: Path) -> None:
    path = machine_file(
        root / "results" / "machines",
        "a.json",
        cpu="C",
        os="Linux",
        cores=2,
        method="fork",
    )
    assert json.loads(path.read_text())["kind"] == "reproduce"
    assert [p.name for p in machines.files()] == ["a.json"]


def test_a_submitter_s_note_labels_the_machine(root: Path) -> None:
    path = machine_file(
        root / "results" / "machines",
        "one-core.json",
        cpu="Example CPU 3000",
        os="Linux 6.1.0",
        cores=1,
        method="fork",
    )
    data = json.loads(path.read_text())
    data["machine"]["note"] = "taskset -c 0 & more"
    path.write_text(json.dumps(data))
    machines.reset()
    assert [r.machine for r in machines.of("cpu_bound")] == [
        "Example CPU 3000 (taskset -c 0 & more)"
    ]
    assert "(taskset -c 0 &amp; more)" in elsewhere.experiment("cpu_bound")


def test_the_speedup_chart_never_joins_separate_runs(two: Path) -> None:
    from measured.web import charts

    drawn = {}
    real = charts.line_chart

    def spy(series, **kw):  # type: ignore[no-untyped-def]
        drawn.update(series=series, points_only=kw.get("points_only"))
        return real(series, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "line_chart", spy)
        other_machines.speedup_chart()
    assert set(drawn["points_only"]) == {"Linux", "macOS"}  # markers only
    assert "ideal: speedup = cores" not in drawn["points_only"]  # a line


def test_a_run_whose_speedups_were_not_judged_stays_out_of_the_builds_chart(
    two: Path,
) -> None:
    machine_file(
        two / "results" / "machines",
        "one-core.json",
        cpu="Example CPU 3000",
        os="Linux 6.1.0",
        cores=1,
        method="fork",
        processes=0.9,
    )
    machines.reset()
    assert len(machines.of("cpu_bound")) == 3
    builds = other_machines.builds_chart()
    assert "3.12 GIL (1 run) threads 1.00×, processes 3.60×" in builds  # not 0.9


def test_verdicts_are_counted_and_reasons_are_the_claim_s_own() -> None:
    judged = [{"holds": True}, {"holds": None}, {"holds": None}, {"holds": False}]
    assert elsewhere._tally(judged) == "1 holds, 2 not shown, 1 misses"
    assert elsewhere._tally([{"holds": True}] * 2) == "2 hold, 0 not shown, 0 miss"
    record = {
        "holds": None,
        "why": "machine shape",
        "reason": "this interpreter runs with the GIL; the statement is about ...",
    }
    assert (
        machines.verdict_text(record)
        == "not shown (this interpreter runs with the GIL)"
    )


def test_an_experiment_a_file_lists_as_failed_is_said_so(two: Path) -> None:
    path = two / "results" / "machines" / "linux.json"
    data = json.loads(path.read_text())
    data["failed"] = [{"experiment": "dask_vs_pool", "python": "3.12.1"}]
    path.write_text(json.dumps(data))
    machines.reset()
    text = elsewhere.experiment("dask_vs_pool")
    assert "no submitted file has run it yet" in text
    assert "list it as failed: Python 3.12.1 (linux.json)" in text


def test_the_machines_table_links_the_repository_s_files_only(two: Path) -> None:
    table = other_machines.machine_table()
    # results/machines/linux.json is the repository's: linked (a keyboard stop in
    # a table that scrolls sideways); the CI folder's mac.json is not.
    assert '/blob/main/results/machines/linux.json">linux.json</a>' in table
    assert "<td>mac.json</td>" in table
