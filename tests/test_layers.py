"""Layers point one way: run -> claims -> web and cli. Nothing reaches back up.

Each module is imported in a fresh interpreter, and the test looks at which of the
project's modules came along (sys.modules), so an import hidden in a function body
that runs at import time, or a re-export, is caught too.
"""

from __future__ import annotations

import json
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


def imported_layers(module: str) -> set[str]:
    code = (
        f"import json, sys, {module}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('measured.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return {name.split(".")[1] for name in json.loads(out.stdout)}


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_only_its_own_layer_and_those_below(module: str) -> None:
    layer = module.split(".")[1]
    extra = imported_layers(module) - ALLOWED[layer]
    assert not extra, f"{module} pulls in measured.{sorted(extra)}"


def test_importing_the_runner_imports_no_claims_module() -> None:
    assert imported_layers("measured.run.runner") == {"run"}
