"""docs/start-methods.md: fork, spawn and forkserver on every interpreter found."""

from __future__ import annotations

import ast
import textwrap

from measured.claims import modern, part1
from measured.run import project, stats
from measured.run.shapes.modern import StartMethods
from measured.web import across, charts_matrix, render

EXPERIMENT = "start_methods"
# `show PAGE.missing "what" LABEL…`: a line per interpreter this build lacks.
missing = across.missing


def defaults() -> str:
    """Each interpreter's default start method: reported, and as a child behaved."""
    lines = [
        "| Python | `get_start_method()` | the default child behaved as "
        "| methods offered |",
        "|---|---|---|---|",
    ]
    for run in across.runs(EXPERIMENT):
        r = render.result(run, StartMethods)
        methods = ", ".join(f"`{m}`" for m in r["methods"])
        lines.append(
            f"| {across.label(run)} | `{r['default']}` | "
            f"`{modern.behaved_as(r)}` | {methods} |"
        )
    return "\n".join(lines) + "\n"


def children() -> str:
    """How a default child shows its start method, with forkserver worded for
    each interpreter of this build (it preloads the main module from 3.13.8 and
    3.14.1)."""
    pythons = list(
        dict.fromkeys(
            render.evidence(run).env["python"] for run in across.runs(EXPERIMENT)
        )
    )
    preload = [p for p in pythons if part1.forkserver_preloads_main(p)]
    again = [p for p in pythons if not part1.forkserver_preloads_main(p)]
    # Worded from the version (documented), not observed: from inside, a child
    # cannot tell a preloaded __main__ from its own import.
    documented = []
    if again:
        documented.append(
            "on Python " + ", ".join(again) + " a forkserver child imports it too"
        )
    if preload:
        documented.append(
            "on Python "
            + ", ".join(preload)
            + " the fork server imports it once and the child is a fork of the server"
        )
    return (
        "A forked child inherits what its parent set at run time. A spawned child "
        "imports the script afresh; as documented for the interpreters of this "
        "build, " + "; ".join(documented) + " (before Python 3.13.8 and 3.14.1 "
        "every forkserver child imported it; from those releases, for a script run "
        "from a file, the server imports it once). Either way a forkserver child "
        "sees the script as freshly imported, not as the script's process ran it, "
        "and its parent is the fork server, not the script.\n"
    )


def reimport() -> str:
    """Which children run the main script's top-level code again, worded for the
    measured Python."""
    python = render.evidence(render.experiment(EXPERIMENT)).env["python"]
    return part1.main_reimport_sentence(python) + "\n"


def setup() -> str:
    """How the starts were timed: rounds, and processes per batch for each method."""
    r = render.result(across.runs(EXPERIMENT)[0], StartMethods)
    return (
        f"{r['starts']['rounds']} timed rounds per run; "
        + ", ".join(f"`{m}` {n} at a time" for m, n in r["starts_per_batch"].items())
        + ".\n"
    )


def chart() -> str:
    """Milliseconds to start and join one process, per method and interpreter."""
    runs = across.runs(EXPERIMENT)
    methods = list(render.result(runs[0], StartMethods)["starts_per_batch"])
    labels = [across.label(run) for run in runs]
    costs = [modern.start_costs(render.evidence(run)) for run in runs]
    series = {m: [cost[m].estimate * 1e3 for cost in costs] for m in methods}
    spans = {
        m: [(cost[m].low * 1e3, cost[m].high * 1e3) for cost in costs] for m in methods
    }
    alt = "Milliseconds to start and join one process: " + "; ".join(
        f"{name}: " + ", ".join(f"{m} {cost[m].estimate * 1e3:.1f}" for m in methods)
        for name, cost in zip(labels, costs, strict=True)
    )
    svg = charts_matrix.grouped_bars(
        labels,
        series,
        ylabel="ms per process (log scale)",
        alt=alt,
        salt="starts",
        log=True,
        fmt="%.1f",
        spans=spans,
    )
    # Said under the chart, not only in its accessible name: the versions were
    # not paired, and the spawn figure is this script's (its imports).
    note = (
        " Each version ran separately, not in paired rounds: compare methods "
        "within a version. A spawn child imports this experiment's script again, "
        "so its imports set the spawn figure (Startup cost times another script)."
    )
    shown = render.figure(svg, alt + f". Error bars: {stats.interval_label(True)}.")
    return shown.replace("</figcaption>", note + "</figcaption>", 1)


def fork_warnings() -> str:
    """What a script that forked with a second thread running printed, per
    interpreter, with the default warning filters and with ``-W default``."""
    lines = []
    for run in across.runs(EXPERIMENT):
        printed = render.result(run, StartMethods)["fork_warnings"]
        if not printed:
            lines.append(f"- **Python {across.label(run)}**: no fork on this platform")
            continue
        shown = "; ".join(
            f"with {name}: {'; '.join(warnings) or 'no warning'}"
            for name, warnings in printed.items()
        )
        lines.append(f"- **Python {across.label(run)}**: {shown}")
    return "\n".join(lines) + "\n"


def unguarded_script() -> str:
    """The script without a ``__main__`` guard, read from the experiment itself so
    the two cannot drift."""
    tree = ast.parse((project.snippets_dir() / "start_methods.py").read_text())
    source = next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "UNGUARDED"
        and isinstance(node.value, ast.Constant)
    )
    return across.fenced(textwrap.dedent(source), "python")


def guard() -> str:
    """What the script did without the guard, and with it."""
    r = render.result(render.experiment(EXPERIMENT), StartMethods)
    unguarded, guarded = r["unguarded"], r["guarded"]
    return (
        f"The child raised `{unguarded['error_type']}`, with this message:\n\n"
        + across.fenced(unguarded["message"])
        + f"\nThe parent printed: `{'; '.join(unguarded['stdout'])}`.\n\n"
        'With the last four lines under `if __name__ == "__main__":`, the same '
        f"script printed: `{'; '.join(guarded['stdout'])}`.\n"
    )
