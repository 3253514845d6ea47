"""``python -m measured audit-article PATH``: is the ledger's sentence index the
article's?

The project does not hold the original article; whoever has it runs this to check
that ``docs/errata.yml`` lists its sentences in order (line and hash each), and
that every entry a sentence names quotes part of it. Exit 0 when the index is the
article's, 1 when it is not (one line per difference), 2 when PATH is unreadable.
``--print`` prints a fresh, unclassified index for the article instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from measured.web import article, ledger


def add_parser(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser(
        "audit-article", help="check the errata sentence index against the article"
    )
    audit.add_argument("path", metavar="PATH", help="the original article (Markdown)")
    audit.add_argument(
        "--print", action="store_true", help="print a fresh index for the article"
    )


def main(args: argparse.Namespace) -> int:
    try:
        text = Path(args.path).read_text()
    except OSError as error:
        print(f"error: {error}")
        return 2
    if args.print:
        for row in article.index_rows(text):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    entries = ledger.load()
    _, rows = article.index(ledger.ledger_file())
    found = article.problems(rows, {e.id for e in entries})
    found += article.audit(text, rows, {e.id: e.quote for e in entries})
    for line in found:
        print(line)
    skipped = sum(bool(row.skip) for row in rows)
    print(
        f"{len(rows)} sentences: {len(rows) - skipped} judged by an entry, "
        f"{skipped} skipped with a reason; {len(found)} problems"
    )
    return 1 if found else 0
