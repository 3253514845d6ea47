"""No figure in the prose was typed: every number a page states comes from a result.

The pages promise "a number you read here was measured, never typed". This test
reads the prose of every page (outside code, exec blocks, inline code, HTML
comments and link targets) and fails on any digit that is not in the short,
commented allowlist below: version numbers, PEP and issue numbers, documented API
defaults and names that contain digits. A measured figure belongs in an exec block
that prints it from the results.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"

# Each pattern is a figure that is not a measurement, with why it may be typed.
ALLOWED = [
    # Python versions: "Python 3.13", "3.14t", "3.13.8", "3.11 and newer".
    (r"\b[23]\.\d{1,2}(\.\d+)?t?\b", "a Python version"),
    (r"\bPython [23]\b", "Python 2 or 3, the language"),
    (r"\bPEP[ -]\d+\b", "a PEP number"),
    (r"\b[Gg][Hh]-\d+\b", "a CPython issue or pull request"),
    (r"\b[Bb]Po-\d+\b", "a CPython issue on the old tracker"),
    (r"\b(19[89]\d|20[0-3]\d)\b", "a year (release dates, the article's date)"),
    (r"\b(UTF|utf)-8\b", "an encoding"),
    (r"\bsha256\b|\bSHA-256\b", "an algorithm's name"),
    (r"\bx86[-_]64\b|\baarch64\b|\barm64\b", "an architecture"),
    (r"\bHTTP/1\.[01]\b", "a protocol version"),
    (r"\b[0-9a-f]{7,40}\b", "a commit or content hash"),
    (r"\bh[1-6]\b", "an HTML heading level"),
    (r"\bWCAG 2(\.\d)?\b", "an accessibility standard"),
    (
        r"\bmin\(32, (os\.cpu_count\(\)|CPUs) \+ 4\)",
        "ThreadPoolExecutor's documented default",
    ),
    # ThreadPoolExecutor's default max_workers, as the standard library documents it:
    # https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.ThreadPoolExecutor
    # (pool-sizing.md links there; the pool_sizing claim checks it on every build).
    (r"\bCPUs \+ 4, at most 32\b", "ThreadPoolExecutor's documented default"),
    (r"\b127\.0\.0\.1(:\d+)?\b", "the loopback address"),
    # hashlib releases the GIL "for data larger than 2047 bytes": a documented
    # constant (https://docs.python.org/3/library/hashlib.html), not a measurement.
    (r"\bover 2047 bytes\b", "hashlib's documented GIL-release threshold"),
]
# Lines that are code or markup, not prose.
FENCE = re.compile(r"^\s*(```|~~~)")
SKIP_LINE = re.compile(r"^\s*(\||<!--|-->|<|=== |\[.*\]:\s)")


def prose(text: str) -> list[tuple[int, str]]:
    """(line number, prose) pairs of a Markdown page."""
    lines = text.splitlines()
    out, fence, in_front, in_comment = [], None, False, False
    for number, line in enumerate(lines, 1):
        if number == 1 and line.strip() == "---":
            in_front = True
            continue
        if in_front:
            in_front = line.strip() != "---"
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
            continue
        if fence is not None:
            continue
        if "<!--" in line and "-->" not in line:
            in_comment = True
            continue
        if line.startswith("    ") and not line.lstrip().startswith(("-", "*")):
            continue  # an indented code block or tab content
        if SKIP_LINE.match(line):
            continue
        clean = re.sub(r"`[^`]*`", "", line)  # inline code
        clean = re.sub(r"\]\([^)]*\)", "]", clean)  # link targets
        clean = re.sub(r"\{[#.][^}]*\}", "", clean)  # attribute lists
        out.append((number, clean))
    return out


def typed_figures(text: str) -> list[tuple[int, str, str]]:
    found = []
    for number, line in prose(text):
        rest = line
        for pattern, _why in ALLOWED:
            rest = re.sub(pattern, " ", rest)
        for match in re.finditer(r"\d[\d,.]*", rest):
            found.append((number, match.group(0), line.strip()))
    return found


PAGES = sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_typed_figures_in_prose(page: Path) -> None:
    found = typed_figures(page.read_text())
    assert not found, "typed figures (render them from results):\n" + "\n".join(
        f"  {page.name}:{n}: {figure!r} in: {line}" for n, figure, line in found
    )


def test_the_scanner_finds_a_typed_figure() -> None:
    page = "---\nx: 1\n---\n# T\n\nThreads took 25 ms.\n\n```python\nx = 3\n```\n"
    assert [f[1] for f in typed_figures(page)] == ["25"]
    assert typed_figures("Python 3.13 (PEP 703, gh-135295) in 2025.\n") == []
