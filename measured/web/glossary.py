"""The glossary: the terms whose definition a reader sees on hover, on every page.

They live in one file, ``docs/includes/abbreviations.md``, one Python-Markdown
abbreviation a line (``*[GIL]: Global interpreter lock: ...``). mkdocs.yml hands
:data:`ABBREVIATIONS` to the ``abbr`` extension as its ``glossary``, which wraps
every match of a term, outside code, in ``<abbr title=...>`` on every page. The
Glossary page lists the same file (measured/web/pages/glossary.py).

Why a glossary in the config and not the file appended to every page
(pymdownx.snippets ``auto_append``, the usual recipe): every ``measured`` fence is
converted as Markdown of its own, so the appended file was parsed again for each
of them, about 220 times a build, which made the warm build slower by a second or
more. The config is read once.

An abbreviation matches one spelling, so a plural or another form of a term gets a
line of its own with the same definition, starting with the headword
(``*[pickled]: Pickling: turning ...``); the Glossary page lists them as one entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from measured.run import project

FILE = Path("docs") / "includes" / "abbreviations.md"
LINE = re.compile(r"^\*\[(?P<term>[^\]]+)\]:[ ]*(?P<meaning>\S.*)$")


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its spellings (``pickling, pickled``) and meaning."""

    terms: tuple[str, ...]
    meaning: str

    @property
    def definition(self) -> str:
        """The meaning without a leading headword: the page shows the terms."""
        head, sep, rest = self.meaning.partition(": ")
        if sep and head.lower() in self.terms:
            return rest[:1].upper() + rest[1:]
        return self.meaning


def abbreviations(path: Path | None = None) -> dict[str, str]:
    """term -> definition, in the file's order; a line that is no abbreviation
    raises, so the file cannot hold text that would land on every page."""
    found: dict[str, str] = {}
    source = path or project.root() / FILE
    for number, line in enumerate(source.read_text().splitlines(), 1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if match is None:
            raise ValueError(f"{source}:{number}: not an abbreviation: {line!r}")
        found[match["term"]] = match["meaning"].strip()
    return found


def entries(path: Path | None = None) -> list[Entry]:
    """One entry per definition, its spellings in the file's order."""
    spellings: dict[str, list[str]] = {}
    for term, meaning in abbreviations(path).items():
        spellings.setdefault(meaning, []).append(term)
    return [Entry(tuple(terms), meaning) for meaning, terms in spellings.items()]


CODE = re.compile(r"(<code\b[^>]*>)(.*?)(</code>)", re.S)
ABBR = re.compile(r'<abbr title="[^"]*">(.*?)</abbr>', re.S)


def unwrap_in_code(html: str) -> str:
    """The page without tooltips inside ``<code>``.

    Markdown code spans are never wrapped, but a ``<code>`` element written as HTML
    inside a Markdown paragraph is (a provenance line's command in a collapsed
    block: ``reproduce --only pickling``): its text is still Markdown text there.
    """
    if "<abbr" not in html:
        return html
    return CODE.sub(
        lambda m: m[1] + ABBR.sub(r"\1", m[2]) + m[3] if "<abbr" in m[2] else m[0],
        html,
    )


# The abbr extension's glossary (mkdocs.yml). The hook refreshes it in place before
# each build, so `mkdocs serve` picks up an edited file.
ABBREVIATIONS: dict[str, str] = {}


def refresh() -> None:
    """Read the file again. A project without one (a test's scratch site that uses
    the hooks) has no glossary; tests/test_learning_path.py checks the real one."""
    ABBREVIATIONS.clear()
    if (project.root() / FILE).is_file():
        ABBREVIATIONS.update(abbreviations())


refresh()
