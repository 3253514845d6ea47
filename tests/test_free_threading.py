"""The free-threading page's 3.14t-only parts, exercised on the interpreters here.

This machine has no free-threaded build and no 3.14. So each part that only a
3.14 or a free-threaded interpreter can show is tested twice: its logic, on runs
of this build relabelled and edited to look like a 3.14 / 3.14t run (shaped as
the documentation says such a run comes out), and its "not measured here" path,
which is what this build publishes. The snippet's own helpers run here with a
fake ``sys.flags`` and fake child processes.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from conftest import ROOT
from contradictions import each_result, with_env
from contradictions.modern import (
    DOCUMENTED_CONTEXT_FREE_THREADED,
    DOCUMENTED_CONTEXT_GIL_314,
    FREE_THREADED_ENV,
)

from measured.claims import modern as claims_modern
from measured.run import runner, stats
from measured.web import across, render
from measured.web.pages import free_threading as page

NOT_MEASURED = "needs a free-threaded build, not measured here"


def real_run() -> runner.Run:
    return runner.run("free_threading")


def relabelled(
    run: runner.Run, python: str, free: bool, edit: Callable[[dict[str, Any]], None]
) -> runner.Run:
    """A copy of ``run`` whose every result says it ran on ``python`` (``t`` if
    ``free``), then changed by ``edit``."""
    out = copy.deepcopy(run)
    for execution in out.executions:
        execution.result["env"].update(
            python=python, free_threaded_build=free, gil_enabled=not free
        )
        edit(execution.result)
    return out


def like_314(free: bool, slower: float = 1.0, memory: float = 1.0) -> runner.Run:
    """This build's run, shaped like a 3.14 (or 3.14t) run: its context flags as
    documented, its serial loop ``slower`` and its workload ``memory`` times
    bigger."""

    def edit(result: dict[str, Any]) -> None:
        result["context"] = copy.deepcopy(
            DOCUMENTED_CONTEXT_FREE_THREADED if free else DOCUMENTED_CONTEXT_GIL_314
        )
        samples = result["cpu"]["samples"]
        samples["serial"] = [t * slower for t in samples["serial"]]
        result["memory"]["samples"] = [
            [start, start + int((held - start) * memory)]
            for start, held in result["memory"]["samples"]
        ]

    return relabelled(real_run(), "3.14.0", free, edit)


# --- the claim: threads_inherit_context_as_documented --------------------------------


@pytest.mark.parametrize("free", [True, False], ids=["3.14t", "3.14"])
def test_context_claim_holds_on_a_documented_314_run(free: bool) -> None:
    outcome = claims_modern.threads_inherit_context_as_documented(
        render.evidence(like_314(free))
    )
    assert outcome.holds is True, outcome.statement
    assert "as documented" in outcome.statement
    flipped = "=0" if free else "=1"
    assert f"thread_inherit_context{flipped}" in outcome.statement


def test_context_claim_misses_when_a_thread_ignores_its_flag() -> None:
    """3.14t with the documented flags, but the thread started empty anyway."""

    def ignored(result: dict[str, Any]) -> None:
        result["context"] = copy.deepcopy(DOCUMENTED_CONTEXT_FREE_THREADED)
        result["context"]["seen"] = "empty"

    found = each_result(
        with_env(render.evidence(real_run()), **FREE_THREADED_ENV), ignored
    )
    outcome = claims_modern.threads_inherit_context_as_documented(found)
    assert outcome.holds is False
    assert "NOT as documented" in outcome.statement


def test_context_claim_before_314_is_about_an_empty_context() -> None:
    """Here (3.11 to 3.13) the flag does not exist: the claim judges what a thread
    saw, and misses if it saw its creator's value."""
    real = render.evidence(real_run())
    if real.result["context"]["flags"]["thread_inherit_context"] is not None:
        pytest.skip("this interpreter has the 3.14 flag")
    assert claims_modern.threads_inherit_context_as_documented(real).holds is True

    def inherited(result: dict[str, Any]) -> None:
        result["context"]["seen"] = "inherited"

    outcome = claims_modern.threads_inherit_context_as_documented(
        each_result(real, inherited)
    )
    assert outcome.holds is False and "NOT an empty context" in outcome.statement


# --- the snippet's helpers, with a fake sys.flags and fake children -----------------


def snippet() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "free_threading_snippet", ROOT / "snippets" / "free_threading.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def done(stdout: str, returncode: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], returncode, stdout, "")


def test_context_inheritance_reads_defaults_then_flips_the_flag_in_children(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As on a 3.14t: a child with no option reports both flags at 1 and the
    inherited value, so the second child runs with the flag at 0. This process's
    own sys.flags (0 here, as if a variable had turned them off) are not read."""
    module = snippet()
    calls: list[tuple[str, ...]] = []

    def child(code: str, *options: str, **env: str) -> subprocess.CompletedProcess:
        calls.append(options)
        return done("0 1 empty\n" if options else "1 1 inherited\n")

    monkeypatch.setattr(module, "child", child)
    flags = SimpleNamespace(thread_inherit_context=0, context_aware_warnings=0)
    monkeypatch.setattr(module.sys, "flags", flags)
    context = module.context_inheritance()
    assert context["flags"] == {
        "thread_inherit_context": 1,
        "context_aware_warnings": 1,
    }
    assert context["seen"] == "inherited"
    assert calls == [(), ("-X", "thread_inherit_context=0")]
    assert context["flipped"] == {"flag": 0, "seen": "empty"}


def test_children_never_inherit_the_variables_that_set_the_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build environment that exports PYTHON_THREAD_INHERIT_CONTEXT,
    PYTHON_CONTEXT_AWARE_WARNINGS or PYTHON_GIL does not reach a child: the
    defaults the page reports are the build's. A caller can still set one."""
    module = snippet()
    for name in module.CLEARED:
        monkeypatch.setenv(name, "0")
    seen: dict[str, str] = {}

    def run(args: list[str], *, env: dict[str, str], **_: Any) -> Any:
        seen.update(env)
        return done("")

    monkeypatch.setattr(module.subprocess, "run", run)
    module.child("pass")
    assert not set(module.CLEARED) & set(seen)
    assert "PATH" in seen  # the rest of the environment is kept
    module.child("pass", PYTHON_GIL="1")
    assert seen["PYTHON_GIL"] == "1"


def test_context_inheritance_without_the_flag_starts_no_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = snippet()
    monkeypatch.setattr(module, "child", lambda *a, **k: pytest.fail("no child"))
    monkeypatch.setattr(module.sys, "flags", SimpleNamespace())
    context = module.context_inheritance()
    assert context["flags"] == {
        "thread_inherit_context": None,
        "context_aware_warnings": None,
    }
    assert context["flipped"] is None
    assert context["seen"] == "empty"  # before 3.14 a thread starts empty


def test_the_child_code_reports_the_flag_it_ran_with() -> None:
    """INHERIT_CODE on this interpreter: where the flag exists it prints it and
    what the thread saw; before 3.14 the flag is missing and the child fails,
    which is why the snippet starts it only where the flag exists."""
    module = snippet()
    ran = subprocess.run(
        [sys.executable, "-c", module.INHERIT_CODE],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if hasattr(sys.flags, "thread_inherit_context"):
        flag, aware, seen = ran.stdout.split()
        assert seen == ("inherited" if int(flag) else "empty")
        assert aware in ("0", "1")
    else:
        assert ran.returncode != 0 and "thread_inherit_context" in ran.stderr


def test_memory_reads_every_child_and_reports_a_platform_without_proc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = snippet()
    monkeypatch.setattr(module, "child", lambda code: done("1000 5000\n"))
    rss = module.memory()
    assert rss["samples"] == [[1000, 5000]] * module.MEMORY_RUNS
    assert rss["error"] == ""
    failed = subprocess.CompletedProcess([], 1, "", "FileNotFoundError: /proc")
    monkeypatch.setattr(module, "child", lambda code: failed)
    rss = module.memory()
    assert rss["samples"] == [] and "FileNotFoundError" in rss["error"]


# --- the page: figures from a 3.14 pair, and the not-measured path ------------------


def test_page_without_a_free_threaded_pair_says_how_to_measure() -> None:
    """What this build publishes: documented figures quoted, nothing measured."""
    runs = [real_run()]
    rows = page.cost_rows(runs)
    assert [row[0] for row in rows][:2] == ["3.13t against 3.13", "3.14t against 3.14"]
    for minor, row in zip(("3.13", "3.14"), rows, strict=False):
        assert NOT_MEASURED in row[2]
        assert (
            f"uv python install {minor} {minor}t && python -m measured reproduce "
            f"--only free_threading --python python{minor} python{minor}t"
        ) in row[2]
        assert f"free-threading HOWTO, Python {minor}" in row[1]
    assert "about 40%" in rows[0][1] and "1% on macOS aarch64 to 8%" in rows[1][1]
    assert all(NOT_MEASURED in row[2] for row in rows)
    comparison = page.memory_comparison(runs)
    assert comparison.count(NOT_MEASURED) == len(rows)
    assert "uv python install 3.14 3.14t" in comparison


def test_page_renders_figures_from_a_314_pair() -> None:
    gil, free = like_314(False), like_314(True, slower=1.25, memory=1.5)
    runs = [real_run(), gil, free]
    assert page._pairs(runs) == [(gil, free)]
    rows = {row[0]: row for row in page.cost_rows(runs)}
    assert NOT_MEASURED in rows["3.13t against 3.13"][2]  # 3.13t still missing
    measured = rows["3.14t against 3.14"][2]
    assert NOT_MEASURED not in measured and "**" not in measured
    assert "on 3.14.0t against" in measured and "conservative range" in measured
    lines = page.memory_comparison(runs).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"- Python {minor}t against {minor}" for minor in page._versions(["3.14"])
    ]
    line = next(line for line in lines if line.startswith("- Python 3.14t against"))
    assert NOT_MEASURED not in line and "**" not in line and " %" not in line
    assert "grew by" in line and "3.14.0t" in line and "allocator" in line
    # A version the matrix expects and this build lacks still gets its line.
    assert NOT_MEASURED in lines[0]
    table = {row[0]: row for row in page.context_rows(runs)}
    assert table["3.14.0t"][1:4] == ["`1`", "`1`", "its creator's value"]
    assert table["3.14.0"][4] == "`-X thread_inherit_context=1`: its creator's value"


def test_page_memory_rows_say_where_it_was_not_measured() -> None:
    def no_proc(result: dict[str, Any]) -> None:
        result["memory"] = {"items": 1, "samples": [], "error": "no /proc here"}

    run = relabelled(real_run(), "3.14.0", True, no_proc)
    assert page.memory_rows([run]) == [
        ["3.14.0t", "0", "not measured", "no /proc here", ""]
    ]


def test_page_memory_rows_give_every_childs_range() -> None:
    def two(result: dict[str, Any]) -> None:
        result["memory"]["samples"] = [
            [10 * page.MIB, 30 * page.MIB],
            [12 * page.MIB, 40 * page.MIB],
        ]

    run = relabelled(real_run(), "3.14.0", True, two)
    children = str(2 * len(run.executions))
    assert page.memory_rows([run]) == [
        ["3.14.0t", children, "10.0–12.0 MiB", "30.0–40.0 MiB", "20.0–28.0 MiB"]
    ]


def test_memory_comparison_with_a_pair_but_no_resident_memory() -> None:
    """macOS or Windows: both builds of 3.14 ran, /proc did not exist. The line
    says the pair is there and memory is Linux only, not that a build is
    missing."""

    def no_proc(result: dict[str, Any]) -> None:
        result["memory"] = {"items": 1, "samples": [], "error": "no /proc here"}

    gil = relabelled(real_run(), "3.14.0", False, no_proc)
    free = relabelled(real_run(), "3.14.0", True, no_proc)
    lines = page.memory_comparison([gil, free]).splitlines()
    line = next(line for line in lines if line.startswith("- Python 3.14t against"))
    assert NOT_MEASURED not in line
    assert "this build has both" in line and "Linux only" in line


def test_cost_range_divides_opposite_bounds() -> None:
    slow = stats.Interval(1.25, 1.2, 1.3, 9, 0.96)
    fast = stats.Interval(1.0, 0.95, 1.05, 9, 0.96)
    low, high = page.cost_range(slow, fast)
    assert low == pytest.approx(1.2 / 1.05 - 1) and high == pytest.approx(
        1.3 / 0.95 - 1
    )
    assert low < 0.25 < high


def test_missing_since_lists_both_builds_of_every_version_from_314() -> None:
    expected = [
        label
        for label in across.expected()
        if page._version_key(page._minor(label)) >= (3, 14)
    ]
    text = page.missing_since("the 3.14 flags", "3.14")
    assert text == page.missing("the 3.14 flags", *expected)
    assert all(page._minor(label) != "3.13" for label in expected)
