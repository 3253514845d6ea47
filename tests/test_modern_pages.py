"""The Modern CPython pages: built, charted, honest about missing interpreters."""

from __future__ import annotations

import re

import pytest
from conftest import Build, nav_pages

from measured.run import matrix

pytestmark = pytest.mark.build

# Start methods sits with Processes on the learning path, but is measured on every
# interpreter like the Modern CPython pages.
PAGES = [*nav_pages("Modern CPython"), "start-methods"]


def text(build: Build, page: str) -> str:
    html = (build.site / page / "index.html").read_text()
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("page", PAGES)
def test_page_has_results_and_provenance(site_build: Build, page: str) -> None:
    html = (site_build.site / page / "index.html").read_text()
    assert 'class="measured-provenance"' in html
    # The page opens with its answer sentence, marked for readers and tests.
    assert 'class="measured-answer"' in html.split("<h2", 1)[0]


def test_every_interpreter_of_the_matrix_is_on_the_gil_page(site_build: Build) -> None:
    page = text(site_build, "gil-across-versions")
    for interpreter in matrix.current().interpreters():
        assert f"Python {interpreter.version}" in page
    html = (site_build.site / "gil-across-versions" / "index.html").read_text()
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Speedup over serial', html)


def test_missing_interpreters_are_named_with_install_commands(
    site_build: Build,
) -> None:
    found = matrix.current()
    newest_free = f"3.{found.newest}t"  # derived: 3.15t from October 2026
    if newest_free not in {m.label for m in found.missing}:
        pytest.skip(f"this build has a free-threaded {newest_free}")
    for page in ("gil-across-versions", "free-threading"):
        body = text(site_build, page)
        assert f"Python {newest_free}: not measured in this build" in body
        assert f"uv python install {newest_free}" in body
        assert f'python-version: "{newest_free}"' in body.replace("&quot;", '"')


def test_start_methods_page_shows_the_real_bootstrapping_error(
    site_build: Build,
) -> None:
    body = text(site_build, "start-methods")
    assert "current process has finished its bootstrapping phase" in body
    assert "child exit code 1" in body


def test_dask_page_shows_the_real_code_diff(site_build: Build) -> None:
    body = text(site_build, "beyond-one-machine")
    assert "-    return list(pool.map(work, sizes))" in body.replace("&gt;", ">")
    assert "+    return client.gather(client.map(work, sizes, pure=False))" in body
