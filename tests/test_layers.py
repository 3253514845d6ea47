"""Layers point one way: run -> claims -> web and cli. Nothing reaches back up.

Each module is imported in a fresh interpreter, and the test looks at which of the
project's modules came along (sys.modules), so an import hidden in a function body
that runs at import time, or a re-export, is caught too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

# Which layers a module of each layer may pull in.
ALLOWED = {
    "run": {"run"},
    "claims": {"run", "claims"},
    "web": {"run", "claims", "web", "cli"},
    "cli": {"run", "claims", "web", "cli"},
}
MODULES = sorted(
    f"measured.{path.parent.name}.{path.stem}"
    for layer in ALLOWED
    for path in (ROOT / "measured" / layer).glob("*.py")
    if path.stem != "__init__"
)


def _start(module: str) -> subprocess.Popen[str]:
    code = (
        f"import json, sys, {module}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('measured.'))))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _layers(out: str, err: str, returncode: int | None) -> set[str]:
    assert returncode == 0, err[-2000:]
    return {name.split(".")[1] for name in json.loads(out)}


def imported_layers(module: str) -> set[str]:
    proc = _start(module)
    return _layers(*proc.communicate(), proc.returncode)


@pytest.fixture(scope="module")
def imports() -> dict[str, tuple[str, str, int | None]]:
    """Every module's import, each in its own fresh interpreter: stdout, stderr and
    exit status (judged by each module's own test).

    The interpreters run a few at a time (one per core, plus one): each import is
    its own process either way, and one after another they took about 10 s.
    """
    found: dict[str, tuple[str, str, int | None]] = {}
    at_once = (os.cpu_count() or 1) + 1
    for start in range(0, len(MODULES), at_once):
        batch = {module: _start(module) for module in MODULES[start : start + at_once]}
        for module, proc in batch.items():
            found[module] = (*proc.communicate(), proc.returncode)
    return found


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_only_its_own_layer_and_those_below(
    module: str, imports: dict[str, tuple[str, str, int | None]]
) -> None:
    layer = module.split(".")[1]
    extra = _layers(*imports[module]) - ALLOWED[layer]
    assert not extra, f"{module} pulls in measured.{sorted(extra)}"


def test_importing_the_runner_imports_no_claims_module() -> None:
    assert imported_layers("measured.run.runner") == {"run"}
