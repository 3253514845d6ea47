"""``python -m measured run``: the runner from the command line."""

from __future__ import annotations

from pathlib import Path

from measured.cli.main import main


def test_run_prints_output_and_provenance(project: Path, capsys) -> None:
    (project / "snippets" / "hi.py").write_text(
        "from measured.run import measure\nprint('hi there')\nmeasure.emit({})\n"
    )
    assert main(["run", "hi"]) == 0
    out = capsys.readouterr().out
    assert "== hi\nhi there\n" in out
    assert "fresh run in this build" in out


def test_unknown_experiment_exits_2(project: Path, capsys) -> None:
    assert main(["run", "nope"]) == 2
    assert "no experiment script" in capsys.readouterr().err


def test_failing_experiment_exits_1(project: Path, capsys) -> None:
    (project / "snippets" / "bad.py").write_text("raise SystemExit(4)\n")
    assert main(["run", "bad"]) == 1
    assert "exited with status 4" in capsys.readouterr().err
