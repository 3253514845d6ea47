"""docs/futures.md, the sections on stopping, feeding and recycling workers.

Every piece reads the one run of ``futures_lifecycle`` on the interpreter that
built the page. A part that interpreter lacks (3.14+) is not measured: the page
says so, names the interpreter, and gives the command that measures it.
"""

from __future__ import annotations

from measured.run.shapes.coordination import FuturesLifecycle, RecyclePart
from measured.web import render

EXPERIMENT = "futures_lifecycle"
SCRIPT = f"snippets/{EXPERIMENT}.py"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])


def measure_it(version: str) -> str:
    """For a run older than ``version``: what was not measured, and how to.

    Empty when the run's interpreter is ``version`` or newer (its parts ran).
    """
    run = render.experiment(EXPERIMENT)
    measured = render.result(run, FuturesLifecycle)["env"]["python"]
    if _version(measured) >= _version(version):
        return ""
    label = ".".join(version.split(".")[:2])
    return (
        f"*Needs Python {label}+, not measured here: this page was built with "
        f"Python {measured}.* Measure it with `python{label} {SCRIPT}` from a "
        f"clone, or `python -m measured reproduce --only {EXPERIMENT} --python "
        f"python{label}`.\n"
    )


def pids() -> str:
    """The worker PID of each task under max_tasks_per_child, as a table."""
    r: RecyclePart = render.result(render.experiment(EXPERIMENT), FuturesLifecycle)[
        "recycle"
    ]
    first_seen: dict[int, int] = {}
    for pid in r["pids"]:
        first_seen.setdefault(pid, len(first_seen) + 1)
    rows = [
        (task, pid, f"worker {first_seen[pid]}")
        for task, pid in enumerate(r["pids"], 1)
    ]
    return render.table(
        ("task", "worker PID", "which worker"),
        "|--:|--:|---|",
        rows,
        [
            f"`max_tasks_per_child={r['per_child']}` on a one-worker pool: "
            f"{len(first_seen)} worker processes ran the {r['tasks']} tasks."
        ],
    )
