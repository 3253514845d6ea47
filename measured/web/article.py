"""The article's sentences, and the ledger's record of how each one is classified.

The project does not hold the original article (it is quoted only to correct it).
What it holds is an index in ``docs/errata.yml``, under ``sentences``: one row per
sentence of the article, in order, with the line it is on, a hash of its text, its
first few words (so a reader can find it) and its classification, either the ledger
entries that judge it or ``skip`` with the reason it states no fact.

:func:`split` turns the article's Markdown into those sentences; :func:`audit`
compares them with the index (``python -m measured audit-article PATH`` runs it on
the article itself). The tests check the committed index on its own: every row is
classified, every entry named exists and is named by some row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measured.web.ledger import read_yaml

# Why a sentence states no fact. A skip reason starts with one of these kinds.
SKIP_KINDS = {
    "heading": "a section title",
    "plan": "says what the article will do or did, not how Python behaves",
    "transition": "leads into the next sentence or list",
    "table header": "names the table's columns",
    "preface": "introduces the topic; says nothing about how Python behaves",
}
OPENING_WORDS = 4
# The end of a sentence: . ! or ? (a closing quote or bracket stays with it), then
# space and a capital, a bracket, a quote or a dash. "vs." ends no sentence.
SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"”)]))(?<!\bvs\.)\s+(?=[A-Z(“\"–-])"
)
# A bullet written inline in a paragraph: an en dash between spaces.
INLINE_BULLET = re.compile(r"\s+–\s+")
BULLET = re.compile(r"^\s*(?:[-*–]|\d+\.)\s+")


@dataclass(frozen=True)
class Sentence:
    line: int  # 1-based line of the article file the sentence starts on
    text: str

    @property
    def hash(self) -> str:
        return digest(self.text)

    @property
    def opens(self) -> str:
        return opening(self.text)


def digest(text: str) -> str:
    """A short, stable fingerprint of a sentence (whitespace-insensitive)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


def opening(text: str) -> str:
    return " ".join(text.split()[:OPENING_WORDS])


def body_start(lines: list[str]) -> int:
    """Index of the first line of the article's text: after a ``---`` line that
    ends the workspace's preamble (title, link, note), or 0 if there is none."""
    for index, line in enumerate(lines):
        if line.strip() == "---":
            return index + 1
    return 0


def split(text: str) -> list[Sentence]:
    """The article's sentences: headings, table cells, code blocks (one unit each)
    and the sentences of its paragraphs and list items, in order."""
    lines = text.splitlines()
    found: list[Sentence] = []
    index = body_start(lines)
    while index < len(lines):
        line = lines[index]
        number = index + 1
        if line.startswith("```"):
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j].startswith("```")),
                len(lines) - 1,
            )
            code = "\n".join(lines[index + 1 : end])
            found.append(Sentence(number, code))
            index = end + 1
            continue
        if line.startswith("#"):
            found.append(Sentence(number, line.lstrip("#").strip()))
        elif line.startswith("|"):
            found += [Sentence(number, cell) for cell in _cells(line)]
        elif line.strip():
            found += [Sentence(number, s) for s in _sentences(line)]
        index += 1
    return found


def _cells(row: str) -> Iterator[str]:
    for cell in row.strip().strip("|").split("|"):
        if cell.strip() and not set(cell.strip()) <= set("-: "):
            yield cell.strip()


def _sentences(line: str) -> Iterator[str]:
    for item in INLINE_BULLET.split(BULLET.sub("", line).strip()):
        for sentence in SENTENCE_END.split(item.strip()):
            if sentence.strip():
                yield sentence.strip()


# --- the committed index --------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    hash: str
    opens: str
    entries: tuple[str, ...]
    skip: str

    @property
    def classified(self) -> bool:
        return bool(self.entries) != bool(self.skip)


def index(path: Path) -> tuple[dict[str, Any], list[Row]]:
    """The ledger's ``article`` header and its ``sentences`` rows, read as they are
    (an unclassified row is returned, not rejected: the tests count them)."""
    raw = read_yaml(path)
    rows = [
        Row(
            line=int(item["line"]),
            hash=str(item["hash"]),
            opens=str(item.get("opens", "")),
            entries=tuple(item.get("entries") or ()),
            skip=str(item.get("skip") or ""),
        )
        for item in raw.get("sentences") or []
    ]
    return dict(raw.get("article") or {}), rows


def skip_kind(reason: str) -> str | None:
    """The kind a skip reason starts with ("heading: ..."), or None."""
    kind = reason.split(":", 1)[0].strip()
    return kind if kind in SKIP_KINDS and ":" in reason else None


def problems(rows: list[Row], entry_ids: set[str]) -> list[str]:
    """What is wrong with the index itself, one line each (empty when sound)."""
    found = []
    for number, row in enumerate(rows, 1):
        where = f"sentence {number} (line {row.line}, {row.opens!r})"
        if not row.classified:
            found.append(f"{where}: unclassified (give entries or a skip reason)")
        if row.skip and not skip_kind(row.skip):
            kinds = ", ".join(SKIP_KINDS)
            found.append(f"{where}: a skip reason starts with one of: {kinds}")
        found += [f"{where}: no entry {e!r}" for e in row.entries if e not in entry_ids]
    named = {e for row in rows for e in row.entries}
    found += [f"entry {e!r}: no sentence names it" for e in sorted(entry_ids - named)]
    return found


def audit(text: str, rows: list[Row], quotes: dict[str, str]) -> list[str]:
    """Compare the article's sentences with the index, and each entry's quote with
    the sentences that name it. Empty when the index is the article's."""
    sentences = split(text)
    found = []
    for number, (sentence, row) in enumerate(zip(sentences, rows, strict=False), 1):
        if (sentence.line, sentence.hash) != (row.line, row.hash):
            found.append(
                f"sentence {number}: article has line {sentence.line} "
                f"{sentence.hash} {sentence.opens!r}, index has line {row.line} "
                f"{row.hash} {row.opens!r}"
            )
            continue
        for entry in row.entries:
            if not _quoted(quotes.get(entry, ""), sentence.text):
                found.append(
                    f"sentence {number} (line {row.line}): entry {entry!r} quotes "
                    "none of it"
                )
    if len(sentences) != len(rows):
        found.append(f"article has {len(sentences)} sentences, index {len(rows)}")
    return found


def _quoted(quote: str, sentence: str) -> bool:
    """Whether an entry's quote shares a word with the sentence it classifies. A
    quote may be a part of a sentence or span several; a row that points at the
    wrong entry (a shifted index) shares none."""
    return bool(_words(quote) & _words(sentence))


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def index_rows(text: str) -> list[dict[str, Any]]:
    """A fresh index for ``text`` (unclassified), to paste into the ledger."""
    return [{"line": s.line, "hash": s.hash, "opens": s.opens} for s in split(text)]
