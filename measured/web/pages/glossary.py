"""docs/glossary.md: every hover definition of the site, with the page behind it."""

from __future__ import annotations

import html

from measured.web import glossary

# Where a learner sees each term at work: the page, by source path (the hook's
# link checker resolves it and fails the build on a missing page). Keyed by the
# first spelling of an entry; tests/test_glossary.py checks every entry has one.
SHOWN_ON = {
    "GIL": "gil.md",
    "CPython": "gil-across-versions.md",
    "free-threaded": "free-threading.md",
    "subinterpreter": "subinterpreters.md",
    "concurrency": "concepts.md",
    "parallelism": "concepts.md",
    "CPU-bound": "cpu-bound.md",
    "I/O-bound": "io-bound.md",
    "usable cores": "index.md",
    "pickling": "processes.md",
    "IPC": "sharing.md",
    "shared memory": "sharing.md",
    "copy-on-write": "processes.md",
    "PID": "processes.md",
    "POSIX": "start-methods.md",
    "start method": "start-methods.md",
    "fork": "start-methods.md",
    "spawn": "start-methods.md",
    "forkserver": "start-methods.md",
    "daemon": "threads.md",
    "thread pool": "futures.md",
    "process pool": "futures.md",
    "executor": "futures.md",
    "chunksize": "when-processes-lose.md",
    "coroutine": "asyncio.md",
    "event loop": "asyncio.md",
    "race condition": "synchronization.md",
    "lost updates": "synchronization.md",
    "critical section": "synchronization.md",
    "mutex": "synchronization.md",
    "deadlock": "synchronization.md",
    "semaphore": "synchronization.md",
    "GC": "free-threading.md",
}


def table() -> str:
    """Every entry: its spellings, linked to the page that shows it, and its
    definition. HTML, not Markdown: Markdown would give each listed term a tooltip
    repeating the definition beside it."""
    rows = []
    for entry in glossary.entries():
        terms = ", ".join(html.escape(t) for t in entry.terms)
        page = SHOWN_ON[entry.terms[0]]
        rows.append(
            f'<tr><td><a href="{page}"><strong>{terms}</strong></a></td>'
            f"<td>{html.escape(entry.definition)}</td></tr>"
        )
    return (
        '<table class="measured-glossary">\n'
        "<thead><tr><th>Term</th><th>Meaning</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )
