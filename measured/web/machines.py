"""Results from other machines: every submitted results file, judged again here.

Files come from ``results/machines/*.json`` (written by ``python -m measured
submit`` and added by pull request) and from the folders named in
``MEASURED_MACHINES_DIR`` (``os.pathsep``-separated; the publish workflow puts the
CI platforms' ``reproduce --json`` files there). Either may be missing or empty.

Each file is read as data through :mod:`measured.web.validate`, never as code. A
file that fails is logged as one warning naming it, which fails a strict build
(mkdocs counts warnings under ``mkdocs.``); a lenient build goes on without it.

No verdict or figure stored in a file is trusted: every entry's claims are judged
again from its raw runs with the registry ``python -m measured check`` uses.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measured import claims
from measured.run import project
from measured.web import results, validate

ENV = "MEASURED_MACHINES_DIR"
FOLDER = Path("results") / "machines"
log = logging.getLogger("mkdocs.measured")  # a warning here fails a strict build


@dataclass(frozen=True)
class Row:
    """One experiment on one interpreter of one submitted machine."""

    file: str  # the file's name, e.g. linux-amd-ryzen-...-py3.12.1-1a2b3c4d.json
    machine: str  # the CPU model
    os: str
    python: str  # "CPython 3.13.0 · free-threaded" or "CPython 3.12.1 · GIL"
    free_threaded: bool
    cores: int  # usable cores
    start_method: str  # "" when the file does not say
    experiment: str
    judged: tuple[dict[str, Any], ...]  # claims judged again here, registry order
    evidence: claims.Evidence

    def claim(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.judged if c["claim"] == name), None)


def folders() -> list[Path]:
    """results/machines in the checkout, then each folder of MEASURED_MACHINES_DIR."""
    extra = [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    return [project.root() / FOLDER, *extra]


def files() -> list[Path]:
    """Every *.json file of the folders, sorted by name within each folder."""
    found: list[Path] = []
    for folder in folders():
        if folder.is_dir():
            found += sorted(p for p in folder.glob("*.json") if p.is_file())
    return found


@functools.cache
def load() -> tuple[results.Published, ...]:
    """Every file that passes validation, read once per build."""
    kept = []
    for path in files():
        try:
            kept.append(validate.load(str(path)))
        except results.ResultsError as error:
            log.warning("other machines: %s", error)  # names the file
    return tuple(kept)


def reset() -> None:
    """Read the folders again on the next build (mkdocs serve rebuilds)."""
    load.cache_clear()
    rows.cache_clear()


def python_label(env: dict[str, Any]) -> str:
    build = "free-threaded" if env.get("free_threaded_build") else "GIL"
    return f"{env['implementation']} {env['python']} · {build}"


def _rows(published: results.Published) -> Iterator[Row]:
    name = Path(published.source).name
    box = published.data.get("machine") or {}
    # The submitter's note ("taskset -c 0") tells two runs of one machine apart.
    note = f" ({box['note']})" if box.get("note") else ""
    for entry in published.entries:
        result = results.first_result(entry)
        env = result["env"]
        method = result.get("start_method")
        evidence = claims.Evidence.of(entry["runs"])
        judged = claims.evaluate(entry["experiment"], evidence, strict=False)
        yield Row(
            file=name,
            machine=str(box.get("cpu") or env["cpu"]) + note,
            os=str(env["os"]),
            python=python_label(env),
            free_threaded=bool(env.get("free_threaded_build")),
            cores=int(env["cores"]),
            # Only what this experiment recorded: another experiment's method says
            # nothing of one that starts no process, or compares several.
            start_method=method if isinstance(method, str) else "",
            experiment=entry["experiment"],
            judged=tuple(judged),
            evidence=evidence,
        )


def failed(experiment: str) -> list[str]:
    """'Python 3.12.1 (file.json)' for each file listing ``experiment`` as failed."""
    found = []
    for published in load():
        for entry in published.data.get("failed") or []:
            if isinstance(entry, dict) and entry.get("experiment") == experiment:
                name = Path(published.source).name
                python = re.sub(r"[^\w.+-]", "", str(entry.get("python", "?")))
                found.append(f"Python {python} ({name})")
    return found


@functools.cache
def rows() -> tuple[Row, ...]:
    """Every entry of every file, judged again (once per build)."""
    return tuple(row for published in load() for row in _rows(published))


def of(experiment: str) -> list[Row]:
    """The rows of one experiment, sorted by machine, OS and Python."""
    found = [row for row in rows() if row.experiment == experiment]
    return sorted(found, key=lambda r: (r.machine, r.os, r.python, r.file))


def headline(experiment: str) -> claims.Registered | None:
    """The claim whose figure heads an experiment's row: its first measured claim
    (registry order), else its first claim; None when it has no claim."""
    registered = claims.registry.REGISTRY.get(experiment, [])
    measured = [r for r in registered if r.kind == claims.MEASURED]
    return (measured or registered or [None])[0]


def figure_text(record: dict[str, Any] | None) -> str:
    """A claim's headline figure with its unit ("4.2 ms"; a speedup: 2 decimals)."""
    if record is None or not isinstance(record.get("figure"), int | float):
        return "—"
    value = float(record["figure"])
    figures = record.get("figures") or []
    unit = figures[0].get("unit", "") if figures else ""
    if unit == "×":
        return f"{value:.2f}×"
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def verdict_text(record: dict[str, Any] | None) -> str:
    """holds, misses, not shown (and why, in short), or error."""
    if record is None:
        return "—"
    if "error" in record:
        return "error"
    verdict = claims.VERDICTS[record.get("holds")]
    if record.get("holds") is not None:
        return verdict
    # The claim's own reason ("needs a free-threaded build"), not its category.
    reason = str(record.get("reason") or record.get("why") or "")
    for cut in (";", ":", " ("):  # its first clause: the table cell stays short
        reason = reason.split(cut)[0]
    return f"{verdict} ({reason.strip()})" if reason.strip() else verdict
