"""Issue 14's "done when": each API that 3.11 to 3.15 added is named on the page where a
reader looks for it (the experiment or the "needs Python 3.14+" line beside it is
checked by the claim tests of that page)."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"

# name -> the page a reader would look on
WHERE = {
    "terminate_workers": "futures.md",
    "kill_workers": "futures.md",
    "interrupt()": "futures.md",
    "buffersize": "futures.md",
    "max_tasks_per_child": "futures.md",
    "InterpreterPoolExecutor": "futures.md",
    "track=False": "sharing.md",
    "Queue.shutdown": "synchronization.md",
    "asyncio ps": "asyncio.md",
    "asyncio pstree": "asyncio.md",
    "capture_call_graph": "asyncio.md",
    "remote_exec": "asyncio.md",
    "thread_inherit_context": "free-threading.md",
    "context_aware_warnings": "free-threading.md",
}


@pytest.mark.parametrize(("name", "page"), sorted(WHERE.items()))
def test_new_api_is_named_where_a_reader_looks(name: str, page: str) -> None:
    assert name in (DOCS / page).read_text(), f"{name} is not named on {page}"


def test_synchronization_links_the_measured_free_threaded_lost_updates() -> None:
    text = (DOCS / "synchronization.md").read_text()
    assert "free-threading.md#counter-loses-updates" in text
    assert "counter-loses-updates" in (DOCS / "free-threading.md").read_text()
