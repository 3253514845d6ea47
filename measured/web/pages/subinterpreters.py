"""docs/subinterpreters.md: interpreters with their own GIL, in one process.

Every piece reads the one run of ``subinterpreters`` this build can make: on
Python 3.14+, else on a 3.13 with the backport (across.subinterpreter_python), else
on this build's interpreter, where the script says why it measured nothing and
every piece says "needs Python 3.14+, not measured here" with the command that
measures it (across.needs).
"""

from __future__ import annotations

from measured.claims import modern
from measured.run import runner, stats
from measured.run.shapes.modern import Subinterpreters
from measured.web import across, render

EXPERIMENT = "subinterpreters"


def _run() -> runner.Run:
    python, _ = across.subinterpreter_python()
    return render.experiment(EXPERIMENT, python=python.command if python else None)


def _not_measured() -> str:
    return across.needs(across.SUBINTERPRETERS_SINCE, EXPERIMENT)


def verdicts(*names: str) -> str:
    """Each named claim of subinterpreters, on the interpreter that ran it."""
    return across.claim_lines([_run()], *(getattr(modern, name) for name in names))


def where() -> str:
    """Which interpreter measured this page and how it got the API, or why none."""
    python, how = across.subinterpreter_python()
    if python is None:
        return _not_measured() + f"\nHere: {how}.\n"
    return f"Measured on Python {python.version} with {how}.\n"


def provenance() -> str:
    """Where and how the run of this page was measured."""
    return render.provenance(_run())


def output() -> str:
    """The script's real output, then its provenance."""
    run = _run()
    return render.output(run) + "\n" + render.provenance(run)


def tables() -> str:
    """Start costs (interpreter against thread), then the pool's speedup."""
    run = _run()
    r = render.result(run, Subinterpreters)
    if not r["available"]:
        return _not_measured()
    table = modern.subinterpreters_table(render.evidence(run))
    interval = stats.interval_label()
    sizes = r["starts_per_batch"]
    lines = [
        f"| create + close one | per start [{interval}] | timed in batches of |",
        "|---|--:|--:|",
    ]
    for kind, each in table["starts"].items():
        lines.append(
            f"| {kind} | {each.estimate * 1e3:.3f} ms "
            f"[{each.low * 1e3:.3f}–{each.high * 1e3:.3f}] | {sizes[kind]} |"
        )
    lines += [
        "",
        f"An interpreter took {table['interpreter over thread'].text()} as long as "
        "a thread, start to close, paired round by round.",
        "",
        f"| {r['tasks']} tasks of {r['size']:,} iterations | median time "
        f"| speedup [{interval}] |",
        "|---|--:|--:|",
        f"| serial | {table['serial'].estimate:.3f} s | 1.00× |",
        f"| {r['headline_workers']} interpreters | "
        f"{table['interpreters'].estimate:.3f} s | {table['speedup'].text()} |",
        "",
        render.provenance(run),
    ]
    return "\n".join(lines)


def limits() -> str:
    """What crossed between interpreters as it was, what did not, and the legacy
    extension's refusal, as the script observed them."""
    r = render.result(_run(), Subinterpreters)
    if not r["available"]:
        return _not_measured()
    shared = [k for k, v in r["shareable"].items() if v]
    copied = [k for k, v in r["shareable"].items() if not v]
    lines = [
        f"- Shareable as they are: {', '.join(shared)}.",
        f"- Not shareable (pickled or refused): {', '.join(copied)}.",
    ]
    buffer = r.get("shared_buffer")
    if buffer and buffer["passed"]:
        lines.append(
            "- A `memoryview` handed to another interpreter with `prepare_main`: "
            "that interpreter wrote a byte through it, and this one read "
            f"{buffer['seen_here']} there: the bytes are shared."
        )
    elif buffer:
        lines.append(
            "- A `memoryview` handed to another interpreter with `prepare_main` "
            f"was refused by `{r['source']}` here: `{buffer['error']}`."
        )
    legacy = r["legacy_import"]
    lines.append(
        f"- Importing `_testsinglephase` in a subinterpreter raised "
        f"{legacy['error_type']} with the message “{legacy['message']}”."
    )
    return "\n".join(lines) + "\n"
