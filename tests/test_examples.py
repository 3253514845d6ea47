"""The small examples (examples/*.py): standard library only, short, on every concept
page, and their output in the build says what the page teaches.

The outputs checked are the ones the session build captured (``examples.json`` of
the site, written by the hook from the runner's runs): no test runs a real example
itself. Each expectation is shown able to fail on a wrong output. Timing checks
compare against sleeps of 0.1-0.3 s with bounds wide enough for a busy 2-core
machine and still narrow enough to tell overlapping waits from sequential ones.
"""

from __future__ import annotations

import ast
import html as html_module
import importlib.util
import json
import platform
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Build, hanging_script, mkdocs_build, pid_alive

from measured.run import runner
from measured.web import runnable

EXAMPLES = ROOT / "examples"
CONCEPT_PAGES = (
    "threads",
    "gil",
    "processes",
    "start-methods",
    "futures",
    "asyncio",
    "sharing",
    "synchronization",
    "subinterpreters",
    "free-threading",
    "concepts",  # only if the page exists
)
CONCEPT_LINES = (1, 15)  # lines of code: not blank, not only a comment
PATTERN_LINES = (6, 10)  # the asyncio steps and the futures patterns
DIRECTIVE = re.compile(r"^\s*example\s+(\S+)\s*$", re.M)
MEASURED_FENCE = re.compile(r"^([ \t]*)```measured\n(.*?)^\1```", re.M | re.S)
# Does the interpreter that built the site (this one) run with a GIL?
GIL = getattr(sys, "_is_gil_enabled", lambda: True)()
# At most this many cores busy on average while two threads take turns (one, plus
# thread start-up and switching; a parallel run on two free cores comes near 2).
TAKING_TURNS = 1.3


def number(pattern: str, text: str) -> float:
    """The first group of ``pattern`` in ``text``, as a float (fails if absent)."""
    found = re.search(pattern, text, re.M)
    assert found, f"no match for {pattern!r} in:\n{text}"
    return float(found.group(1))


def lines_are(*expected: str) -> Callable[[str], None]:
    def check(out: str) -> None:
        assert out.splitlines() == list(expected), out

    return check


def thread_start_join(out: str) -> None:
    finished = re.findall(r"^(\w) finished after ([\d.]+) s$", out, re.M)
    assert finished == [("b", "0.1"), ("c", "0.2"), ("a", "0.3")], out
    total = number(r"all three in ([\d.]+) s", out)
    assert number(r"waits add up to ([\d.]+) s", out) == 0.6
    assert 0.3 <= total < 0.5, f"the waits did not overlap: {total} s"


def taking_turns(out: str) -> None:
    """Two busy threads on a GIL build keep about one core busy."""
    cores = number(r"([\d.]+) (?:\(2\.00|cores busy on average)", out)
    if GIL:
        assert cores <= TAKING_TURNS, f"{cores} cores busy with a GIL"


def gil_threads_take_turns(out: str) -> None:
    wall = number(r"ran for ([\d.]+) s", out)
    cpu = number(r"used ([\d.]+) s of CPU", out)
    assert abs(number(r"on average: ([\d.]+)", out) - cpu / wall) < 0.1, out
    taking_turns(out)


def free_threading_cores(out: str) -> None:
    assert f"Python {platform.python_version()}, GIL enabled: {GIL}" in out, out
    taking_turns(out)


def process_own_memory(out: str) -> None:
    child = re.search(r"^child  \(pid (\d+)\): counter = 1$", out, re.M)
    parent = re.search(r"^parent \(pid (\d+)\): counter = 0$", out, re.M)
    assert child and parent, out
    assert child.group(1) != parent.group(1)
    assert "child exit code: 0" in out


def start_method_choose(out: str) -> None:
    default = re.search(r"^default here: (\w+)$", out, re.M)
    times = {
        method: float(ms)
        for method, ms in re.findall(
            r"^(\w+) +start \+ join, 2nd child: ([\d.]+) ms$", out, re.M
        )
    }
    assert default and default.group(1) in times, out
    assert set(times) <= {"fork", "spawn", "forkserver"} and times, out
    if {"fork", "spawn"} <= set(times):  # a fresh interpreter costs more than a copy
        assert times["spawn"] > times["fork"], out


def subinterpreters_check(out: str) -> None:
    assert out.startswith(f"Python {platform.python_version()}\n"), out
    if importlib.util.find_spec("concurrent.interpreters") is None:
        assert "concurrent.interpreters: not in this Python (added in 3.14)" in out
    else:
        assert "2 ** 10, computed in a subinterpreter: 1024" in out, out


def race_condition(out: str) -> None:
    count = number(r"count = (\d+)$", out)
    assert count < 400, f"no update was lost: {out}"


def asyncio_sequence(out: str) -> None:
    took = number(r"in sequence: ([\d.]+) s", out)
    assert 0.4 <= took < 0.6, f"two 0.2 s sleeps in a row took {took} s"


def asyncio_gather(out: str) -> None:
    took = number(r"gather: ([\d.]+) s", out)
    assert "results ['a', 'b']" in out, out
    assert 0.2 <= took < 0.35, f"two 0.2 s sleeps gathered took {took} s"


def asyncio_taskgroup(out: str) -> None:
    took = number(r"^fast, slow: ([\d.]+) s$", out)
    assert 0.2 <= took < 0.3, f"sleeps of 0.1 s and 0.2 s in a group took {took} s"


def asyncio_semaphore(out: str) -> None:
    starts = re.findall(r"^job (\d) starts at ([\d.]+) s$", out, re.M)
    assert sorted(int(job) for job, _ in starts) == list(range(6)), out
    times = sorted(float(at) for _, at in starts)
    assert times[1] < 0.1, f"the first two did not start at once: {out}"
    # Two slots, 0.1 s jobs: the third start waits for the first job to end
    # (0.01 s of slack for the two-decimal rounding).
    waits = [later - earlier for earlier, later in zip(times, times[2:], strict=False)]
    assert min(waits) >= 0.09, f"three jobs ran at once: {out}"


def futures_as_completed(out: str) -> None:
    assert re.findall(r"the ([\d.]+) s task", out) == ["0.1", "0.2", "0.3"], out


@dataclass(frozen=True)
class Expect:
    check: Callable[[str], None]
    wrong: str  # an output the check must reject
    pattern: bool = False  # an asyncio step or a futures pattern (6-10 lines)


EXPECT: dict[str, Expect] = {
    "thread_start_join": Expect(
        thread_start_join,
        "b finished after 0.1 s\nc finished after 0.2 s\na finished after 0.3 s\n"
        "all three in 0.60 s; the waits add up to 0.6 s\n",
    ),
    "gil_threads_take_turns": Expect(
        gil_threads_take_turns,
        "two busy threads ran for 0.20 s and used 0.38 s of CPU\n"
        "cores busy at once, on average: 1.90 (2.00 would be parallel)\n"
        if GIL
        else "two busy threads ran for 0.20 s and used 0.38 s of CPU\n"
        "cores busy at once, on average: 0.50 (2.00 would be parallel)\n",
    ),
    "free_threading_cores": Expect(
        free_threading_cores,
        f"Python {platform.python_version()}, GIL enabled: {not GIL}\n"
        "two busy threads kept 1.00 cores busy on average (at most 2)\n",
    ),
    "process_own_memory": Expect(
        process_own_memory,
        "child  (pid 12): counter = 1\nparent (pid 11): counter = 1\n"
        "child exit code: 0\n",
    ),
    "start_method_choose": Expect(
        start_method_choose,
        "default here: fork\nfork       start + join, 2nd child: 60.0 ms\n"
        "spawn      start + join, 2nd child: 5.0 ms\n",
    ),
    "future_return_value": Expect(
        lines_are("7 squared is 49, computed in ThreadPoolExecutor-0_0"),
        "7 squared is 49, computed in MainThread\n",
    ),
    "shared_value": Expect(
        lines_are("total = 4000 after 4 processes added 1000 each"),
        "total = 3127 after 4 processes added 1000 each\n",
    ),
    "race_condition": Expect(race_condition, "4 threads added 100 each: count = 400\n"),
    "race_fixed_with_lock": Expect(
        lines_are("4 threads added 100 each: count = 400"),
        "4 threads added 100 each: count = 217\n",
    ),
    "subinterpreters_check": Expect(
        subinterpreters_check,
        f"Python {platform.python_version()}\n"
        + (
            "2 ** 10, computed in a subinterpreter: 1024\n"
            if importlib.util.find_spec("concurrent.interpreters") is None
            else "concurrent.interpreters: not in this Python (added in 3.14)\n"
        ),
    ),
    "asyncio_hello": Expect(
        lines_are("hello ...", "... world"), "... world\nhello ...\n", pattern=True
    ),
    "asyncio_sequence": Expect(
        asyncio_sequence, "two awaits in sequence: 0.20 s\n", pattern=True
    ),
    "asyncio_gather": Expect(
        asyncio_gather, "gather: 0.40 s, results ['a', 'b']\n", pattern=True
    ),
    "asyncio_taskgroup": Expect(
        asyncio_taskgroup, "fast, slow: 0.30 s\n", pattern=True
    ),
    "asyncio_semaphore": Expect(
        asyncio_semaphore,
        "".join(f"job {i} starts at 0.00 s\n" for i in range(6)),
        pattern=True,
    ),
    "futures_map": Expect(lines_are("[0, 1, 4]"), "[4, 1, 0]\n", pattern=True),
    "futures_as_completed": Expect(
        futures_as_completed,
        "finished: the 0.3 s task\nfinished: the 0.1 s task\n"
        "finished: the 0.2 s task\n",
        pattern=True,
    ),
    "futures_wait": Expect(
        lines_are(
            "after the timeout: 1 done, 1 still running",
            "after the with block: 2 done",
        ),
        "after the timeout: 2 done, 0 still running\nafter the with block: 2 done\n",
        pattern=True,
    ),
    "futures_callback": Expect(
        lines_are("callback: the result is 1024", "after the with block: done = True"),
        "after the with block: done = True\ncallback: the result is 1024\n",
        pattern=True,
    ),
    "futures_exception": Expect(
        lines_are(
            "exception(): ZeroDivisionError('division by zero')",
            "result() raised ZeroDivisionError('division by zero')",
        ),
        "exception(): None\n",
        pattern=True,
    ),
}
# The asyncio steps in the order asyncio.md teaches them.
ASYNCIO_STEPS = [
    "asyncio_hello",
    "asyncio_sequence",
    "asyncio_gather",
    "asyncio_taskgroup",
    "asyncio_semaphore",
]
FUTURES_PATTERNS = [
    "futures_map",
    "futures_as_completed",
    "futures_wait",
    "futures_callback",
    "futures_exception",
]


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.py"))


def directives(page: Path) -> list[str]:
    """The examples a page shows, in page order (``example`` lines of its fences)."""
    return [
        name
        for _, body in MEASURED_FENCE.findall(page.read_text())
        for name in DIRECTIVE.findall(textwrap.dedent(body))
    ]


def code_lines(path: Path) -> int:
    return sum(
        1
        for line in path.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module the script imports (relative ones as '.')."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else (node.module or "").split(".")[0])
    return names


def outside_stdlib(path: Path) -> set[str]:
    return {name for name in imported_modules(path) if name not in STDLIB}


STDLIB = sys.stdlib_module_names


@pytest.fixture(scope="module")
def captured(site_build: Build) -> dict[str, dict]:
    """Each example the session build showed: its output, pages, interpreter."""
    data = json.loads((site_build.site / runnable.FILENAME).read_text())
    return {entry["name"]: entry for entry in data["examples"]}


# -- the examples themselves ---------------------------------------------------------


def test_every_example_has_expectations_and_every_expectation_an_example() -> None:
    assert {p.stem for p in example_files()} == set(EXPECT)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_an_example_imports_only_the_standard_library(path: Path) -> None:
    assert "measured" not in imported_modules(path)
    assert not outside_stdlib(path), f"{path.name} imports {outside_stdlib(path)}"


def test_the_import_check_catches_measured_a_package_and_a_relative_import(
    tmp_path: Path,
) -> None:
    script = tmp_path / "bad.py"
    script.write_text("import time\nfrom measured.run import measure\nimport psutil\n")
    assert outside_stdlib(script) == {"measured", "psutil"}
    script.write_text("from . import helper\nimport concurrent.futures\n")
    assert outside_stdlib(script) == {"."}


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_an_example_is_short(path: Path) -> None:
    low, high = PATTERN_LINES if EXPECT[path.stem].pattern else CONCEPT_LINES
    assert low <= code_lines(path) <= high, f"{path.name}: {code_lines(path)} lines"


# -- the pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", CONCEPT_PAGES)
def test_every_concept_page_shows_an_example(page: str, captured: dict) -> None:
    source = ROOT / "docs" / f"{page}.md"
    if not source.exists():
        pytest.skip(f"docs/{page}.md does not exist")
    shown = directives(source)
    assert shown, f"docs/{page}.md has no `example NAME` line"
    for name in shown:
        assert f"{page}.md" in captured[name]["pages"]


def test_asyncio_and_futures_teach_their_steps_in_order() -> None:
    asyncio_page = directives(ROOT / "docs" / "asyncio.md")
    futures_page = directives(ROOT / "docs" / "futures.md")
    assert [n for n in asyncio_page if n in ASYNCIO_STEPS] == ASYNCIO_STEPS
    assert [n for n in futures_page if n in FUTURES_PATTERNS] == FUTURES_PATTERNS
    patterns = {name for name, expect in EXPECT.items() if expect.pattern}
    assert patterns == set(ASYNCIO_STEPS + FUTURES_PATTERNS)


def test_every_example_is_shown_with_its_source_and_output(
    site_build: Build, captured: dict
) -> None:
    assert set(captured) == set(EXPECT), "an example no page shows"
    for name, entry in captured.items():
        for page in entry["pages"]:
            html = (site_build.site / Path(page).stem / "index.html").read_text()
            assert f'<span class="filename">examples/{name}.py</span>' in html
            text = html_module.unescape(re.sub(r"<[^>]+>", "", html))
            assert entry["stdout"].splitlines()[0] in text, f"{page}: {name} output"


def test_the_build_log_counts_the_examples(site_build: Build) -> None:
    assert re.search(r"examples: \d+ executed, \d+ from cache", site_build.log)


# -- what they printed ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_an_examples_output_in_the_build_meets_its_expectation(
    name: str, captured: dict
) -> None:
    entry = captured[name]
    assert entry["python"] == platform.python_version()
    assert not entry["stderr"].strip(), entry["stderr"]
    EXPECT[name].check(entry["stdout"])


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_an_expectation_rejects_a_wrong_output(name: str) -> None:
    with pytest.raises(AssertionError):
        EXPECT[name].check(EXPECT[name].wrong)


def sequence_against_gather(sequence: str, gather: str) -> None:
    """The two awaits in a row take about twice as long as the same two gathered."""
    ratio = number(r"in sequence: ([\d.]+) s", sequence) / number(
        r"gather: ([\d.]+) s", gather
    )
    assert 1.5 <= ratio <= 2.5, f"sequence / gather = {ratio:.2f}"


def test_two_awaits_in_a_row_take_about_twice_as_long_as_gather(
    captured: dict,
) -> None:
    sequence_against_gather(
        captured["asyncio_sequence"]["stdout"], captured["asyncio_gather"]["stdout"]
    )
    with pytest.raises(AssertionError):
        sequence_against_gather(
            "two awaits in sequence: 0.40 s\n", "gather: 0.40 s, results ['a', 'b']\n"
        )


# -- the runner, on examples of a scratch project ------------------------------------


def write(project: Path, name: str, body: str) -> Path:
    (project / "examples").mkdir(exist_ok=True)
    path = project / "examples" / name
    path.write_text(textwrap.dedent(body))
    return path


def test_an_unchanged_example_runs_once_then_comes_from_the_cache(
    project: Path,
) -> None:
    script = write(project, "hello.py", "print('hello')\n")
    first = runner.run_example(script, page="a.md")
    assert first.stdout == "hello\n" and not first.cached
    runner.reset()
    again = runner.run_example(script, page="a.md")
    assert again.cached and again.stdout == "hello\n"
    assert runner.counters["example executed"] == 0
    assert runner.counters["example cached"] == 1
    assert runner.counters["executed"] == 0, "an example is not an experiment"
    assert runner.this_build() == [], "examples stay out of results.json"
    script.write_text("print('changed')\n")
    assert runner.run_example(script).stdout == "changed\n"
    assert runner.counters["example executed"] == 1


@pytest.mark.parametrize("module", ["measured", "psutil"])
def test_an_example_cannot_import_the_project_or_an_installed_package(
    project: Path, module: str
) -> None:
    script = write(project, "imports.py", f"import {module}\n")
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run_example(script, page="a.md")
    assert f"No module named '{module}'" in str(caught.value)


def test_a_failing_example_names_itself_the_page_and_its_stderr(
    project: Path,
) -> None:
    script = write(project, "boom.py", "print('partial')\nraise ValueError('boom')\n")
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run_example(script, page="threads.md")
    message = str(caught.value)
    assert message.startswith("example examples/boom.py failed: exited with status 1")
    assert "page: threads.md" in message and "ValueError: boom" in message
    # .cache/imports holds only what a source text imports (parsed, not run); no
    # record of the failed run may be anywhere else under .cache.
    stored = [
        path
        for path in (project / ".cache").rglob("*.json")
        if path.parent.name != "imports"
    ]
    assert not stored, "a failure is not cached"


def test_an_example_past_its_timeout_is_killed_with_its_children(
    project: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    script = write(project, "hang.py", hanging_script(report))
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run_example(script, timeout=3)
    assert "timed out after 3 s" in str(caught.value)
    pids = json.loads(report.read_text())["pids"]
    assert not any(pid_alive(pid) for pid in pids)


def test_an_example_that_leaves_a_process_behind_fails(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The orphan outlives any grace: waiting the build's 5 s for it shows nothing more.
    monkeypatch.setattr(runner, "LEFTOVER_GRACE", 0.5)
    script = write(
        project,
        "orphan.py",
        """\
        import subprocess, sys
        sleep = [sys.executable, "-c", "import time; time.sleep(20)"]
        subprocess.Popen(sleep, start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        """,
    )
    with pytest.raises(runner.ExperimentFailed) as caught:
        runner.run_example(script)
    assert "left behind processes: pid" in str(caught.value)


def test_a_failing_example_fails_the_strict_build_naming_page_and_script(
    tmp_path: Path,
) -> None:
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    write(root, "boom.py", "import sys\nprint('half', file=sys.stderr)\nsys.exit(4)\n")
    (root / "docs" / "index.md").write_text("# Home\n")
    (root / "docs" / "page.md").write_text("# Page\n\n```measured\nexample boom\n```\n")
    (root / "mkdocs.yml").write_text(
        "site_name: scratch\nstrict: true\n"
        f"hooks:\n  - {ROOT / 'measured' / 'web' / 'hooks.py'}\n"
        "plugins:\n  - markdown-exec\n"
        "markdown_extensions:\n  - md_in_html\n  - pymdownx.superfences:\n"
        "      custom_fences:\n        - name: measured\n          class: measured\n"
        "          format: !!python/name:measured.web.directives.fence\n"
    )
    build = mkdocs_build(tmp_path / "site", config=root / "mkdocs.yml")
    assert build.returncode != 0
    assert "failed on page page.md" in build.log, build.log[-3000:]
    assert "example examples/boom.py failed: exited with status 4" in build.log
    assert "| half" in build.log  # the end of its stderr
