"""The asyncio recipes page (docs/recipes/async.md): its experiments and its links.

The experiments are read from the build's cache (``runner.run``), never run here.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from measured.run import runner
from measured.web import path


@pytest.fixture(scope="module")
def fanout() -> dict[str, Any]:
    return runner.run("recipe_http_fanout").result


def test_fanout_measures_every_level_with_both_clients(fanout: dict[str, Any]) -> None:
    assert fanout["levels"] == [10, 100, 1_000]
    for n in fanout["levels"]:
        level = fanout["by_level"][str(n)]
        assert set(level["sessions"]) == {"threads", "asyncio"}
        rounds = level["time"]["rounds"]
        assert rounds == (6 if n == fanout["timed"] else 1)


def test_fanout_memory_is_a_peak_not_a_guess(fanout: dict[str, Any]) -> None:
    """The peak was reset at the start of each session, so it is that session's."""
    for level in fanout["by_level"].values():
        for sessions in level["sessions"].values():
            for s in sessions:
                assert s["peak_reset"]
                assert s["rss_peak"] >= s["rss_before"] > 0


def test_fire_forget_printed_the_loggers_messages() -> None:
    out = runner.run("recipe_fire_forget").stdout
    assert "Task was destroyed but it is pending!" in out
    assert "Task exception was never retrieved" in out


def _page(src_uri: str, title: str = "T") -> Any:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), title=title)


@pytest.mark.parametrize(
    ("here", "there", "href"),
    [
        ("recipes/async.md", "asyncio.md", "../asyncio.md"),
        ("recipes/async.md", "recipes/processes.md", "processes.md"),
        ("asyncio.md", "futures.md", "futures.md"),
        ("asyncio.md", "recipes/async.md", "recipes/async.md"),
    ],
)
def test_path_links_are_relative_to_the_page(here: str, there: str, href: str) -> None:
    """ "You'll need" and "Next" links resolve from a page inside a folder too."""
    link = path._link(_page(there), _page(here))
    assert f'href="{href}"' in link
