"""The last published figures, shown where this build could not show a claim.

A page whose machine cannot show a claim (no free-threaded Python, one core, a
busy runner) still teaches: beside "not shown on this machine" it quotes what the
publish build measured, labelled with that machine and date. The publish workflow
downloads the live site's ``results.json`` before it builds and names the file in
``MEASURED_PUBLISHED``; without it (a local build, the first deploy) pages show
nothing extra.

The published file is only ever quoted as text here. It is never judged as this
build's result, never written into this build's ``results.json`` and never read by
``python -m measured check``.

A file that cannot be read or is not a results file is ignored with a warning (a
format change must not stop the next deploy): the pages then show what a build
without the file shows.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measured import claims
from measured.web import results

ENV = "MEASURED_PUBLISHED"
# Not under "mkdocs": a strict build counts mkdocs warnings as errors, and an
# unreadable published file is a reason to show less, not to fail.
log = logging.getLogger("measured.published")


@functools.cache
def load() -> results.Published | None:
    """The published results file named by MEASURED_PUBLISHED, read once per build."""
    source = os.environ.get(ENV, "").strip()
    if not source:
        return None
    if not results.is_url(source) and not Path(source).is_file():
        # The publish workflow names the file even when there was none to download.
        log.info("%s: no file at %s, no published figures", ENV, source)
        return None
    try:
        published = results.load(source)
    except results.ResultsError as error:
        log.warning("%s ignored: %s", ENV, error)
        return None
    log.info("published figures from %s (%s)", source, published.generated)
    return published


def reset() -> None:
    """Read the file again on the next build (mkdocs serve rebuilds in one process)."""
    load.cache_clear()


def _label(interpreter: dict[str, Any]) -> str:
    version = ".".join(str(interpreter.get("version", "")).split(".")[:2])
    return version + ("t" if interpreter.get("free_threaded_build") else "")


def machine(entry: dict[str, Any]) -> str:
    """The machine and Python an entry was measured on, as a reader needs it."""
    env = entry["runs"][0]["result"]["env"]
    cores = int(env["cores"])
    python = f"{env['python']}{'t' if env['free_threaded_build'] else ''}"
    return f"Python {python}, {env['os']}, {cores} core{'s' if cores != 1 else ''}"


def credit(entry: dict[str, Any]) -> str:
    """“measured on <machine>, <date> by the publish build”."""
    published = load()
    date = published.generated if published else "an unknown date"
    return f"measured on {machine(entry)}, {date} by the publish build"


def entries(experiment: str, label: str | None = None) -> list[dict[str, Any]]:
    """The published entries of ``experiment``, those of interpreter ``label``
    (e.g. "3.13", "3.14t") first."""
    published = load()
    if published is None:
        return []
    found = [e for e in published.entries if e["experiment"] == experiment]
    return sorted(found, key=lambda e: _label(e.get("interpreter", {})) != label)


def claim_line(experiment: str, claim: str, label: str | None = None) -> str:
    """“Last published: <statement> — measured on …”, from the first published
    entry where ``claim`` was decided; "" when none was (or no file)."""
    for entry in entries(experiment, label):
        for record in entry["claims"]:
            if record.get("claim") == claim and record.get("holds") is not None:
                return f"Last published: {record['statement']} — {credit(entry)}."
    return ""


def figure(
    experiment: str,
    compute: Callable[[claims.Evidence], str | None],
    label: str | None = None,
) -> str:
    """“Last published: <figure> — measured on …”: ``compute`` (the same code that
    renders this build's figure) on the first published entry that yields one."""
    for entry in entries(experiment, label):
        try:
            text = compute(claims.Evidence.of(entry["runs"]))
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            log.warning("published %s unreadable: %r", experiment, error)
            continue
        if text:
            return f"Last published: {text} — {credit(entry)}."
    return ""
