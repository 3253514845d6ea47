"""Every file under results/machines/ is data a page renders: each must pass
``python -m measured check --machine`` (schema, no markup, verdicts its own raw
runs give) and carry a submit slug as its name. The CI workflow runs the same
check on a pull request; this keeps `make test` saying so too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from measured.cli import main

MACHINES = ROOT / "results" / "machines"
FILES = sorted(MACHINES.glob("*")) if MACHINES.is_dir() else []
SLUG = re.compile(r"[a-z0-9][a-z0-9.-]*-[0-9a-f]{8}\.json")


def test_the_seed_files_from_this_project_s_machine_are_there() -> None:
    # Issue 17: the build interpreter, 3.12, 3.13 and one run on a single core.
    assert len(FILES) >= 4, [f.name for f in FILES]


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_each_machine_file_passes_the_check(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SLUG.fullmatch(path.name), f"{path.name} is not a submit slug"
    assert main.main(["check", "--machine", str(path)]) == 0, capsys.readouterr()
