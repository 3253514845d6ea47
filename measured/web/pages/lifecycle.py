"""Ending things cleanly, on the pages that show it: shared-memory tracking
(docs/sharing.md), Queue.shutdown() (docs/synchronization.md, docs/asyncio.md).

The experiments run on every interpreter of the matrix (``matrix-verdicts``,
``matrix-outputs``). What needs Python 3.13+ is measured only where the build found
one; :func:`needs` says so, with the command that measures it, when it found none.
"""

from __future__ import annotations

from measured.claims import lifecycle
from measured.run import matrix, runner
from measured.run.interpreter import Interpreter
from measured.web import render

MINIMUM = (3, 13)  # SharedMemory(track=...) (gh-82300), Queue.shutdown() (gh-96471)


def _version(interpreter: Interpreter) -> tuple[int, int]:
    major, minor = interpreter.version.split(".")[:2]
    return int(major), int(minor)


def newest(found: matrix.Matrix | None = None) -> Interpreter | None:
    """The newest GIL-build interpreter with Python 3.13+, if the build found one."""
    found = found if found is not None else matrix.current()
    recent = found.interpreters(
        lambda i: _version(i) >= MINIMUM and not i.free_threaded_build
    )
    return recent[-1] if recent else None


def newest_run(experiment: str) -> runner.Run | None:
    """``experiment`` run on :func:`newest`, or None without a 3.13+."""
    python = newest()
    if python is None:
        return None
    return render.experiment(experiment, python=python.command)


def command(experiment: str) -> str:
    """The command that measures ``experiment`` on a Python 3.13."""
    return f".venv/bin/python -m measured run {experiment} --python python3.13"


def needs(experiment: str, found: matrix.Matrix | None = None) -> str:
    """A line saying the 3.13+ part was not measured, if no 3.13+ was found; else ""."""
    if newest(found) is not None:
        return ""
    label = ".".join(str(n) for n in MINIMUM)
    return (
        f"**Python {label}+: {lifecycle.NEEDS_313}.** This build found no Python "
        f"{label} or newer. On a machine that has one (`uv python install {label}`), "
        f"measure it with `{command(experiment)}`.\n"
    )
