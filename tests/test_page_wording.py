"""Cheap guards on page wording that a review flagged (issue 14, point 6)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from measured.web.pages import processes

# The nav has sections, not numbered parts: a "part 2" reference cannot be followed.
PART_REFERENCE = re.compile(r"\bpart\s+[0-9]+\b", re.IGNORECASE)
PAGE_TEXT = sorted((ROOT / "docs").glob("*.md")) + sorted(
    (ROOT / "measured" / "web" / "pages").glob("*.py")
)


@pytest.mark.parametrize("path", PAGE_TEXT, ids=lambda p: p.name)
def test_no_reference_to_a_numbered_part(path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(lines, 1)
        if PART_REFERENCE.search(line)
    ]
    assert not found, "link the page instead of a numbered part:\n" + "\n".join(found)


def _basics(method: str, same_address: bool) -> dict:
    return {"start_method": method, "memory": {"same_address": same_address}}


@pytest.mark.parametrize("same_address", [True, False])
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_memory_note_never_calls_a_non_fork_child_a_copy(
    monkeypatch: pytest.MonkeyPatch, method: str, same_address: bool
) -> None:
    monkeypatch.setattr(processes, "_processes", lambda: _basics(method, same_address))
    note = processes.memory_note()
    assert "not start as a copy" in note
    assert "id()" not in note


@pytest.mark.parametrize("same_address", [True, False])
def test_memory_note_calls_a_fork_child_a_copy(
    monkeypatch: pytest.MonkeyPatch, same_address: bool
) -> None:
    monkeypatch.setattr(processes, "_processes", lambda: _basics("fork", same_address))
    note = processes.memory_note()
    assert "started as a copy of the parent" in note
    assert ("same `id()`" in note) is same_address
