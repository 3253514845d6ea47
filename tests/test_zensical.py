"""Forward compatibility: Zensical builds the same mkdocs.yml with the same results.

Material for MkDocs has announced its end of life (2027-05-05) and names Zensical as
its successor. This test builds a copy of the project with Zensical into a scratch
directory, reusing the experiment cache, and compares it with the MkDocs build:
every page except notebook pages must carry the same executed outputs (provenance
lines, experiment output, tables, chart alt text). What Zensical does not do yet is
detected and must match the list documented in CONTRIBUTING.md ("Zensical").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPORT, ROOT, Build
from site_pages import html_pages, notebook_pages, page_file
from test_build import BROKEN_PAGE, scratch_project

pytestmark = pytest.mark.build

ZENSICAL = Path(sys.executable).with_name("zensical")
# A cached run and a fresh one differ only in this last part of the provenance line.
# The "Run this yourself" link needs the hook that finds the reproduce page, which
# Zensical does not run (see DIFFERENCES["hooks"]).
RUN_STATUS = re.compile(
    r" · (cached result \(inputs unchanged\)|fresh run in this build)"
    r"( · Run this yourself: .*)?$"
)

# The reproduce page's captured example says the same of itself.
CAPTURE_STATUS = re.compile(
    r"captured in (?:this|an earlier) build on ([^;(]*?)(?: \(inputs unchanged\))?;"
)

# What Zensical (the locked version) does differently with our mkdocs.yml, as far as
# this test can tell; KNOWN is what it does today. Keep in step with CONTRIBUTING.md.
DIFFERENCES = {
    "hooks": "measured/web/hooks.py does not run: no build provenance in the footer, "
    "no 'Run this yourself' link in provenance lines, no 'You'll need' and 'Next' "
    "lines on the learning path, no 'On other machines' section",
    "fails-quietly": "a failing experiment does not fail the build: even with "
    "--strict, the traceback lands in the page and the exit status is 0",
    "git-dates": "the git-revision-date-localized plugin does not run: no dates",
    "404": "overrides/404.html is not used: Zensical's own 404 page",
    "notebooks": "mkdocs-jupyter does not run: notebook pages are not rendered",
}
KNOWN = {"hooks", "fails-quietly", "git-dates", "notebooks"}
HOOK_SECTION = "on-other-machines"  # measured/web/elsewhere.py's heading, as an id


class Outputs(HTMLParser):
    """What the build executed, as text: provenance, code/output blocks, tables, charts.

    Only the article counts: navigation and footer markup are the theme's business.
    The "On other machines" section the hook appends (DIFFERENCES["hooks"]) ends
    what is compared: Zensical never renders it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.provenance: list[str] = []
        self.blocks: list[str] = []
        self.cells: list[str] = []
        self.charts: list[str] = []
        self._stack: list[str] = []  # which collector the current text belongs to
        self._buffer: list[str] = []
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article":
            self._in_article += 1
        if tag == "h2" and a.get("id") == HOOK_SECTION:
            self._in_article = 0  # the rest of the article is the hook's
        if not self._in_article:
            return
        if tag == "svg" and a.get("role") == "img":
            self.charts.append(a.get("aria-label", ""))
        target = None
        if tag == "p" and "measured-provenance" in a.get("class", ""):
            target = "provenance"
        elif tag == "pre":
            target = "blocks"
        elif tag in ("td", "th"):
            target = "cells"
        if target and not self._stack:
            self._stack.append(target)
            self._buffer = []
        elif self._stack:
            self._stack.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._in_article:
            self._in_article -= 1
        if not self._stack:
            return
        kind = self._stack.pop()
        if kind:
            text = "".join(self._buffer)
            if kind == "blocks":
                text = "\n".join(line.rstrip() for line in text.strip().splitlines())
            else:
                text = " ".join(text.split())
            if kind == "provenance":
                text = RUN_STATUS.sub("", text)
                text = CAPTURE_STATUS.sub(r"captured on \1;", text)
            getattr(self, kind).append(text)

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._buffer.append(data)


def outputs(html: str) -> Outputs:
    parser = Outputs()
    parser.feed(html)
    return parser


def zensical_build(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    if not ZENSICAL.exists():
        pytest.fail(f"zensical is locked in requirements.lock but missing: {ZENSICAL}")
    return subprocess.run(
        [str(ZENSICAL), "build", "--clean", "--strict", "-f", "mkdocs.yml"],
        cwd=project,
        env={k: v for k, v in os.environ.items() if k != "MEASURED_FRESH"} | env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scratch = tmp_path_factory.mktemp("zensical")
    # Zensical wants docs_dir inside the project folder, and writes site_dir and its
    # own cache there: work on a copy of the sources, never in the checkout.
    for folder in ("docs", "snippets", "overrides"):
        shutil.copytree(ROOT / folder, scratch / folder)
    shutil.copy2(ROOT / "mkdocs.yml", scratch / "mkdocs.yml")
    # The experiments come from the checkout's cache: the same runs MkDocs showed.
    proc = zensical_build(scratch, {"MEASURED_ROOT": str(ROOT)})
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    return scratch / "site"


def test_zensical_pages_carry_the_same_executed_outputs(
    site_build: Build, zensical_site: Path
) -> None:
    notebooks = notebook_pages()
    compared, mismatches = 0, []
    for page in html_pages(site_build.site):
        if page in notebooks:
            continue
        theirs = page_file(zensical_site, page)
        if not theirs.is_file():
            mismatches.append(f"{page or '(home)'}: not built by Zensical")
            continue
        ours = outputs(page_file(site_build.site, page).read_text())
        zens = outputs(theirs.read_text())
        for kind in ("provenance", "blocks", "cells", "charts"):
            if getattr(ours, kind) != getattr(zens, kind):
                mismatches.append(f"{page or '(home)'}: {kind} differ")
        compared += 1
        assert ours.provenance, f"{page or '(home)'} shows no provenance line"
    assert compared >= 2
    assert not mismatches, "\n".join(mismatches)


def test_zensical_differences_are_the_documented_ones(
    site_build: Build, zensical_site: Path, tmp_path: Path
) -> None:
    mkdocs_home = (site_build.site / "index.html").read_text()
    zensical_home = (zensical_site / "index.html").read_text()
    found = set()
    if "measured-build" in mkdocs_home and "measured-build" not in zensical_home:
        found.add("hooks")
    if "git-revision-date" in mkdocs_home and "git-revision-date" not in zensical_home:
        found.add("git-dates")
    if "Page not found" not in (zensical_site / "404.html").read_text():
        found.add("404")
    broken = scratch_project(
        tmp_path / "broken",
        {"broken-page.md": BROKEN_PAGE},
        {"broken.py": "raise RuntimeError('it broke')\n"},
    )
    proc = zensical_build(broken, {"MEASURED_ROOT": str(broken)})
    page = broken / "site" / "broken-page" / "index.html"
    if proc.returncode == 0 and page.is_file() and "it broke" in page.read_text():
        found.add("fails-quietly")
    notebooks = notebook_pages()
    if notebooks:
        rendered = [
            p
            for p in notebooks
            if page_file(zensical_site, p).is_file()
            and "jupyter-wrapper" in page_file(zensical_site, p).read_text()
        ]
        if len(rendered) < len(notebooks):
            found.add("notebooks")
    expected = set(KNOWN)
    if not notebooks:
        expected.discard("notebooks")  # nothing to tell apart yet
    REPORT.append(
        "zensical: same executed outputs; differs in: "
        + "; ".join(DIFFERENCES[k] for k in sorted(found))
    )
    assert found == expected, (
        "Zensical's behaviour changed: update KNOWN and CONTRIBUTING.md"
    )
    documented = (ROOT / "CONTRIBUTING.md").read_text()
    for key in found:
        assert DIFFERENCES[key].split(":")[0] in documented, key
