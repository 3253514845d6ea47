"""``python -m measured new`` scaffolds an experiment that lints, builds, is judged
and can fail, in a scratch copy of the project.

The copy holds the project without its history: ``measured/``, ``snippets/``,
``docs/``, ``tests/``, the theme overrides, the lint, lock and site files, and the
experiment cache, filled by the session's build of the real site first (so the
existing experiments come from it, even from an empty cache, and only the new one
runs). The command runs there with the copy first on ``PYTHONPATH``; then the whole
site is built strictly, the real shape and claim tests run in the copy filtered to
the new experiment (they find it by walking the registry, ``snippets/`` and
``SHAPES``), and ``python -m measured check``'s judgement accepts its entry of
``results.json``. Nothing in the real checkout is written. The tests that use
that copy are marked ``build``; the refusals and the lint of every part are not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPORT, ROOT, Build, mkdocs_build

from measured.cli import main as cli
from measured.cli import new

EXPERIMENT = "waits_demo"
PAGE = "cpu-bound"  # the converted reference page
# What the scaffold reads and edits, and what lint needs.
SOURCES = ("measured", "snippets", "tests/contradictions")
TOP_FILES = ("pyproject.toml", "requirements.lock", "mkdocs.yml")
# What a build and the tests need besides: the whole of docs/ (assets, errata.yml,
# the notebook), the theme, the test modules, and the caches. The interpreters
# the matrix pages measure (.cache/pythons) are linked, not copied: nothing writes
# there once they exist.
BUILD = ("docs", "overrides", "tests", "examples")
CACHES = ("experiments", "charts", "mkdocs-jupyter", "highlight", "imports")
LINKED = ("pythons",)
IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache")


def copy_sources(dest: Path) -> Path:
    """Enough of the project to scaffold and lint: sources and the pages' text."""
    for folder in SOURCES:
        shutil.copytree(ROOT / folder, dest / folder, ignore=IGNORE, dirs_exist_ok=True)
    (dest / "docs").mkdir(exist_ok=True)
    for page in (ROOT / "docs").glob("*.md"):
        shutil.copy(page, dest / "docs" / page.name)
    for name in TOP_FILES:
        shutil.copy(ROOT / name, dest / name)
    return dest


def copy_project(dest: Path) -> Path:
    """Enough of the project to build the site and run its tests, cache included."""
    for folder in BUILD:
        shutil.copytree(ROOT / folder, dest / folder, ignore=IGNORE)
    copy_sources(dest)
    for name in CACHES:
        if (ROOT / ".cache" / name).is_dir():
            shutil.copytree(ROOT / ".cache" / name, dest / ".cache" / name)
    for name in LINKED:
        if (ROOT / ".cache" / name).is_dir():
            (dest / ".cache" / name).symlink_to(ROOT / ".cache" / name)
    return dest


def env_for(project: Path) -> dict[str, str]:
    """The copy's modules first, and the copy as the project root."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project), str(project / "tests")]),
        "MEASURED_ROOT": str(project),
    }


def in_copy(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` run in the copy, as a contributor would there."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env_for(project),
        capture_output=True,
        text=True,
        timeout=300,
    )


def measured_new(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_copy(project, "-m", "measured", "new", *args)


def ruff(project: Path, *paths: Path) -> None:
    files = [str(p.relative_to(project)) for p in paths if p.suffix == ".py"]
    for command in (["check"], ["format", "--check", "--diff"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *files],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for folder in (*SOURCES, "docs")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and p.suffix in (".py", ".md") and "__pycache__" not in p.parts
    }


@dataclass(frozen=True)
class Scaffolded:
    project: Path
    changed: dict[str, str]  # path -> new text (created or edited)
    created: set[str]
    stdout: str
    build: Build
    tests: str  # the copy's test_shapes.py and test_claims.py, -k EXPERIMENT, -v
    judged: dict


# Run in the copy: what its registry, snippets and shapes hold, and how
# `python -m measured check` judges the new entry of the results file.
JUDGE = """import json, sys
from measured import claims
from measured.cli import check
from measured.run import project, shapes

name = sys.argv[1]
data = json.load(open(sys.argv[2]))
entry = next(e for e in data["experiments"] if e["experiment"] == name)
print(json.dumps({
    "registered": [r.name for r in claims.registered() if r.experiment == name],
    "snippets": sorted(p.stem for p in project.snippets_dir().glob("*.py")),
    "shapes": sorted(shapes.all_shapes()),
    "pages": entry["pages"],
    "verdicts": {c["claim"]: [c["verdict"], c["reason"]] for c in entry["claims"]},
    "check": [l.verdict for l in check.judge_entry(entry, publish=False) if l.failed],
}))
"""


@pytest.fixture(scope="module")
def scaffolded(
    tmp_path_factory: pytest.TempPathFactory, site_build: Build
) -> Scaffolded:
    # site_build: the real site's session build has filled the cache we copy.
    started = time.monotonic()
    base = tmp_path_factory.mktemp("new")
    project = copy_project(base / "project")
    before = snapshot(project)
    proc = measured_new(project, EXPERIMENT, "--page", PAGE)
    assert proc.returncode == 0, proc.stderr
    after = snapshot(project)
    changed = {p: t for p, t in after.items() if before.get(p) != t}
    created = set(after) - set(before)

    build = mkdocs_build(
        base / "site", config=project / "mkdocs.yml", env=env_for(project)
    )
    assert build.returncode == 0, build.log[-5000:]
    tests = in_copy(
        project,
        "-m",
        "pytest",
        "-v",
        "-p",
        "no:cacheprovider",
        "tests/test_shapes.py",
        "tests/test_claims.py",
        "-k",
        EXPERIMENT,
    )
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    judge = in_copy(project, "-c", JUDGE, EXPERIMENT, str(base / "site/results.json"))
    assert judge.returncode == 0, judge.stderr[-3000:]
    REPORT.append(
        f"measured new, scaffold + build + tests: {time.monotonic() - started:.1f} s"
    )
    return Scaffolded(
        project,
        changed,
        created,
        proc.stdout,
        build,
        tests.stdout,
        json.loads(judge.stdout),
    )


def _expected_files() -> set[str]:
    target = new.locate(ROOT, PAGE)
    return {
        f"snippets/{EXPERIMENT}.py",
        str(target.shapes.relative_to(ROOT)),
        str(target.claims.relative_to(ROOT)),
        str(target.contradictions.relative_to(ROOT)),
        f"docs/{PAGE}.md",
    }


@pytest.mark.build
def test_the_scaffold_writes_five_files_and_says_which(scaffolded: Scaffolded) -> None:
    assert set(scaffolded.changed) == _expected_files()
    assert scaffolded.created == {f"snippets/{EXPERIMENT}.py"}
    for path in scaffolded.changed:
        assert path in scaffolded.stdout


@pytest.mark.build
def test_what_it_writes_passes_ruff(scaffolded: Scaffolded) -> None:
    ruff(scaffolded.project, *(scaffolded.project / p for p in scaffolded.changed))


@pytest.mark.build
def test_the_snippet_follows_the_reference(scaffolded: Scaffolded) -> None:
    source = scaffolded.changed[f"snippets/{EXPERIMENT}.py"]
    for piece in (
        "\nROUNDS = ",
        '\nJUDGED = ("timings: serial / threads",)\n',  # what its claim judges
        "measure.prestart(",
        "measure.time_rounds(",
        "if TYPE_CHECKING:",
        "measure.emit(result)",
        'if __name__ == "__main__":',
    ):
        assert piece in source


@pytest.mark.build
def test_the_strict_build_runs_it_and_publishes_it(scaffolded: Scaffolded) -> None:
    """The whole site builds strictly; only the new experiment runs."""
    # Its runs: one as planned, plus any its own noise calls for (runner.another_run).
    executed = re.search(
        r"experiments: (\d+) executed, \d+ from cache", scaffolded.build.log
    )
    assert executed, scaffolded.build.log[-2000:]
    data = json.loads((scaffolded.build.site / "results.json").read_text())
    fresh = {
        e["experiment"]: len(e["runs"]) for e in data["experiments"] if not e["cached"]
    }
    assert list(fresh) == [EXPERIMENT], fresh  # every other one from the cache
    assert int(executed[1]) == fresh[EXPERIMENT]
    html = (scaffolded.build.site / PAGE / "index.html").read_text()
    section = html[html.index(f'id="{EXPERIMENT.replace("_", "-")}"') :]
    assert f"snippets/{EXPERIMENT}.py" in section  # the Source tab
    assert "measured-provenance" in section  # the Output tab's provenance line
    verdict = scaffolded.judged["verdicts"][new.Names(EXPERIMENT).claim]
    if verdict[0] == "holds":
        assert "faster in 4 threads" in section  # the verdicts directive
    assert EXPERIMENT in {e["experiment"] for e in data["experiments"]}
    assert scaffolded.judged["pages"] == [f"{PAGE}.md"], scaffolded.judged["pages"]


@pytest.mark.build
def test_the_new_claim_holds_or_says_why_not(scaffolded: Scaffolded) -> None:
    claim = new.Names(EXPERIMENT).claim
    verdict, reason = scaffolded.judged["verdicts"][claim]
    assert verdict == "holds" or (verdict == "not shown" and reason), verdict
    assert scaffolded.judged["check"] == [], "python -m measured check accepts it"


@pytest.mark.build
def test_the_tests_find_it_without_being_told(scaffolded: Scaffolded) -> None:
    """The real shape and claim tests, run in the copy and filtered by the name,
    judge the new experiment: they walk the registry, snippets/ and SHAPES."""
    judged = scaffolded.judged
    claim = new.Names(EXPERIMENT).claim
    assert judged["registered"] == [claim]
    assert EXPERIMENT in judged["snippets"] and EXPERIMENT in judged["shapes"]
    ran = re.findall(r"^tests/(\S+)::(\w+)\[([^\]]+)\] (\w+)", scaffolded.tests, re.M)
    about = [
        (file, test, outcome)
        for file, test, param, outcome in ran
        if EXPERIMENT in param
    ]
    files = {file for file, _, _ in about}
    assert files == {"test_shapes.py", "test_claims.py"}, scaffolded.tests[-3000:]
    shape_tests = {test for file, test, _ in about if file == "test_shapes.py"}
    assert len(shape_tests) >= 2, "its results and its contradiction fit the shape"
    assert any(
        "contradict" in test and outcome == "PASSED"
        for file, test, outcome in about
        if file == "test_claims.py"
    ), "the claim tests show the contradiction makes it miss"
    assert {outcome for *_, outcome in about} <= {"PASSED", "SKIPPED"}


@pytest.mark.build
def test_a_second_scaffold_of_the_same_name_is_refused(scaffolded: Scaffolded) -> None:
    before = snapshot(scaffolded.project)
    proc = measured_new(scaffolded.project, EXPERIMENT, "--page", PAGE)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "exists" in proc.stderr, proc.stderr
    assert snapshot(scaffolded.project) == before


def test_every_part_gets_lint_clean_code(tmp_path: Path) -> None:
    """One page for each part of the guide and each contradictions module, with the
    longest name allowed: imports merged or added in isort's order, SHAPES
    extended, section headers as wide as the module's, lines within the limit."""
    project = copy_sources(tmp_path / "project")
    first_page: dict[tuple[str, str], str] = {}
    for page in sorted(p.stem for p in (ROOT / "docs").glob("*.md")):
        try:
            target = new.locate(project, page)
        except new.Refused:
            continue  # a page without experiments of its own
        first_page.setdefault((target.part, target.contradictions.stem), page)
    assert {"part1", "coordination", "modern"} <= {part for part, _ in first_page}
    written: set[Path] = set()
    for number, ((part, _), page) in enumerate(sorted(first_page.items())):
        name = f"{part}{number}_{'x' * new.MAX_NAME}"[: new.MAX_NAME]
        scaffold = new.plan(project, name, page)
        new.write(scaffold)
        written |= set(scaffold.files)
    ruff(project, *written)


def test_a_page_belongs_to_the_part_of_its_own_experiments() -> None:
    owner = {
        experiment: part
        for part, experiments in new.claim_modules(ROOT).items()
        for experiment in experiments
    }
    target = new.locate(ROOT, PAGE)
    own = new.page_experiments((ROOT / "docs" / f"{PAGE}.md").read_text())
    assert own and {owner[e] for e in own} == {target.part}
    assert target.claims == ROOT / "measured" / "claims" / f"{target.part}.py"


@pytest.mark.parametrize(
    ("name", "page", "message"),
    [
        ("cpu_bound", PAGE, "exists"),
        ("Waits", PAGE, "invalid experiment name"),
        ("waits-demo", PAGE, "invalid experiment name"),
        ("class", PAGE, "invalid experiment name"),
        ("x" * (new.MAX_NAME + 1), PAGE, "invalid experiment name"),
        ("queue", PAGE, "shadow"),
        ("waits_demo", "no-such-page", "unknown page"),
        ("waits_demo", "index", "no experiment of its own"),
    ],
)
def test_refused_in_one_line_with_status_2(
    name: str,
    page: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(new.Refused, match=message):
        new.plan(ROOT, name, page)
    monkeypatch.setenv("MEASURED_ROOT", str(ROOT))
    monkeypatch.setattr(new, "write", _never)
    assert cli.main(["new", name, "--page", page]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err


def _never(*_: object) -> None:
    raise AssertionError("a refused scaffold wrote files")


# --- CONTRIBUTING.md follows the command ---------------------------------------------


def _contributing_section() -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    match = re.search(r"^## Add an experiment\n(.*?)^## ", text, re.M | re.S)
    assert match, "CONTRIBUTING.md has no 'Add an experiment' section"
    return match.group(1)


def test_contributing_names_the_command_as_it_is() -> None:
    section = _contributing_section()
    usage = re.search(r"python -m measured new (\S+) --page (\S+)", section)
    assert usage, "CONTRIBUTING.md does not show `python -m measured new`"
    parser_help = subprocess.run(
        [sys.executable, "-m", "measured", "new", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert parser_help.returncode == 0 and "--page" in parser_help.stdout


@pytest.mark.build
def test_contributing_lists_the_files_the_scaffold_writes(
    scaffolded: Scaffolded,
) -> None:
    """The table's first column, with its placeholders filled in for this run."""
    target = new.locate(ROOT, PAGE)
    fill = {
        "NAME": EXPERIMENT,
        "PART": target.part,
        "PAGE": PAGE,
        "MODULE": target.contradictions.stem,
    }
    listed = set()
    for row in re.findall(r"^\| `([^`]+)` \|", _contributing_section(), re.M):
        listed.add(re.sub(r"\b(NAME|PART|PAGE|MODULE)\b", lambda m: fill[m[1]], row))
    assert listed == set(scaffolded.changed)


def test_contributing_walks_through_correcting_a_claim() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    assert re.search(r"^## Correct a claim", text, re.M)
    assert "tests/contradictions/" in text
