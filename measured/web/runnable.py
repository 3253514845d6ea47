"""Small runnable examples: a script's source and its real output, side by side.

``example NAME`` in a page's ``measured`` fence shows ``examples/NAME.py``, a
standard-library script a reader can paste into a file and run, then what it
printed when the build ran it (measured.run.runner.run_example: a fresh
interpreter, its own process group, a timeout, cached by content). A failing
example fails the build like a failing experiment: the hook names the page, the
script and the end of its stderr.

After the build, ``examples.json`` at the root of the site holds every example's
captured output, for tests/test_examples.py to check what the pages show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from measured.run import project, runner
from measured.web import render

FILENAME = "examples.json"


def script(name: str) -> Path:
    """``examples/NAME.py`` of this project (NAME without ``.py``)."""
    return project.examples_dir() / f"{name.removesuffix('.py')}.py"


def run(name: str) -> runner.Run:
    """The example's run for the current page; a failure is kept for the hook."""
    try:
        return runner.run_example(script(name), page=render.current_page)
    except runner.ExperimentFailed as failure:
        render.failures.append(failure)
        raise


def markdown(name: str) -> str:
    """The script as a titled code block, then its captured stdout."""
    outcome = run(name)
    path = script(name)
    title = f"examples/{path.name}"
    output = outcome.stdout.rstrip() or "(the script printed nothing)"
    label = f"Output (Python {outcome.interpreter.version}, captured by the build)"
    return (
        render.code(path.read_text(), f'python title="{title}"')
        + "\n"
        + render.code(output, f'text title="{label}"')
    )


def document(runs: list[runner.Run]) -> dict[str, Any]:
    """What examples.json holds: each example's output and how it was captured."""
    return {
        "examples": [
            {
                "name": run.name,
                "script": f"examples/{run.script.name}",
                "pages": list(run.pages),
                "python": run.interpreter.version,
                "stdout": run.stdout,
                "stderr": run.stderr,
                "seconds": run.seconds,
                "cached": run.cached,
            }
            for run in runs
        ]
    }


def write(site_dir: Path, runs: list[runner.Run]) -> Path:
    path = site_dir / FILENAME
    path.write_text(json.dumps(document(runs), indent=2))
    return path
