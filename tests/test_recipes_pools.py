"""The Pool recipes page: each section holds the words a reader searches for."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

PAGE = ROOT / "docs" / "recipes" / "pools.md"
# Section heading (its start) -> the words a reader types to find it.
SEARCH_WORDS = {
    "Pass several arguments to `map`": ["several arguments", "starmap", "partial"],
    "A progress bar over parallel work": ["progress bar", "tqdm", "as_completed"],
    "Share a lock or counter with a pool": ["share a lock", "counter", "inheritance"],
    "Worker memory grows in a long-running pool": [
        "max_tasks_per_child",
        "maxtasksperchild",
        "daemonic processes",
    ],
}


def sections() -> dict[str, str]:
    parts = re.split(r"^## ", PAGE.read_text(), flags=re.M)[1:]
    return {part.splitlines()[0]: part for part in parts}


@pytest.mark.parametrize("heading", SEARCH_WORDS)
def test_section_holds_the_search_words(heading: str) -> None:
    found = [text for title, text in sections().items() if title.startswith(heading)]
    assert len(found) == 1, f"no single section starts with {heading!r}"
    text = found[0].lower()
    missing = [word for word in SEARCH_WORDS[heading] if word.lower() not in text]
    assert not missing, f"{heading}: {missing} not in the section"
