"""docs/errata.md: the original article's claims, one ledger entry each."""

from __future__ import annotations

from measured.web import errata as ledger_page


def summary() -> str:
    """How many claims per verdict, and how many this machine reproduced (HTML)."""
    return ledger_page.summary()


def table() -> str:
    """The whole ledger as a table the reader can filter and sort (HTML)."""
    return ledger_page.table()


def provenance() -> str:
    """Where the ledger's figures were measured: one line per experiment."""
    return ledger_page.provenance()


def summary_table() -> str:
    """The article's closing table, each cell replaced by a measured claim."""
    return ledger_page.summary_table()


def coverage() -> str:
    """How the ledger classifies every sentence of the article; the skipped ones."""
    return ledger_page.coverage()
