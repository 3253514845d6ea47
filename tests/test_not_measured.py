"""The pieces of the Modern CPython pages that need Python 3.14+ or a free-threaded
build, rendered both ways from results of a known shape.

This machine has CPython 3.11 to 3.13 only (GIL builds), and the CI runner has
whatever is newest, so neither shape can be left to the machine. Each test fixes
the interpreter matrix and hands the page modules real results of this machine's
runs, relabelled:

- shaped like this machine's (3.11 to 3.13, no 3.14, no free-threaded build): every
  piece says "needs Python 3.14+, not measured here" with the command that measures
  it, and shows no figure;
- shaped like a 3.14 / 3.14t build (fake, here only): the same pieces show figures
  and no such sentence.

Then the 3.14+-only parts of the two experiments themselves run on an interpreter
here that has them: subinterpreters through the 3.13 backport (or 3.14+), and the
free-threaded build's GIL controls on a 3.13 GIL build, judged by the claim.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from contradictions.modern import (
    DOCUMENTED_GIL_CONTROLS,
    _synthetic_subinterpreters,
)

from measured.claims import Evidence, modern
from measured.run import backport, matrix, project, runner
from measured.run.interpreter import Interpreter
from measured.web import across, render
from measured.web.pages import free_threading, gil_across_versions, subinterpreters

# A date on which the release calendar's newest is 3.15 (so 3.14t and 3.15t are
# the free-threaded builds the pages expect), and one on which it is 3.14.
AFTER_315 = date(2026, 12, 2)
AFTER_314 = date(2025, 12, 1)
NEEDS_314 = "Needs Python 3.14+, not measured here."
SUBINTERPRETERS_CMD = (
    "uv python install 3.14 && python -m measured reproduce --only subinterpreters "
    "--python python3.14"
)
EXPERIMENTS = ("free_threading", "gil_across_versions", "subinterpreters")


def interpreter(
    version: str, *, free: bool = False, native: bool = False
) -> Interpreter:
    """A fake interpreter of the matrix: its command is its label."""
    minor = tuple(int(n) for n in version.split(".")[:2])
    label = ".".join(version.split(".")[:2]) + ("t" if free else "")
    return Interpreter(
        command=f"python{label}",
        executable=f"/fake/bin/python{label}",
        version=version,
        implementation="CPython",
        build=f"{version} (fake, tests only)",
        free_threaded_build=free,
        gil_enabled=not free,
        start_method="forkserver" if minor >= (3, 14) else "fork",
        subinterpreters=across.NATIVE if native else "",
    )


# --- real runs of this machine, relabelled -----------------------------------------


@pytest.fixture(scope="module")
def measured_here() -> dict[str, runner.Run]:
    """This build's real runs (from the cache after a build)."""
    return {name: runner.run(name) for name in EXPERIMENTS}


@pytest.fixture(scope="module")
def subinterpreters_available(measured_here: dict[str, runner.Run]) -> dict[str, Any]:
    """A real result of the subinterpreter experiment with the API, where one
    interpreter here has it (3.14+, or 3.13 with the backport); else a plausible
    synthetic one (tests/contradictions/modern.py)."""
    matrix.reset()
    python, _ = across.subinterpreter_python()
    if python is not None:
        result = runner.run("subinterpreters", python=python.command).result
        if result["available"]:
            return result
    return _synthetic_subinterpreters(measured_here["subinterpreters"].result)


def relabel(
    run: runner.Run,
    to: Interpreter,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> runner.Run:
    """``run`` as if measured on ``to``: every result's env says so."""
    executions = []
    for execution in run.executions:
        result = copy.deepcopy(execution.result)
        result["env"].update(
            python=to.version,
            free_threaded_build=to.free_threaded_build,
            gil_enabled=to.gil_enabled,
        )
        if edit is not None:
            edit(result)
        executions.append(dataclasses.replace(execution, result=result))
    return dataclasses.replace(run, executions=executions, interpreter=to)


def unavailable(result: dict[str, Any]) -> None:
    """The subinterpreter result of an interpreter with no API (3.11, bare 3.13)."""
    env = result["env"]
    result.clear()
    result.update(
        experiment="subinterpreters",
        available=False,
        reason=f"Python {env['python']} has no concurrent.interpreters (3.14+) and "
        "the interpreters-pep-734 backport (3.13) is not installed",
        env=env,
    )


def gil_build(result: dict[str, Any]) -> None:
    if result["experiment"] == "free_threading":
        result["gil_controls"] = None


def free_build(result: dict[str, Any]) -> None:
    if result["experiment"] == "free_threading":
        result["gil_controls"] = copy.deepcopy(DOCUMENTED_GIL_CONTROLS)


@pytest.fixture
def pages(
    monkeypatch: pytest.MonkeyPatch,
    measured_here: dict[str, runner.Run],
    subinterpreters_available: dict[str, Any],
) -> Callable[[date, list[Interpreter]], None]:
    """Fix the matrix to ``interpreters`` (the first is "this build") and serve each
    experiment as measured on them."""

    def arrange(today: date, interpreters: list[Interpreter]) -> None:
        fixed = matrix.Matrix(today=today)
        fixed.found = [
            matrix.Found(i, "this build" if n == 0 else "PATH")
            for n, i in enumerate(interpreters)
        ]
        monkeypatch.setattr(matrix, "current", lambda: fixed)

        def no_backport(base: Interpreter) -> Interpreter:
            raise backport.BackportUnavailable("not installed (fake interpreter)")

        # A fake 3.13 has no backport venv; a real one here must not be used.
        monkeypatch.setattr(backport, "with_backport", no_backport)
        by_command = {i.command: i for i in interpreters}

        def experiment(name: str, *, python: str | None = None, **_: Any) -> runner.Run:
            to = by_command[python or interpreters[0].command]
            run = measured_here[name]
            if name == "subinterpreters":
                if to.subinterpreters:
                    api = subinterpreters_available
                    run = dataclasses.replace(
                        run,
                        executions=[
                            dataclasses.replace(e, result=copy.deepcopy(api))
                            for e in run.executions
                        ],
                    )
                    return relabel(run, to)
                return relabel(run, to, unavailable)
            return relabel(run, to, free_build if to.free_threaded_build else gil_build)

        monkeypatch.setattr(render, "experiment", experiment)

    return arrange  # monkeypatch puts the real matrix back


# --- this machine's shape: no 3.14, no free-threaded build ---------------------------


HERE = [interpreter("3.11.7"), interpreter("3.12.1"), interpreter("3.13.0")]


def test_subinterpreter_pieces_say_they_need_314_and_how_to_measure(pages) -> None:
    pages(AFTER_315, HERE)
    where = subinterpreters.where()
    assert where.startswith(f"*{NEEDS_314}*")
    assert f"`{SUBINTERPRETERS_CMD}`" in where
    assert "Here: 3.13: not installed (fake interpreter)." in where  # why
    for piece in (subinterpreters.tables(), subinterpreters.limits()):
        assert piece == where.split("\n")[0] + "\n"  # the same one sentence
        assert " ms" not in piece and "×" not in piece  # no figure
    verdicts = subinterpreters.verdicts("subinterpreters_scale")
    assert render.NOT_SHOWN in verdicts


def test_gil_page_names_subinterpreters_as_needing_314(pages) -> None:
    pages(AFTER_315, HERE)
    text = gil_across_versions.several_cores()
    assert (
        "needs Python 3.14+, not measured here "
        f"(measure it: `{SUBINTERPRETERS_CMD}`). See [Subinterpreters]"
    ) in text


def test_single_thread_cost_needs_a_free_threaded_build(pages) -> None:
    pages(AFTER_315, HERE)
    text = free_threading.single_thread_cost()
    # A row per version: the HOWTO's figures quoted, nothing measured.
    rows = [line for line in text.splitlines() if " against 3.1" in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| 3.13t against 3.13",
        "| 3.14t against 3.14",
        "| 3.15t against 3.15",
    ]
    assert all("needs a free-threaded build, not measured here" in r for r in rows)
    assert (
        "`uv python install 3.15 3.15t && python -m measured reproduce "
        "--only free_threading --python python3.15 python3.15t`"
    ) in text
    assert " s " not in text and " %**" not in text


def test_missing_interpreters_are_derived_and_come_with_commands(pages) -> None:
    pages(AFTER_315, HERE)
    free = free_threading.missing("the free-threaded figures", "free-threaded")
    assert [line.split(":")[0] for line in free.splitlines()] == [
        "- **Python 3.14t",
        "- **Python 3.15t",
    ]
    assert (
        "then measure it with `python -m measured reproduce --only free_threading "
        "--python python3.15t`"
    ) in free
    every = gil_across_versions.missing("no result for it on this page")
    assert [line.split(":")[0] for line in every.splitlines()] == [
        "- **Python 3.14",
        "- **Python 3.14t",
        "- **Python 3.15",
        "- **Python 3.15t",
    ]
    table = gil_across_versions.interpreters()
    assert "| 3.15t | **not measured in this build**" in table
    flags = free_threading.missing_since("the 3.14 flags", "3.14")
    assert [line.split(":")[0] for line in flags.splitlines()] == [
        "- **Python 3.14",
        "- **Python 3.14t",
        "- **Python 3.15",
        "- **Python 3.15t",
    ]


def test_free_threading_pieces_show_only_gil_builds(pages) -> None:
    """Without a free-threaded build the page still renders, from the GIL runs
    (this build only: no free-threaded version has a twin here)."""
    pages(AFTER_315, HERE)
    assert "| 3.11.7 | serial |" in free_threading.table()
    assert "t |" not in free_threading.table()
    assert free_threading.legacy_warnings() == ""
    assert "Speedup against the number of threads" in free_threading.chart()
    assert render.NOT_SHOWN in free_threading.verdicts("free_threaded_threads_scale")


# --- a 3.14 / 3.14t build (fake): the same pieces show figures ---------------------


WITH_314 = [
    interpreter("3.13.0"),
    interpreter("3.14.0", native=True),
    interpreter("3.14.0", free=True, native=True),
]


def test_subinterpreter_pieces_show_figures_on_314(pages) -> None:
    pages(AFTER_314, WITH_314)
    where = subinterpreters.where()
    assert where == (
        "Measured on Python 3.14.0 with `concurrent.interpreters` (standard library).\n"
    )
    tables = subinterpreters.tables()
    assert " ms [" in tables and "×" in tables
    assert "not measured here" not in tables + subinterpreters.limits()
    assert "Shareable as they are:" in subinterpreters.limits()
    assert "not measured here" not in gil_across_versions.several_cores()


def test_free_threading_pieces_show_figures_on_314t(pages) -> None:
    pages(AFTER_314, WITH_314)
    cost = free_threading.single_thread_cost()
    row = next(line for line in cost.splitlines() if "| 3.14t against 3.14 |" in line)
    assert " s " in row and "on 3.14.0t against" in row and " %" in row
    assert "**" not in row
    assert "not measured here" not in row
    table = free_threading.table()
    assert "| 3.14.0t | serial |" in table and "| 3.14.0 | serial |" in table
    assert "RuntimeWarning" in free_threading.legacy_warnings()
    # The calendar says 3.14 is the newest: 3.13t and 3.14t are expected, 3.14t
    # is measured, and only 3.13t is listed as missing.
    missing = free_threading.missing("x", "free-threaded")
    assert "Python 3.13t: not measured" in missing and "3.14t:" not in missing


# --- the 3.14+-only parts of the experiments, on an interpreter here ---------------


def _run_snippet_code(python: Interpreter, code: str) -> Any:
    """``code`` on ``python`` with the snippets importable; its last stdout line
    parsed as JSON."""
    root = project.root()
    proc = subprocess.run(
        [python.command, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{root / 'snippets'}"},
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_subinterpreter_logic_runs_on_the_api_here() -> None:
    """Create, run, get a result through a queue; what is shareable; the legacy
    extension's refusal: on 3.14's module, or the 3.13 backport here."""
    matrix.reset()
    python, how = across.subinterpreter_python()
    if python is None:
        pytest.skip(f"no interpreter here has the subinterpreter API: {how}")
    seen = _run_snippet_code(
        python,
        "import json, subinterpreters as s\n"
        "interpreters, pool = s.load_api()\n"
        "s.start_interpreters(interpreters, 2)\n"
        "print(json.dumps({'hello': s.hello(interpreters),\n"
        "    'shareable': s.shareable(interpreters),\n"
        "    'legacy': s.legacy_import(interpreters)}))\n",
    )
    assert seen["hello"].startswith("interpreter cpython says ")
    assert seen["shareable"]["int"] is True
    assert seen["shareable"]["list"] is False
    assert seen["legacy"]["error_type"] == "ImportError"


def test_gil_controls_run_on_a_gil_build_and_the_claim_rejects_them() -> None:
    """The free-threaded-only part of free_threading (child processes with
    PYTHON_GIL, a legacy import) runs on a 3.13+ GIL build here: the children
    report the GIL on, PYTHON_GIL=0 is refused, and the claim, told this came from
    a free-threaded build, says it did NOT behave as documented."""
    matrix.reset()
    found = matrix.current().interpreters(
        lambda i: matrix.sort_key(i) >= (3, 13, 0) and not i.free_threaded_build
    )
    if not found:
        pytest.skip("no GIL build of Python 3.13+ here")
    controls = _run_snippet_code(
        found[0],
        "import json, free_threading as f\nprint(json.dumps(f.gil_controls()))\n",
    )
    assert controls["default"] == "True"
    assert controls["PYTHON_GIL=1"] == "True"
    assert controls["PYTHON_GIL=0"] == ""  # a GIL build refuses to start without it
    result = copy.deepcopy(runner.run("free_threading").result)
    result["gil_controls"] = controls
    result["env"].update(free_threaded_build=True, gil_enabled=False)
    claim = modern.gil_switches_back_on(
        Evidence.of([{"result": result, "machine": {}}])
    )
    assert claim.holds is False
    assert "NOT off by default" in claim.statement
