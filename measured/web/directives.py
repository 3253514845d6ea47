"""One-line directives a page writes instead of code: the ``measured`` fence.

A page keeps its prose in Markdown and asks for measured pieces by name::

    ```measured
    verdicts cpu_bound processes_scale threads_do_not_scale_with_gil
    provenance cpu_bound
    ```

Each line is one directive, its name first, then its arguments:

- ``verdicts EXPERIMENT CLAIM ...``: a bullet per claim, with how it was reached
  or why this machine does not show it;
- ``output EXPERIMENT``: the script's real stdout (labelled when it is one run
  of several);
- ``provenance EXPERIMENT ...``: where and how each was measured;
- ``errata ENTRY ...``: the errata callout for these ledger entries;
- ``matrix-verdicts EXPERIMENT CLAIM ...`` and ``matrix-outputs EXPERIMENT``: the
  same across every interpreter the build found (measured/web/across.py);
- ``example NAME``: ``examples/NAME.py``, a small standard-library script, and
  the output it printed when the build ran it (measured/web/runnable.py);
- ``other-machines``: the "On other machines" tables of every experiment the
  page ran (measured/web/elsewhere.py); the hook appends it to experiment pages;
- ``show MODULE.FUNCTION [ARG ...]``: a table, chart or paragraph that page code
  in ``measured/web/pages/MODULE.py`` renders (Markdown or HTML, as a string).

The fence is a pymdownx.superfences custom fence (mkdocs.yml) run through
markdown-exec's own formatting, so its output is Markdown converted with the page's
extensions, and an error is reported, and fails a strict build, like an ``exec``
block's.
"""

from __future__ import annotations

import importlib
import shlex
from collections.abc import Callable
from typing import Any

from markdown_exec import ExecutionError, base_format

from measured import claims
from measured.web import across, elsewhere, errata, render, runnable

Directive = Callable[..., str]
DIRECTIVES: dict[str, Directive] = {}


def directive(name: str) -> Callable[[Directive], Directive]:
    def register(function: Directive) -> Directive:
        DIRECTIVES[name] = function
        return function

    return register


@directive("verdicts")
def verdicts(experiment: str, *names: str) -> str:
    run = render.experiment(experiment)
    return render.verdicts(run, *(claims.named(experiment, name) for name in names))


@directive("output")
def output(experiment: str) -> str:
    return render.output(render.experiment(experiment))


@directive("provenance")
def provenance(*experiments: str) -> str:
    return "".join(render.provenance(render.experiment(name)) for name in experiments)


@directive("errata")
def errata_callout(*entry_ids: str) -> str:
    return errata.callout(*entry_ids)


@directive("matrix-verdicts")
def matrix_verdicts(experiment: str, *names: str) -> str:
    checks = [claims.named(experiment, name) for name in names]
    return across.claim_lines(across.runs(experiment), *checks)


@directive("matrix-outputs")
def matrix_outputs(experiment: str) -> str:
    return across.outputs(across.runs(experiment))


@directive("example")
def example(name: str) -> str:
    return runnable.markdown(name)


@directive("other-machines")
def other_machines() -> str:
    return elsewhere.for_page()


@directive("show")
def show(target: str, *args: str) -> str:
    module, _, function = target.rpartition(".")
    page_code = importlib.import_module(f"measured.web.pages.{module}")
    return str(getattr(page_code, function)(*args))


def expand(source: str) -> str:
    """The Markdown (or HTML) of every directive line of a fence, in order."""
    parts = []
    for line in source.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, *args = shlex.split(line)
        if name not in DIRECTIVES:
            raise LookupError(
                f"unknown directive {name!r} (known: {', '.join(sorted(DIRECTIVES))})"
            )
        parts.append(DIRECTIVES[name](*args).rstrip("\n") + "\n")
    return "\n".join(parts)


def _run(code: str, **_: Any) -> str:
    try:
        return expand(code)
    except Exception as error:  # reported by markdown-exec; fails a strict build
        raise ExecutionError(f"{type(error).__name__}: {error}") from error


def fence(
    source: str,
    language: str,
    css_class: str,
    options: dict[str, Any],
    md: Any,
    **kwargs: Any,
) -> str:
    """The pymdownx.superfences formatter of the ``measured`` fence."""
    return base_format(language="measured", run=_run, code=source, md=md)
