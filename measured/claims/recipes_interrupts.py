"""Claims of the Ctrl-C and hung programs page (docs/recipes/interrupts.md).

recipe_ctrl_c sends a real SIGINT to the process group of six small programs
(a process pool, a thread pool and asyncio, each as written naively and with the
clean shutdown) and records what each did; recipe_deadlock reads faulthandler's
dump of a real deadlocked child. Every claim here is an observation (CHECKED):
behaviour seen once, with bounds far from what was seen.

The "python -m asyncio ps" part of the page reuses asyncio_stuck's claims
(measured/claims/asyncio_debugging.py).
"""

from __future__ import annotations

import re

from measured.claims.registry import (
    CHECKED,
    Claim,
    Evidence,
    claim,
    not_shown,
    observed,
)
from measured.run.shapes.recipes_interrupts import CtrlC, Deadlock, Variant

CTRL_C = "recipe_ctrl_c"
DEADLOCK = "recipe_deadlock"
# A clean shutdown must end the program within this long after Ctrl-C: a broad
# bound (the program's tasks take 50 ms; seen well under a quarter of it).
CLEAN_EXIT_SECONDS = 1.0
EXITED_ON_CTRL_C = 130  # what the clean variants return: the shell's 128 + SIGINT
KILLED_BY_SIGINT = -2  # subprocess's code for "ended by signal 2"


def _python(evidence: Evidence) -> str:
    return str(evidence.env["python"])


def _variants(evidence: Evidence) -> list[tuple[CtrlC, dict[str, list[Variant]]]]:
    """Every run's result, with its variants by name (the plain pool ran N times)."""
    out = []
    for single in evidence.single_runs():
        r = single.result_as(CtrlC)
        by_name: dict[str, list[Variant]] = {}
        for v in r["variants"]:
            by_name.setdefault(v["variant"], []).append(v)
        out.append((r, by_name))
    return out


def _seconds(v: Variant) -> str:
    return "hung" if v["exit_seconds"] is None else f"{v['exit_seconds']:.2f} s"


def _ran(v: Variant) -> int:
    return v["tasks_before"] + v["tasks_after"]


def _outcome(tasks: int, v: Variant) -> str:
    """How a plain pool's run ended: never "stopped" is the claim below."""
    if v["exit_seconds"] is None:
        return "hung"
    if _ran(v) == tasks:
        return "ran the queue"
    if v["worker_tracebacks"] > 0:  # a worker died, printing its own
        return "lost workers"
    return "stopped"


@claim(CTRL_C, kind=CHECKED)
def plain_pool_never_stops_cleanly(evidence: Evidence) -> Claim:
    """A pool in a plain with block never stops cleanly on Ctrl-C: it runs every
    queued task first, or (a process pool) hangs until it is killed, or loses
    workers that die printing tracebacks of their own."""
    seen = []
    holds = True
    for r, by_name in _variants(evidence):
        pools = by_name["pool"]
        outcomes = [_outcome(r["tasks"], v) for v in pools]
        tally = ", ".join(
            f"{outcomes.count(o)} {o}"
            for o in ("ran the queue", "hung", "lost workers", "stopped")
            if o in outcomes
        )
        seen.append(
            f"plain process pool, {len(pools)} runs side by side with "
            f"{r['tasks']} tasks each: {tally}"
        )
        thread = by_name["threads"][0]
        seen.append(
            f"thread pool: {_ran(thread)} of {r['tasks']} tasks ran, "
            f"{thread['tasks_after']} of them after Ctrl-C, exit {_seconds(thread)}"
        )
        # Which way a process pool goes depends on where the SIGINT finds each
        # worker (in a task, or between tasks), so the claim does not pick one:
        # it misses only on a run that dropped its queue and exited quietly.
        outcomes.append(_outcome(r["tasks"], thread))
        holds = holds and "stopped" not in outcomes
    detail = "; ".join(seen)
    if holds:
        return observed(
            True,
            f"On Python {_python(evidence)}, Ctrl-C never stopped a pool used in a "
            "plain `with` block cleanly: each run still ran every queued task "
            "before it exited, hung until it was killed, or lost workers that "
            f"printed tracebacks of their own ({detail}).",
            float(len(seen)),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, a pool in a plain `with` block DID stop "
        f"quietly on Ctrl-C without running the rest of its queue ({detail}).",
        float(len(seen)),
    )


@claim(CTRL_C, kind=CHECKED)
def clean_shutdown_drops_the_queue(evidence: Evidence) -> Claim:
    """Workers ignoring SIGINT + shutdown(cancel_futures=True): a quick, quiet exit."""
    seen = []
    holds = True
    for r, by_name in _variants(evidence):
        for name in ("pool_clean", "threads_clean"):
            v = by_name[name][0]
            ran = v["tasks_before"] + v["tasks_after"]
            seen.append(
                f"{name}: exit {_seconds(v)}, status {v['returncode']}, "
                f"{v['tracebacks']} tracebacks, {r['tasks'] - ran} of {r['tasks']} "
                "tasks never ran"
            )
            quick = v["exit_seconds"] is not None
            quick = quick and v["exit_seconds"] <= CLEAN_EXIT_SECONDS
            holds = holds and quick and v["tracebacks"] == 0 and ran < r["tasks"]
            holds = holds and v["returncode"] == EXITED_ON_CTRL_C
    detail = "; ".join(seen)
    bound = f"within {CLEAN_EXIT_SECONDS:g} s"
    if holds:
        return observed(
            True,
            f"On Python {_python(evidence)}, with workers ignoring SIGINT and "
            f"`shutdown(cancel_futures=True)` on `KeyboardInterrupt`, both pools "
            f"exited {bound} of Ctrl-C, printed no traceback and dropped the "
            f"queued tasks ({detail}).",
            float(len(seen)),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, the clean shutdown did NOT give a quiet "
        f"exit {bound} that dropped the queue ({detail}).",
        float(len(seen)),
    )


@claim(CTRL_C, kind=CHECKED)
def asyncio_run_cancels_every_task(evidence: Evidence) -> Claim:
    """asyncio.run turns Ctrl-C into cancellation: every task's finally runs."""
    seen = []
    holds = True
    for _, by_name in _variants(evidence):
        for name in ("asyncio", "asyncio_clean"):
            v = by_name[name][0]
            seen.append(
                f"{name}: {v['cleanups']} `finally` blocks ran, exit {_seconds(v)}, "
                f"status {v['returncode']}, {v['tracebacks']} tracebacks"
            )
            holds = holds and v["cleanups"] >= 2 and v["exit_seconds"] is not None
        plain, caught = by_name["asyncio"][0], by_name["asyncio_clean"][0]
        holds = holds and plain["returncode"] == KILLED_BY_SIGINT
        holds = holds and caught["returncode"] == EXITED_ON_CTRL_C
        holds = holds and caught["tracebacks"] == 0
    detail = "; ".join(seen)
    if holds:
        return observed(
            True,
            f"On Python {_python(evidence)}, `asyncio.run` turned Ctrl-C into "
            "cancellation: every sleeping task's `finally` block ran, then "
            "`KeyboardInterrupt` came out of `asyncio.run` (caught, the program "
            f"exited quietly with status 130) ({detail}).",
            float(len(seen)),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, Ctrl-C did NOT cancel every asyncio task "
        f"and then raise `KeyboardInterrupt` from `asyncio.run` ({detail}).",
        float(len(seen)),
    )


@claim(CTRL_C, kind=CHECKED)
def nothing_left_after_ctrl_c(evidence: Evidence) -> Claim:
    """Every program that exits on Ctrl-C leaves no process behind, and the clean
    ones always exit. (A plain pool that hung is the first claim's business.)"""
    left, count = [], 0
    for _, by_name in _variants(evidence):
        for name, runs in by_name.items():
            for v in runs:
                must_exit = name.endswith("_clean")
                if v["exit_seconds"] is None and not must_exit:
                    continue
                count += 1
                if v["exit_seconds"] is None or v["left_seconds"] is None:
                    left.append(name)
    if not left:
        return observed(
            True,
            f"On Python {_python(evidence)}, each of the {count} programs that "
            "exited on Ctrl-C (every clean one among them) left no process of its "
            "group behind, pool workers included.",
            0.0,
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, after Ctrl-C some programs that should "
        f"have ended left processes running or hung: {', '.join(left)}.",
        float(len(left)),
    )


# ---- recipe_deadlock -----------------------------------------------------------


def newest_frames(dump: str) -> list[tuple[str, int, str]]:
    """Per thread of a faulthandler dump, its newest frame: (file, line, function)."""
    frames = []
    for block in re.split(r"\n\s*\n", dump):
        found = re.search(r'File "([^"]+)", line (\d+) in (\S+)', block)
        if found and ("Thread 0x" in block or "Current thread" in block):
            frames.append((found.group(1), int(found.group(2)), found.group(3)))
    return frames


@claim(DEADLOCK, kind=CHECKED)
def dump_shows_both_threads_waiting(evidence: Evidence) -> Claim:
    """The dump shows each deadlocked thread at the line taking its second lock."""
    r = evidence.result_as(Deadlock)
    tops = {(line, function) for _, line, function in newest_frames(r["dump"])}
    wanted = sorted((line, fn) for fn, line in r["second_lock_lines"].items())
    at = ", ".join(f"`{fn}` line {line}" for line, fn in wanted)
    holds = r["ready"] and len(wanted) == 2 and all(w in tops for w in wanted)
    if holds:
        return observed(
            True,
            f"On Python {_python(evidence)}, faulthandler's dump of the deadlocked "
            f"child (it ended itself after {r['dump_after']:g} s, exit status "
            f"{r['returncode']}) showed both threads stopped at the line that takes "
            f"their second lock ({at}).",
            float(len(wanted)),
        )
    found = ", ".join(f"`{fn}` line {line}" for line, fn in sorted(tops)) or "none"
    return observed(
        False,
        f"On Python {_python(evidence)}, faulthandler's dump did NOT show both "
        f"threads at the line taking their second lock ({at}); newest frames: "
        f"{found}.",
        float(sum(w in tops for w in wanted)),
    )


@claim(DEADLOCK, kind=CHECKED)
def py_spy_shows_the_deadlock(evidence: Evidence) -> Claim:
    """py-spy dump, from outside, shows both threads in the functions that wait."""
    r = evidence.result_as(Deadlock)
    statement = (
        "`py-spy dump --pid PID` shows, from outside, both deadlocked threads in "
        "the functions that wait for their second lock."
    )
    spy = r["py_spy"]
    if spy is None:
        return not_shown(
            statement,
            "py-spy is not installed on this machine, not measured here "
            "(`pip install py-spy`, then run the script)",
        )
    names = list(r["second_lock_lines"])
    missing = [name for name in names if name not in spy["stdout"]]
    if spy["returncode"] == 0 and not missing:
        return observed(
            True,
            f"On Python {_python(evidence)}, `py-spy dump --pid PID` showed both "
            f"deadlocked threads from outside, in {', '.join(names)}.",
            float(len(names)),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, `py-spy dump --pid PID` did NOT show both "
        f"deadlocked threads (exit status {spy['returncode']}; missing: "
        f"{', '.join(missing) or 'nothing'}).",
        float(len(names) - len(missing)),
    )
