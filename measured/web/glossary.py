"""The glossary: the terms whose definition a reader sees on hover, on every page.

They live in one file, ``docs/includes/abbreviations.md``, one Python-Markdown
abbreviation a line (``*[GIL]: Global interpreter lock: ...``). pymdownx.snippets
appends it to every page (``auto_append`` in mkdocs.yml), and the ``abbr``
extension wraps every match of a term, outside code, in ``<abbr title=...>``.
The Glossary page lists the same file (measured/web/pages/glossary.py).

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
