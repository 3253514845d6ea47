"""Ending things cleanly, on the pages that show it: shared-memory tracking
(docs/sharing.md), Queue.shutdown() (docs/synchronization.md, docs/asyncio.md).

The experiments run on every interpreter of the matrix (``matrix-verdicts``,
``matrix-outputs``). What needs Python 3.13+ is measured only where the build found
one; :func:`needs` says so, with the command that measures it, when it found none.
"""

from __future__ import annotations

from measured.run import matrix, runner
from measured.run.interpreter import Interpreter
from measured.web import across, render

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


def needs(experiment: str, found: matrix.Matrix | None = None) -> str:
    """The site's one "needs Python 3.13+, not measured here" line, with the command
    that measures it, if the build found no 3.13+; else ""."""
    if newest(found) is not None:
        return ""
    return across.needs(".".join(str(n) for n in MINIMUM), experiment)


def tracker_warnings(experiment: str = "shm_tracking") -> str:
    """The resource tracker's leak warning as each measured interpreter printed it
    (for a forgotten segment), rendered from the results, never typed."""
    blocks = []
    for run in across.runs(experiment):
        case = render.evidence(run).result.get("forgotten") or {}
        if case.get("warning"):
            blocks.append(
                f"Python {across.label(run)}:\n\n{render.code(case['warning'])}"
            )
    if not blocks:
        return "No measured run printed a leak warning.\n"
    return "\n".join(blocks)
