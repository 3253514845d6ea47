"""``python -m measured run``: the runner from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from measured import cache, runner
from measured.__main__ import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    (tmp_path / "snippets").mkdir()
    monkeypatch.setenv("MEASURED_ROOT", str(tmp_path))
    monkeypatch.delenv(cache.FRESH_ENV, raising=False)
    runner.reset()
    yield tmp_path
    runner.reset()


def test_run_prints_output_and_provenance(project: Path, capsys) -> None:
    (project / "snippets" / "hi.py").write_text(
        "from measured import measure\nprint('hi there')\nmeasure.emit({})\n"
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
