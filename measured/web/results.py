"""The results file: every experiment run of a build, machine-readable.

The site build writes it to ``results.json`` at the root of the site; the reproduce
command reads it (from the site, a local build or any file) to set a reader's figures
beside the published ones, and writes the same format with ``--json``, so one
reader's file can be compared with another's.

One entry per experiment and interpreter: the pages that showed it, the interpreter,
**every run** the runner made (each with its full JSON result, raw timings included,
its environment, the machine's free cores while it ran and what it left behind:
processes, listening ports, shared memory, leak warnings), the provenance line,
and every registered claim judged on all those runs pooled (verdict, statement,
figures with their intervals, how it was reached).

Format 2 (this one) keeps every run; format 1 kept one. ``python -m measured check``
judges a file again from its raw runs (measured/cli/check.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measured import claims
from measured.run import project, provenance
from measured.run.runner import Run

FORMAT = 2
FILENAME = "results.json"
URL_TIMEOUT = 20.0
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# What the comparison reads from a run's environment (measure.Environment).
ENV_KEYS = (
    "python",
    "implementation",
    "free_threaded_build",
    "gil_enabled",
    "os",
    "cpu",
    "cores",
)
# What a run record must hold for its claims to be judged again.
RUN_KEYS = ("result", "machine")


class ResultsError(ValueError):
    """A results file that cannot be read or is not a results file (one line)."""


def record(run: Run, *, strict: bool = True) -> dict[str, Any]:
    """One run as the results file stores it."""
    try:
        script = run.script.resolve().relative_to(project.root()).as_posix()
    except ValueError:
        script = run.script.name
    interpreter = run.interpreter
    return {
        "experiment": run.name,
        "script": script,
        "pages": list(run.pages),
        "interpreter": {
            "command": interpreter.command,
            "version": interpreter.version,
            "implementation": interpreter.implementation,
            "free_threaded_build": interpreter.free_threaded_build,
            "gil_enabled": interpreter.gil_enabled,
        },
        "seconds": run.seconds,
        "cached": run.cached,
        "planned_runs": run.planned,
        "stopped_because": run.stopped_because,
        "runs": [
            {
                "result": e.result,
                "stdout": e.stdout,
                "seconds": e.seconds,
                "machine": e.machine,
                "added_because": e.added_because,
                "leftovers": e.leftovers,
            }
            for e in run.executions
        ],
        "provenance": provenance.line(run),
        "claims": claims.evaluate(run.name, evidence(run), strict=strict),
    }


def evidence(run: Run) -> claims.Evidence:
    """Every run of ``run``, as the claims judge them."""
    return claims.Evidence.of(run.records())


def first_result(record: dict[str, Any]) -> dict[str, Any]:
    """A results-file entry's first run's result: its set-up and environment."""
    return record["runs"][0]["result"]


def document(
    runs: Iterable[Run], *, kind: str, site_url: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A whole results file: ``kind`` is "site" (a build) or "reproduce" (a reader).

    A build's claims must all read their results (a claim that cannot fails the
    build); a reader's file records such a claim's error instead.
    """
    return {
        "format": FORMAT,
        "kind": kind,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "site_url": site_url,
        **extra,
        "experiments": [record(run, strict=kind == "site") for run in runs],
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(path)  # atomic: a reader never sees half a file


@dataclass(frozen=True)
class Published:
    """A results file that was read and checked, and where it came from."""

    source: str
    data: dict[str, Any]

    @property
    def entries(self) -> list[dict[str, Any]]:
        """One entry per experiment and interpreter (each holds its runs)."""
        return self.data["experiments"]

    @property
    def generated(self) -> str:
        return str(self.data.get("generated") or "an unknown date")

    def pages(self) -> dict[str, list[str]]:
        """Page -> the experiments it showed, in the order of the file."""
        found: dict[str, list[str]] = {}
        for run in self.entries:
            for page in run["pages"]:
                names = found.setdefault(page, [])
                if run["experiment"] not in names:
                    names.append(run["experiment"])
        return found


def is_url(source: str) -> bool:
    return bool(_URL.match(source))


def read_source(source: str) -> str:
    """The text of a results file at a path or a URL. Raises ResultsError."""
    if is_url(source):
        request = urllib.request.Request(
            source, headers={"User-Agent": "python-concurrency-measured reproduce"}
        )
        try:
            with urllib.request.urlopen(request, timeout=URL_TIMEOUT) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            raise ResultsError(f"cannot read {source}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            why = getattr(exc, "reason", None) or exc
            raise ResultsError(
                f"cannot read {source}: {why} "
                "(offline? pass --against FILE, or --against none)"
            ) from exc
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise ResultsError(f"cannot read {source}: {why}") from exc


def _check(data: Any) -> str | None:
    """What makes ``data`` not a results file, or None if it is one."""
    if not isinstance(data, dict):
        return "the top level is not a JSON object"
    version = data.get("format")
    if version != FORMAT:
        if isinstance(version, int) and version > FORMAT:
            return f"format {version} is newer than this checkout reads ({FORMAT})"
        return f'"format" is {version!r}, expected {FORMAT}'
    if not isinstance(data.get("experiments"), list):
        return 'no "experiments" list'
    for i, run in enumerate(data["experiments"]):
        if not isinstance(run, dict):
            return f"entry {i} is not an object"
        if not isinstance(run.get("experiment"), str):
            return f'entry {i} has no "experiment" name'
        for name, kind in (("pages", list), ("claims", list), ("runs", list)):
            if not isinstance(run.get(name), kind):
                return (
                    f'entry {i} ({run["experiment"]}) has no "{name}" {kind.__name__}'
                )
        if not run["runs"]:
            return f"entry {i} ({run['experiment']}) has an empty runs list"
        for j, one in enumerate(run["runs"]):
            where = f"entry {i} ({run['experiment']}), repetition {j + 1}"
            if not isinstance(one, dict) or not isinstance(one.get("result"), dict):
                return f"{where} has no result"
            if not isinstance(one.get("machine", {}), dict):
                return f"{where} has a malformed machine record"
            env = one["result"].get("env")
            if not isinstance(env, dict):
                return f'{where} has no environment ("env")'
            if missing := [key for key in ENV_KEYS if key not in env]:
                return f"{where} env lacks {', '.join(missing)}"
        if not all(isinstance(c, dict) and "claim" in c for c in run["claims"]):
            return f"entry {i} ({run['experiment']}) has a malformed claim"
    return None


def load(source: str) -> Published:
    """Read and check a results file from a path or a URL. Raises ResultsError."""
    text = read_source(source)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ResultsError(f"{source} is not valid JSON: {exc}") from exc
    if problem := _check(data):
        raise ResultsError(f"{source} is not a results file: {problem}")
    return Published(source, data)
