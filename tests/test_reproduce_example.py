"""The reproduce page's example: a fast subset, really run, cached by its inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from measured import claims
from measured.run import cache, runner
from measured.run.interpreter import probe
from measured.web import example


def fake_run(name: str, seconds: float) -> runner.Run:
    return runner.Run(
        name=name,
        script=Path(f"snippets/{name}.py"),
        executions=[runner.Execution({}, "", "", seconds)],
        cached=True,
        interpreter=probe(),
    )


def test_the_example_takes_the_fastest_runs_within_budget() -> None:
    runs = [fake_run(n, s) for n, s in [("d", 9.0), ("a", 3.0), ("c", 0.5), ("b", 4.0)]]
    names = [run.name for run in example.fastest(runs, budget=6.0, most=2)]
    assert names == ["c", "a"]  # b would pass the budget
    assert [r.name for r in example.fastest(runs, budget=60.0, most=3)] == [
        "c",
        "a",
        "b",
    ]
    # Nothing fits: the single fastest, so the page still shows a real run.
    assert [r.name for r in example.fastest(runs, budget=0.1)] == ["c"]
    assert example.fastest([], budget=6.0) == []


def test_the_example_is_a_real_run_captured_once_per_inputs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "snippets" / "quick.py").write_text(
        "from measured.run import measure\nmeasure.emit({'speedup': 1.0})\n"
    )
    monkeypatch.setattr(claims.registry, "REGISTRY", {"quick": []})

    first = example.markdown()
    assert "$ python -m measured reproduce --only quick --against results.json" in first
    assert "✓ quick" in first and "Published: results.json, generated" in first
    assert "captured in this build" in first
    assert list((project / ".cache" / "experiments").glob("reproduce-example-*"))

    runner.reset()  # the next build: nothing changed, so nothing runs
    again = example.markdown()
    assert "captured in an earlier build" in again
    assert runner.counters["executed"] == 0

    runner.reset()
    monkeypatch.setenv(cache.FRESH_ENV, "1")
    assert "captured in this build" in example.markdown()


def test_help_text_is_the_real_help() -> None:
    text = example.help_text()
    assert text.startswith("```text\nusage: python -m measured reproduce")
    assert all(len(line) <= example.COLUMNS for line in text.splitlines())
