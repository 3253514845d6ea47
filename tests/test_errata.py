"""The errata ledger: schema, evidence checks, the Errata page and cross-links."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html import escape as html_escape
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, Build, mkdocs_build

from measured.run import runner
from measured.web import article, errata, ledger, render

ENTRIES = ledger.load(ROOT / "docs" / "errata.yml")
HEADER, SENTENCES = article.index(ROOT / "docs" / "errata.yml")


def test_ledger_covers_the_article() -> None:
    assert len(ENTRIES) >= 35
    sections = {entry.section for entry in ENTRIES}
    for part in ("Summary table", "The Right Choice", "FAQ", "Threads"):
        assert part in sections, f"no entry from the article's {part!r}"
    assert {entry.verdict for entry in ENTRIES} <= set(ledger.VERDICTS)


# --- every sentence of the article is classified --------------------------------
# The project does not hold the article: the ledger's `sentences` index is its
# sentence list (line, hash, first words), checked against the article itself by
# `python -m measured audit-article PATH` (tested below on a scratch article).


def test_no_sentence_of_the_article_is_unclassified() -> None:
    unclassified = [row for row in SENTENCES if not row.classified]
    assert len(SENTENCES) == HEADER["sentences"] > 100
    assert not unclassified, "\n".join(
        f"line {row.line}: {row.opens!r} has neither entries nor a skip reason"
        for row in unclassified
    )


def test_sentence_index_names_real_entries_and_every_entry() -> None:
    assert article.problems(SENTENCES, {e.id for e in ENTRIES}) == []


def test_only_sentences_that_state_no_fact_are_skipped() -> None:
    kinds = [article.skip_kind(row.skip) for row in SENTENCES if row.skip]
    assert None not in kinds
    # a skipped sentence is a heading, a transition or the article's own plan:
    # never most of the article
    assert len(kinds) < len(SENTENCES) / 4


def test_the_claims_this_audit_found_missing_are_classified() -> None:
    ids = {e for row in SENTENCES for e in row.entries}
    for missing_before in ("thread-failure-hidden", "threads-same-core"):
        assert missing_before in ids
    assert "repeated-paragraph" in ids


# --- each verdict agrees with its correction -------------------------------------


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_verdict_agrees_with_correction(entry: ledger.Entry) -> None:
    assert ledger.disagreement(entry.verdict, entry.correction) is None
    assert (entry.verdict == ledger.EDITORIAL) == (not entry.evidence)


@pytest.mark.parametrize(
    ("verdict", "correction", "agrees"),
    [
        ("correct", "Right: threads share memory.", True),
        ("correct", "No: processes can talk.", False),
        ("correct", "Wrong, they cannot.", False),
        ("correct", "Processes can talk.", False),
        ("wrong", "Right: processes can talk.", False),
        ("misleading", "Correct, but only on a GIL build.", False),
        ("misleading", "Only on a GIL build.", True),
        ("editorial", "The paragraph is printed twice.", True),
    ],
)
def test_disagreement_rule(verdict: str, correction: str, agrees: bool) -> None:
    assert (ledger.disagreement(verdict, correction) is None) is agrees


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_evidence_holds_or_says_why_not(entry: ledger.Entry) -> None:
    status = ledger.evaluate(entry, lambda name: render.evidence(runner.run(name)))
    if entry.verdict == ledger.EDITORIAL:  # a fault of the text: nothing to run
        assert status.state == "no experiment" and not status.claims
        return
    if status.state == "not reproducible here":
        pytest.skip(f"{entry.id}: not reproducible here: {'; '.join(status.reasons)}")
    failed = [c.statement for c in status.claims if c.holds is False]
    assert status.state == "reproduced", f"{entry.id} contradicted: {failed}"


# --- schema: a bad entry is rejected with the entry id and the field ------------

GOOD = {
    "id": "sample-claim",
    "quote": "Threads have separate memory.",
    "section": "Threads",
    "verdict": "wrong",
    "correction": "Threads share one address space.",
    "page": "cpu-bound.md#why-threads-take-turns",
    "evidence": [{"experiment": "cpu_bound", "claim": "processes_scale"}],
}


def write_ledger(folder: Path, **changes: object) -> Path:
    """A one-entry ledger in ``folder`` (a docs/ folder) beside the page it names."""
    entry = {**GOOD, **changes}
    entry = {k: v for k, v in entry.items() if v is not None}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cpu-bound.md").write_text("# CPU\n\n## Why threads take turns\n")
    path = folder / "errata.yml"
    path.write_text(yaml.safe_dump({"entries": [entry]}))
    return path


def test_a_good_entry_loads(tmp_path: Path) -> None:
    (entry,) = ledger.load(write_ledger(tmp_path))
    assert (entry.page, entry.anchor) == ("cpu-bound.md", "why-threads-take-turns")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"verdict": None}, "verdict", "missing"),
        ({"correction": None}, "correction", "missing"),
        ({"verdict": "sort of"}, "verdict", "unknown verdict 'sort of'"),
        ({"id": "Not An Id"}, "id", "lowercase words"),
        ({"page": "cpu-bound.md"}, "page", "page.md#anchor"),
        ({"page": "nowhere.md#x"}, "page", "no page docs/nowhere.md"),
        ({"correction": "One. Two. Three. Four."}, "correction", "1-3 sentences"),
        (
            {"evidence": [{"experiment": "no_such", "claim": "x"}]},
            "evidence",
            "no experiment snippets/no_such.py",
        ),
        (
            {"evidence": [{"experiment": "cpu_bound", "claim": "made_up"}]},
            "evidence",
            "cpu_bound has no registered claim 'made_up'",
        ),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"verdict": "correct"}, "correction", "opens by agreeing"),
        ({"correction": "Right: they share."}, "correction", "cannot open"),
        ({"evidence": []}, "evidence", "missing"),
        ({"verdict": "editorial"}, "evidence", "has no experiment"),
    ],
)
def test_a_bad_entry_names_entry_and_field(
    tmp_path: Path, changes: dict, field: str, message: str
) -> None:
    with pytest.raises(ledger.LedgerError) as caught:
        ledger.load(write_ledger(tmp_path, **changes))
    text = str(caught.value)
    assert caught.value.field == field
    assert f"field {field!r}" in text and message in text
    assert "sample-claim" in text or "Not An Id" in text


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write_ledger(tmp_path)
    path.write_text(yaml.safe_dump({"entries": [GOOD, GOOD]}))
    with pytest.raises(ledger.LedgerError, match="'sample-claim', field 'id'"):
        ledger.load(path)


def test_an_editorial_entry_loads_without_evidence(tmp_path: Path) -> None:
    path = write_ledger(tmp_path, verdict="editorial", evidence=[])
    (entry,) = ledger.load(path)
    assert entry.evidence == ()
    assert ledger.evaluate(entry, lambda name: pytest.fail(name)).state == (
        "no experiment"
    )


# --- the splitter and the audit, on a scratch article ----------------------------

SCRATCH = """# Preamble (not the article)

- Link: somewhere

---
Threads share memory. Processes do not!

## A heading

A list follows:  – One item is here.  – Another vs. that one.

```python
print("code")
```

| Left | Right |
|---|---|
| Cell one. | Cell two |
"""


def test_split_units_the_article() -> None:
    found = [(s.line, s.text) for s in article.split(SCRATCH)]
    assert found == [
        (6, "Threads share memory."),
        (6, "Processes do not!"),
        (8, "A heading"),
        (10, "A list follows:"),
        (10, "One item is here."),
        (10, "Another vs. that one."),
        (12, 'print("code")'),
        (16, "Left"),
        (16, "Right"),
        (18, "Cell one."),
        (18, "Cell two"),
    ]


def scratch_rows() -> list[article.Row]:
    return [
        article.Row(s.line, s.hash, s.opens, ("sample-claim",), "")
        for s in article.split(SCRATCH)
    ]


def test_audit_accepts_its_own_index() -> None:
    # a quote that shares a word with every sentence: the whole scratch text
    assert article.audit(SCRATCH, scratch_rows(), {"sample-claim": SCRATCH}) == []


def test_audit_finds_a_changed_a_missing_and_a_misquoted_sentence() -> None:
    rows = scratch_rows()
    changed = SCRATCH.replace("Processes do not!", "Processes do too!")
    assert any("sentence 2" in p for p in article.audit(changed, rows, {}))
    longer = SCRATCH + "\nOne more sentence.\n"
    assert "article has 12 sentences, index 11" in article.audit(longer, rows, {})
    quotes = {"sample-claim": "Threads share memory."}
    problems = article.audit(SCRATCH, rows, quotes)
    assert "sentence 2 (line 6): entry 'sample-claim' quotes none of it" in problems


def test_index_problems_are_named() -> None:
    rows = [
        article.Row(1, "h", "Opens", (), ""),
        article.Row(2, "h", "Two", (), "because"),
        article.Row(3, "h", "Three", ("nope",), ""),
    ]
    problems = article.problems(rows, {"sample-claim"})
    assert any("sentence 1" in p and "unclassified" in p for p in problems)
    assert any("sentence 2" in p and "skip reason starts" in p for p in problems)
    assert any("sentence 3" in p and "no entry 'nope'" in p for p in problems)
    assert "entry 'sample-claim': no sentence names it" in problems


def test_audit_command_needs_a_readable_article(tmp_path: Path) -> None:
    from measured.cli.main import main

    assert main(["audit-article", str(tmp_path / "absent.md")]) == 2


def test_missing_anchor_is_reported_for_the_entry() -> None:
    entry = ENTRIES[0]
    problems = ledger.missing_anchors([entry], {entry.page: {"other"}})
    assert [p.entry for p in problems] == [entry.id]
    assert f"field 'page': no anchor #{entry.anchor}" in str(problems[0])


def test_a_bad_ledger_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "snippets").mkdir(parents=True)
    shutil.copy(ROOT / "snippets" / "cpu_bound.py", project / "snippets")
    write_ledger(project / "docs", page="cpu-bound.md#no-such-heading")
    (project / "docs" / "index.md").write_text("# Home\n")
    (project / "requirements.lock").write_text("x==1\n")
    (project / "mkdocs.yml").write_text(
        f"site_name: scratch\nhooks:\n  - {ROOT / 'measured' / 'web' / 'hooks.py'}\n"
    )
    build = mkdocs_build(
        tmp_path / "site",
        config=project / "mkdocs.yml",
        env={"MEASURED_ROOT": str(project)},
    )
    assert build.returncode != 0
    expected = "entry 'sample-claim', field 'page': no anchor #no-such-heading"
    assert expected in build.log, build.log[-3000:]


# --- the Errata page and the links between it and the guide ---------------------


@pytest.fixture(scope="module")
def errata_html(site_build: Build) -> str:
    return (site_build.site / "errata" / "index.html").read_text()


def test_errata_page_lists_every_entry(errata_html: str) -> None:
    rows = re.findall(r'<tr id="([a-z0-9-]+)" data-verdict="(\w+)"', errata_html)
    assert [row[0] for row in rows] == [entry.id for entry in ENTRIES]
    assert Counter(v for _, v in rows) == Counter(e.verdict for e in ENTRIES)


def test_errata_page_counts_match_the_ledger(errata_html: str) -> None:
    shown = dict(re.findall(r'data-verdict="(\w+)" data-count="(\d+)"', errata_html))
    assert {k: int(v) for k, v in shown.items()} == {
        v: errata.counts()[v] for v in ledger.VERDICTS
    }
    assert f'data-total="{len(ENTRIES)}"' in errata_html


def test_every_row_shows_a_status(errata_html: str) -> None:
    states = re.findall(r'data-state="([a-z -]+)"', errata_html)
    assert len(states) == len(ENTRIES)
    assert set(states) <= set(errata.STATE_LABELS)
    editorial = [e for e in ENTRIES if e.verdict == ledger.EDITORIAL]
    assert states.count("no experiment") == len(editorial) > 0
    assert errata.NO_EXPERIMENT in errata_html


def test_errata_page_lists_the_skipped_sentences(errata_html: str) -> None:
    section = errata_html.split('id="every-sentence-accounted-for"', 1)[1]
    skipped = [row for row in SENTENCES if row.skip]
    assert f"<strong>{len(SENTENCES)}</strong> sentences" in section
    assert f"<strong>{len(skipped)}</strong> state no fact" in section
    for row in skipped:
        assert html_escape(row.opens) in section, row.opens


def page_html(site: Path, page: str) -> str:
    stem = page.removesuffix(".md").removesuffix(".ipynb")
    path = site / "index.html" if stem == "index" else site / stem / "index.html"
    return path.read_text()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_each_entry_is_linked_from_its_page(site_build: Build, entry) -> None:
    html = page_html(site_build.site, entry.page)
    # an editorial entry is covered on the Errata page itself: a link to "#id"
    target = "(\\./)?" if entry.page == errata.PAGE else "[./]*errata/"
    assert re.search(rf'href="{target}#{entry.id}"', html), (
        f"{entry.page} has no callout linking to errata entry {entry.id}"
    )
    assert f'id="{entry.anchor}"' in html


def test_every_errata_link_names_an_entry(site_build: Build) -> None:
    ids = {entry.id for entry in ENTRIES}
    for page in site_build.site.rglob("*.html"):
        for target in re.findall(r'href="[./]*errata/#([^"]+)"', page.read_text()):
            assert target in ids, f"{page} links to unknown errata entry {target}"


def test_summary_table_is_rebuilt_from_measurements(errata_html: str) -> None:
    section = errata_html.split('id="the-summary-table-corrected"', 1)[1]
    table = section.split("<table>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    assert len(rows) == len(errata.SUMMARY_ROWS) == 6
    for row in rows:
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert len(cells) == 3
        for measured in cells[1:]:  # a figure from this build in every cell
            if render.NOT_SHOWN in measured:  # undecided: its figures, never bold
                assert "<strong>" not in measured, measured
                assert re.search(r"\d\.\d+× \[[\d.]+–[\d.]+\]", measured), measured
                continue
            assert re.search(r"<strong>[^<]*\d", measured), measured
