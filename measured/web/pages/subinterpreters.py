"""docs/subinterpreters.md: interpreters with their own GIL, in one process; and
the three executors side by side, which docs/futures.md shows too.

Every piece reads the one run of ``subinterpreters`` this build can make: on
Python 3.14+, else on a 3.13 with the backport (across.subinterpreter_python), else
on this build's interpreter, where the script says why it measured nothing and
every piece says "needs Python 3.14+, not measured here" with the command that
measures it (across.needs).
"""

from __future__ import annotations

from measured.claims import Evidence, executors, modern
from measured.run import runner, stats
from measured.run.errors import as_message
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
    checks = [getattr(modern, name, None) or getattr(executors, name) for name in names]
    run = _run()

    # Verdicts that held in every run lead; a marginal one says so visibly.
    lines = []
    for check in render.replicated_first(run, *checks):
        note = render.marginal_note(run, check)
        lines.append(across.claim_lines([run], check).rstrip("\n"))
        lines += [f"  <br>{note}"] if note else []
    return "\n".join(lines) + "\n"


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
        # The other interpreter wrote 42 through the view.
        verdict = (
            "the bytes are shared, as documented for 3.14"
            if buffer["seen_here"] == 42
            else "the bytes were NOT shared"
        )
        lines.append(
            "- A `memoryview` handed to another interpreter with `prepare_main`: "
            "that interpreter wrote 42 through it, and this one read "
            f"{buffer['seen_here']} there: {verdict}."
        )
    elif buffer:
        lines.append(
            "- A `memoryview` handed to another interpreter with `prepare_main` "
            f"was refused here: `{buffer['error']}`; sharing its bytes was not "
            "observed."
        )
    process = r.get("process_wide")
    if process:
        shared = {
            "the working directory (`os.chdir` there moved this one)": process[
                "cwd_shared"
            ],
            "a pipe this one opened (it wrote to it by descriptor number)": process[
                "fd_shared"
            ],
        }
        for what, seen in shared.items():
            verb = "shared" if seen else "did NOT share"
            lines.append(f"- Another interpreter {verb} {what}.")
        refused = as_message(process["signal_error"]) or ("nothing: it was allowed")
        lines.append(f"- Setting a signal handler there raised {refused}.")
    legacy = r["legacy_import"]
    lines.append(
        f"- Importing `_testsinglephase` in a subinterpreter raised "
        f"{legacy['error_type']} with the message “{legacy['message']}”."
    )
    return "\n".join(lines) + "\n"


# --- the three executors (also on docs/futures.md) ---------------------------------

MEASURES = {
    "start": "Starting a pool and shutting it down",
    "tiny": "Tiny tasks (throughput cost per task)",
    "cpu": "The CPU-bound work",
}


def _size(count: int | None) -> str:
    if count is None:
        return "n/a"
    if abs(count) < 2**20:
        return f"{count / 2**10:.0f} KiB"
    return f"{count / 2**20:.1f} MiB"


def how_measured(r: Subinterpreters, python: str) -> str:
    """Which Python and which InterpreterPoolExecutor measured the table."""
    if r["source"] == "concurrent":
        how = "`concurrent.futures.InterpreterPoolExecutor` (standard library)"
    else:
        how = (
            f"InterpreterPoolExecutor from the `{r['source']}` package, the "
            "backport of the 3.14 module"
        )
    return (
        f"Measured on Python {python} with {how}; the process pool started its "
        f"workers with `{r['process_start_method']}`, the default there."
    )


def memory_note(r: Subinterpreters) -> str:
    """How the memory column was measured: two methods, not like-for-like."""
    method = r["process_start_method"]
    return (
        "Memory is measured two ways. For `ProcessPoolExecutor`: each worker's "
        "private pages (`Private_*` in `/proc/PID/smaps_rollup`), which under "
        f"`{method}` (this run's start method) leave out pages a worker still "
        "shares with its parent; a different start method (`forkserver` is the "
        "default on Linux from 3.14) gives a different figure. For the thread and "
        "interpreter pools: the growth of this process's resident size. Compare "
        "threads with interpreters; the process figure is not on the same scale."
    )


def three_executors() -> str:
    """The three executors on the same work, who won each measure, provenance."""
    run = _run()
    evidence = render.evidence(run)
    return executors_text(evidence) + "\n" + render.provenance(run)


def executors_text(evidence: Evidence) -> str:
    """The three executors on the same work: memory, start-up, a tiny task, the
    CPU work; then who won each, from the intervals. Or why it was not measured."""
    r = evidence.result_as(Subinterpreters)
    if not r["available"]:
        needs = across.needs(across.SUBINTERPRETERS_SINCE, EXPERIMENT, inline=True)
        return f"`InterpreterPoolExecutor` {needs}.\n"
    table = executors.pools_table(evidence)
    memory = executors.memory(evidence)
    workers = r["headline_workers"]
    serial = evidence.timing("cpu", "serial").estimate
    rows = [["serial loop", "", "", "", f"{serial:.3f} s", "1.00×"]]
    for kind in executors.POOLS:
        row = table[kind]
        added = memory[kind]
        rows.append(
            [
                f"`{executors.NAMES[kind]}`",
                _size(None if added is None else added // workers),
                f"{row['start'].estimate * 1e3:.1f} ms",
                f"{row['tiny'].estimate * 1e6:.0f} µs",
                f"{row['cpu'].estimate:.3f} s",
                row["speedup"].text(),
            ]
        )
    hold = r.get("start_hold_seconds")
    start = (
        f"start + shut down (each worker sleeps {hold * 1e3:g} ms)"
        if hold is not None
        else "start + shut down (one small CPU task per worker)"
    )
    header = [
        f"{workers} workers each",
        "memory added per worker",
        start,
        "per tiny task (throughput)",
        f"{r['tasks']} tasks of {r['size']:,} iterations",
        f"speedup [{stats.interval_label()}]",
    ]
    return "\n".join(
        [
            how_measured(r, evidence.env["python"]),
            "",
            render.table(header, "|---|--:|--:|--:|--:|--:|", rows),
            "",
            memory_note(r),
            "",
            wins(evidence),
        ]
    )


def wins(evidence: Evidence) -> str:
    """Who won each measure: the fastest, and whether its interval beat the next."""
    lines = []
    for winner in executors.winners(evidence):
        best, other = executors.NAMES[winner.best], executors.NAMES[winner.next]
        by = winner.by
        if winner.decided:
            verdict = (
                f"`{best}` won, {by.estimate:.2f}× ahead of `{other}` "
                f"(interval {by.low:.2f}–{by.high:.2f}×)"
            )
        else:
            verdict = (
                f"no difference shown between `{best}` and `{other}` "
                f"(interval of their ratio {by.low:.2f}–{by.high:.2f}×, includes 1)"
            )
        lines.append(f"- {MEASURES[winner.measure]}: {verdict}.")
    # Threads and interpreters are measured one way (this process's growth);
    # processes another (their private pages): rank only like with like.
    memory = executors.memory(evidence)
    alike = {k: memory[k] for k in ("threads", "interpreters")}
    if None not in alike.values():
        least, most = sorted(alike, key=lambda k: alike[k] or 0)
        workers = evidence.result_as(Subinterpreters)["headline_workers"]
        lines.append(
            f"- Memory, threads against interpreters (measured the same way): "
            f"`{executors.NAMES[least]}` added {_size(alike[least])} for {workers} "
            f"workers, `{executors.NAMES[most]}` {_size(alike[most])}."
        )
    return "\n".join(lines) + "\n"


def against_processes() -> str:
    """Interpreter pool against process pool, per measure, from the same rounds:
    faster, slower, or no difference shown (the interval includes 1)."""
    return against_processes_text(render.evidence(_run()))


def against_processes_text(evidence: Evidence) -> str:
    """:func:`against_processes` on given evidence (or why it was not measured)."""
    r = evidence.result_as(Subinterpreters)
    if not r["available"]:
        needs = across.needs(across.SUBINTERPRETERS_SINCE, EXPERIMENT, inline=True)
        return f"`InterpreterPoolExecutor` {needs}.\n"
    lines = []
    for measure, by in executors.interpreters_over_processes(evidence).items():
        span = f"{by.low:.2f}–{by.high:.2f}×"
        if by.high < 1.0:
            verdict = f"interpreters faster: {by.estimate:.2f}× the time ({span})"
        elif by.low > 1.0:
            verdict = f"processes faster: interpreters took {by.estimate:.2f}× ({span})"
        else:
            verdict = f"no difference shown ({span}, includes 1)"
        lines.append(f"- {MEASURES[measure]}: {verdict}.")
    return (
        "Interpreter pool against process pool (processes started with "
        f"`{r['process_start_method']}`), paired round by round:\n\n"
        + "\n".join(lines)
        + "\n"
    )
