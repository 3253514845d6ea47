"""What the newcomer documents name exists: README.md, CONTRIBUTING.md and the pull
request template send a contributor to files and modules by name, and a moved module
must not leave them pointing at nothing (they once sent claims to ``claims.py``).

Checked: every project path in inline code (``measured/…``, ``tests/…``,
``snippets/…``, ``examples/…``, ``docs/…``, ``overrides/…``, ``.github/…``) and
every dotted name ``measured.x.y`` (a module, or a module's attribute). Placeholders
in capitals (``snippets/NAME.py``) and ``<angle brackets>`` are skipped, and so are
paths that only exist once something ran (``tests/artifacts/``, git-ignored).
"""

from __future__ import annotations

import importlib
import re

import pytest
from conftest import ROOT

DOCUMENTS = ("README.md", "CONTRIBUTING.md", ".github/pull_request_template.md")
PATH = re.compile(
    r"(?<![\w./-])"
    r"((?:measured|tests|snippets|examples|docs|overrides|\.github)/[\w./-]*)"
)
DOTTED = re.compile(r"(?<![\w./-])measured(?:\.\w+)+")
PLACEHOLDER = re.compile(r"[A-Z]{3,}|<")
MADE_BY_RUNS = ("tests/artifacts/",)


def inline_code(document: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", (ROOT / document).read_text())


def resolves(dotted: str) -> bool:
    """``measured.a.b.c``: the longest importable prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("document", DOCUMENTS)
def test_paths_named_exist(document: str) -> None:
    missing = sorted(
        {
            path
            for code in inline_code(document)
            for path in (p.rstrip(".") for p in PATH.findall(code))
            if not PLACEHOLDER.search(path)
            and not path.startswith(MADE_BY_RUNS)
            and not (ROOT / path).exists()
        }
    )
    assert not missing, f"{document} names paths that do not exist: {missing}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_modules_named_exist(document: str) -> None:
    missing = sorted(
        {
            name
            for code in inline_code(document)
            for name in DOTTED.findall(code)
            if not resolves(name)
        }
    )
    assert not missing, f"{document} names modules that do not exist: {missing}"


def test_the_checks_catch_a_stale_name() -> None:
    assert not resolves("measured.claims_part1")
    assert not resolves("measured.run.forksafe.no_such_function")
    assert resolves("measured.run.forksafe.settle_threads")
    assert PATH.findall("see measured/claims.py") == ["measured/claims.py"]
    assert not (ROOT / "measured/claims.py").exists()
