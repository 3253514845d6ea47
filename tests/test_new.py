"""``python -m measured new`` scaffolds an experiment that lints, builds, is judged
and can fail, in a scratch copy of the project.

The copy holds what the scaffold reads and edits (``measured/``, ``snippets/``,
``tests/contradictions/``, the pages, the lint and lock files). The command runs
there with the copy first on ``PYTHONPATH``; then a strict MkDocs build of the
section it appended (on a page of its own: the rest of the real page needs the whole
site) runs the new experiment through the runner, and a fresh interpreter judges
the results file with the copy's registry and contradictions. Nothing in the real
checkout is written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Build, mkdocs_build

from measured.cli import main as cli
from measured.cli import new

EXPERIMENT = "waits_demo"
PAGE = "cpu-bound"  # the converted reference page
COPIED = ("measured", "snippets", "tests/contradictions")
TOP_FILES = ("pyproject.toml", "requirements.lock", "mkdocs.yml")


def copy_project(dest: Path) -> Path:
    for folder in COPIED:
        shutil.copytree(
            ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (dest / "docs").mkdir()
    for page in (ROOT / "docs").glob("*.md"):
        shutil.copy(page, dest / "docs" / page.name)
    for name in TOP_FILES:
        shutil.copy(ROOT / name, dest / name)
    return dest


def env_for(project: Path) -> dict[str, str]:
    """The copy's modules first, and the copy as the project root."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project), str(project / "tests")]),
        "MEASURED_ROOT": str(project),
    }


def measured_new(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "measured", "new", *args],
        cwd=project,
        env=env_for(project),
        capture_output=True,
        text=True,
        timeout=60,
    )


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
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@dataclass(frozen=True)
class Scaffolded:
    project: Path
    changed: dict[str, str]  # path -> new text (created or edited)
    created: set[str]
    stdout: str
    build: Build
    judged: dict


SITE_CONFIG = """\
site_name: new experiment
strict: true
docs_dir: scaffolded-page
hooks:
  - measured/web/hooks.py
plugins:
  - markdown-exec
markdown_extensions:
  - admonition
  - pymdownx.snippets:
      base_path: ["."]
      check_paths: true
  - pymdownx.superfences:
      custom_fences:
        - name: measured
          class: measured
          format: !!python/name:measured.web.directives.fence
  - pymdownx.tabbed:
      alternate_style: true
"""

# Run in the copy: its registry, shapes and contradictions judge its results file.
JUDGE = """\
import json, sys
from contradictions import CONTRADICTIONS
from measured import claims
from measured.cli import check
from measured.run import project, shapes
from measured.web import results

name = sys.argv[1]
data = json.load(open(sys.argv[2]))
entry = next(e for e in data["experiments"] if e["experiment"] == name)
evidence = claims.Evidence.of(entry["runs"])
(check_,) = claims.for_experiment(name)
made = CONTRADICTIONS[check_.__name__].make(evidence)
shape = shapes.all_shapes()[name]
print(json.dumps({
    "registered": [r.name for r in claims.registered() if r.experiment == name],
    "snippets": sorted(p.stem for p in project.snippets_dir().glob("*.py")),
    "verdicts": {c["claim"]: [c["verdict"], c["reason"]] for c in entry["claims"]},
    "contradicted": check_(made).holds,
    "misfits": shapes.problems(entry["runs"][0]["result"], shape)
    + shapes.problems(made.runs[0].result, shape),
    "check": [l.verdict for l in check.judge_entry(entry, publish=False) if l.failed],
}))
"""


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Scaffolded:
    base = tmp_path_factory.mktemp("new")
    project = copy_project(base / "project")
    before = snapshot(project)
    proc = measured_new(project, EXPERIMENT, "--page", PAGE)
    assert proc.returncode == 0, proc.stderr
    after = snapshot(project)
    changed = {p: t for p, t in after.items() if before.get(p) != t}
    created = set(after) - set(before)

    # The appended section, on a page of its own, built strictly.
    section = changed[f"docs/{PAGE}.md"].removeprefix(before[f"docs/{PAGE}.md"])
    pages = project / "scaffolded-page"
    pages.mkdir()
    (pages / "index.md").write_text("# Home\n")
    (pages / f"{PAGE}.md").write_text(f"# {PAGE}\n{section}")
    (project / "mkdocs-new.yml").write_text(SITE_CONFIG)
    build = mkdocs_build(
        base / "site", config=project / "mkdocs-new.yml", env=env_for(project)
    )
    assert build.returncode == 0, build.log[-5000:]
    judge = subprocess.run(
        [sys.executable, "-c", JUDGE, EXPERIMENT, str(base / "site" / "results.json")],
        cwd=project,
        env=env_for(project),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert judge.returncode == 0, judge.stderr[-3000:]
    return Scaffolded(
        project, changed, created, proc.stdout, build, json.loads(judge.stdout)
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


def test_the_scaffold_writes_five_files_and_says_which(scaffolded: Scaffolded) -> None:
    assert set(scaffolded.changed) == _expected_files()
    assert scaffolded.created == {f"snippets/{EXPERIMENT}.py"}
    for path in scaffolded.changed:
        assert path in scaffolded.stdout


def test_what_it_writes_passes_ruff(scaffolded: Scaffolded) -> None:
    ruff(scaffolded.project, *(scaffolded.project / p for p in scaffolded.changed))


def test_the_snippet_follows_the_reference(scaffolded: Scaffolded) -> None:
    source = scaffolded.changed[f"snippets/{EXPERIMENT}.py"]
    for piece in (
        "\nROUNDS = ",
        "measure.prestart(",
        "measure.time_rounds(",
        "if TYPE_CHECKING:",
        "measure.emit(result)",
        'if __name__ == "__main__":',
    ):
        assert piece in source


def test_the_build_runs_it_and_publishes_it(scaffolded: Scaffolded) -> None:
    assert re.search(r"experiments: 1 executed", scaffolded.build.log)
    html = (scaffolded.build.site / PAGE / "index.html").read_text()
    assert "measured-provenance" in html
    assert f"snippets/{EXPERIMENT}.py" in html  # the Source tab
    data = json.loads((scaffolded.build.site / "results.json").read_text())
    assert [e["experiment"] for e in data["experiments"]] == [EXPERIMENT]


def test_the_new_claim_holds_or_says_why_not_and_can_fail(
    scaffolded: Scaffolded,
) -> None:
    judged = scaffolded.judged
    claim = new.Names(EXPERIMENT).claim
    assert judged["registered"] == [claim]
    verdict, reason = judged["verdicts"][claim]
    assert verdict == "holds" or (verdict == "not shown" and reason), judged
    assert judged["contradicted"] is False, "the contradiction must make it miss"
    assert judged["misfits"] == [], "results and contradictions keep the shape"
    assert judged["check"] == [], "python -m measured check accepts the entry"


def test_the_tests_find_it_without_being_told(scaffolded: Scaffolded) -> None:
    """The registry, the snippets folder and SHAPES are what the tests walk."""
    assert EXPERIMENT in scaffolded.judged["snippets"]
    assert scaffolded.judged["registered"]


def test_a_second_scaffold_of_the_same_name_is_refused(scaffolded: Scaffolded) -> None:
    before = snapshot(scaffolded.project)
    proc = measured_new(scaffolded.project, EXPERIMENT, "--page", PAGE)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "exists" in proc.stderr
    assert snapshot(scaffolded.project) == before


def test_every_part_gets_lint_clean_code(tmp_path: Path) -> None:
    """One page of each part of the guide, with the longest name allowed: imports
    merged or added in isort's order, SHAPES extended, lines within the limit."""
    project = copy_project(tmp_path / "project")
    pages = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    written: set[Path] = set()
    for part in new.parts(project):
        page = next(p for p in pages if _part_of(project, p) == part)
        name = f"{part}_{'x' * new.MAX_NAME}"[: new.MAX_NAME]
        scaffold = new.plan(project, name, page)
        new.write(scaffold)
        written |= set(scaffold.files)
    ruff(project, *written)


def _part_of(root: Path, page: str) -> str | None:
    try:
        return new.locate(root, page).part
    except new.Refused:
        return None


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
