"""The decision rule is written once, in code; its descriptions are rendered from it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT

from measured.claims import rule
from measured.run import runner, stats


def test_contributing_carries_the_current_rule(tmp_path: Path) -> None:
    copy = tmp_path / "CONTRIBUTING.md"
    shutil.copy(ROOT / "CONTRIBUTING.md", copy)
    assert not rule.refresh(copy), (
        "CONTRIBUTING.md's rule block is stale: run "
        "`.venv/bin/python -m measured rule --write CONTRIBUTING.md`"
    )


def test_the_rule_text_follows_the_constants(monkeypatch) -> None:
    monkeypatch.setattr(runner, "MAX_RUNS", 7)
    monkeypatch.setattr(stats, "FREE_SHARE", 0.5)
    text = rule.markdown()
    assert "up to 7 in all" in text and "fewer than 50% of the usable cores" in text
