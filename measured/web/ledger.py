"""The errata ledger: every claim of the original article, its verdict and its proof.

``docs/errata.yml`` holds one entry per claim. This module loads it, rejects a bad
entry with a message naming the entry and the field, and evaluates each entry's
evidence: registered claims (measured/claims/registry.py) over experiment results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from measured import claims
from measured.run import project

VERDICTS = ("correct", "misleading", "wrong", "garbled", "editorial")
# A defect of the text (a repeated paragraph, a misspelt name), not a claim about
# Python: it has no experiment, and its entry says so with an empty evidence list.
EDITORIAL = "editorial"
# A correction opens by agreeing ("Right: ...") exactly when its verdict is
# "correct"; an entry marked correct whose correction opens "No" or "Wrong", or one
# marked wrong whose correction opens "Right", contradicts itself.
AGREES = re.compile(r"^(Right|Correct|True|Yes)\b")
FIELDS = ("id", "quote", "section", "verdict", "correction", "page", "evidence")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The page, as "file.md#anchor", and a correction of 1-3 sentences.
PAGE_PATTERN = re.compile(r"^(?P<file>[\w./-]+\.(md|ipynb))#(?P<anchor>[\w-]+)$")
MAX_SENTENCES = 3


class LedgerError(ValueError):
    """A ledger entry is malformed. The message names the entry and the field."""

    def __init__(self, entry: str, field: str, problem: str) -> None:
        self.entry, self.field = entry, field
        super().__init__(f"errata ledger: entry {entry!r}, field {field!r}: {problem}")


@dataclass(frozen=True)
class Evidence:
    experiment: str
    claim: str  # the name of a claim function registered for the experiment

    def check(self) -> claims.Check:
        return claims.named(self.experiment, self.claim)  # load() checked it exists


@dataclass(frozen=True)
class Entry:
    id: str
    quote: str
    section: str
    verdict: str
    correction: str
    page: str  # docs-relative file
    anchor: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Status:
    """What this machine showed for one entry."""

    # "reproduced", "not reproducible here", "contradicted", or "no experiment"
    # (an editorial defect: nothing about Python to measure)
    state: str
    claims: tuple[claims.Claim, ...]

    @property
    def reasons(self) -> list[str]:
        return [c.reason for c in self.claims if c.holds is None]


def ledger_file() -> Path:
    return project.root() / "docs" / "errata.yml"


# libyaml's loader reads the ledger in a tenth of the pure-Python one's time (about
# 0.25 s a build); both build the same safe types.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A YAML file's data, read with the safe loader (libyaml's when installed)."""
    return yaml.load(path.read_text(), Loader=_LOADER)


def load(path: Path | None = None) -> list[Entry]:
    """Read and validate the ledger. Raises LedgerError on the first bad field."""
    path = path or ledger_file()
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise LedgerError("(file)", "entries", f"{path.name} needs a list 'entries'")
    entries: list[Entry] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["entries"]):
        entry = _entry(item, index, docs=path.parent)
        if entry.id in seen:
            raise LedgerError(entry.id, "id", "duplicate id")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def _entry(item: Any, index: int, *, docs: Path) -> Entry:
    name = item.get("id") if isinstance(item, dict) else None
    label = name if isinstance(name, str) else f"#{index + 1}"
    if not isinstance(item, dict):
        raise LedgerError(label, "(entry)", "an entry must be a mapping")
    for field in FIELDS:
        if field not in item or item[field] in (None, ""):
            raise LedgerError(label, field, "missing")
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        known = ", ".join(FIELDS)
        raise LedgerError(label, unknown[0], f"unknown field (known: {known})")
    for field in FIELDS[:-1]:
        if not isinstance(item[field], str):
            raise LedgerError(label, field, "must be a string")
    if not ID_PATTERN.match(item["id"]):
        raise LedgerError(label, "id", "use lowercase words joined by hyphens")
    if item["verdict"] not in VERDICTS:
        raise LedgerError(
            label,
            "verdict",
            f"unknown verdict {item['verdict']!r} (one of {', '.join(VERDICTS)})",
        )
    if problem := disagreement(item["verdict"], item["correction"]):
        raise LedgerError(label, "correction", problem)
    sentences = len(re.findall(r"[.!?](\s|$)", item["correction"].strip()))
    if not 1 <= sentences <= MAX_SENTENCES:
        raise LedgerError(label, "correction", f"1-3 sentences, found {sentences}")
    page = PAGE_PATTERN.match(item["page"])
    if not page:
        raise LedgerError(label, "page", "write it as 'page.md#anchor'")
    if not (docs / page["file"]).is_file():
        raise LedgerError(label, "page", f"no page docs/{page['file']}")
    return Entry(
        id=item["id"],
        quote=item["quote"].strip(),
        section=item["section"],
        verdict=item["verdict"],
        correction=" ".join(item["correction"].split()),
        page=page["file"],
        anchor=page["anchor"],
        evidence=_evidence(item["evidence"], label, item["verdict"]),
    )


def disagreement(verdict: str, correction: str) -> str | None:
    """Why a correction contradicts its verdict, or None when they agree."""
    text = " ".join(correction.split())
    if verdict == "correct" and not AGREES.match(text):
        return "a 'correct' verdict needs a correction that opens by agreeing (Right…)"
    if verdict != "correct" and AGREES.match(text):
        return f"a {verdict!r} verdict cannot open its correction by agreeing"
    return None


def _evidence(items: Any, label: str, verdict: str) -> tuple[Evidence, ...]:
    if not isinstance(items, list):
        raise LedgerError(label, "evidence", "a list of {experiment, claim}")
    if verdict == EDITORIAL and items:
        raise LedgerError(label, "evidence", "an editorial defect has no experiment")
    if verdict != EDITORIAL and not items:
        raise LedgerError(label, "evidence", "missing")
    found = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"experiment", "claim"}:
            raise LedgerError(label, "evidence", "each item is {experiment, claim}")
        experiment, claim = item["experiment"], item["claim"]
        if not (project.snippets_dir() / f"{experiment}.py").is_file():
            raise LedgerError(
                label, "evidence", f"no experiment snippets/{experiment}.py"
            )
        names = [c.__name__ for c in claims.for_experiment(experiment)]
        if claim not in names:
            raise LedgerError(
                label,
                "evidence",
                f"{experiment} has no registered claim {claim!r} "
                f"(registered: {', '.join(names) or 'none'})",
            )
        found.append(Evidence(experiment, claim))
    return tuple(found)


def missing_anchors(
    entries: list[Entry], anchors: dict[str, set[str]]
) -> list[LedgerError]:
    """Entries whose page has no such anchor, given each page's anchor ids."""
    return [
        LedgerError(e.id, "page", f"no anchor #{e.anchor} on {e.page}")
        for e in entries
        if e.anchor not in anchors.get(e.page, set())
    ]


def evaluate(entry: Entry, evidence_of: Callable[[str], claims.Evidence]) -> Status:
    """Run the entry's checks; ``evidence_of(experiment)`` fetches every run."""
    outcomes = tuple(ev.check()(evidence_of(ev.experiment)) for ev in entry.evidence)
    if not outcomes:
        state = "no experiment"
    elif any(c.holds is False for c in outcomes):
        state = "contradicted"
    elif any(c.holds is None for c in outcomes):
        state = "not reproducible here"
    else:
        state = "reproduced"
    return Status(state, outcomes)
