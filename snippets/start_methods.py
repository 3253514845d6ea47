"""Start methods: what fork, spawn and forkserver cost, and what they warn about.

Times starting and joining processes with each start method this platform offers
(each round times every method once, in a new random order); starts one process
with the default settings and watches what it inherited, to see which method the
default really is; runs a tiny script that forks while a second thread runs, once
with the default warning filters and once with ``-W default``, and records the
warnings each run printed (Python 3.12+ raises a DeprecationWarning, which the
default filters hide); and runs a tiny script that starts a spawn process without
the ``if __name__ == "__main__":`` guard, then the same script with it.

    python3.13 snippets/start_methods.py
"""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.modern import DefaultStart, GuardDemo, StartMethods

TIMEOUT = 90  # seconds
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("starts: spawn / fork",)
# Starts per timing, so that each timing lasts tens of milliseconds: fork takes a
# few milliseconds, forkserver and spawn tens.
STARTS_PER_BATCH = {"fork": 20, "forkserver": 2, "spawn": 1}
CHILD_TIMEOUT = 30  # seconds for each guard demo script
# What a child sees here tells how it was started: a forked child inherits the
# value main() sets at run time; a spawned or forkserver child imports this file
# afresh and sees the value below.
STATE = {"marker": "as imported"}
RUN_TIME_MARKER = "set at run time in the parent"

# The same four lines, without and with the main guard.
UNGUARDED = """\
    import multiprocessing

    def work():
        print("the child ran")

    process = multiprocessing.get_context("spawn").Process(target=work)
    process.start()
    process.join()
    print("child exit code", process.exitcode)
"""
GUARDED = """\
    import multiprocessing

    def work():
        print("the child ran")

    if __name__ == "__main__":
        process = multiprocessing.get_context("spawn").Process(target=work)
        process.start()
        process.join()
        print("child exit code", process.exitcode)
"""
BOOTSTRAP_MARK = "bootstrapping phase"
# Forking while a second thread runs, as a user's script would.
FORK_WITH_A_THREAD = """\
    import multiprocessing
    import threading

    def work():
        pass

    if __name__ == "__main__":
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        process = multiprocessing.get_context("fork").Process(target=work)
        process.start()
        process.join()
        stop.set()
        thread.join()
        print("child exit code", process.exitcode)
"""
# Warning filters to run it under: none (the interpreter's defaults), and -W default.
WARNING_OPTIONS = {"default filters": [], "-W default": ["-W", "default"]}
# A warning as Python prints it: "path:line: Category: message".
WARNING_LINE = re.compile(r"^.+:\d+: (\w+(?:Warning|Error)): (.*)$")


def noop() -> None:
    """The child does nothing: we time its start and join."""


def start_and_join(method: str, count: int = 1) -> None:
    for _ in range(count):
        process = multiprocessing.get_context(method).Process(target=noop)
        process.start()
        process.join()


def report(conn: multiprocessing.connection.Connection) -> None:
    """In the child: who its parent is, and what it inherited."""
    conn.send({"ppid": os.getppid(), "marker": STATE["marker"]})
    conn.close()


def default_start() -> DefaultStart:
    """Start one process with the default settings; record what it saw."""
    STATE["marker"] = RUN_TIME_MARKER
    receiver, sender = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=report, args=(sender,))
    process.start()
    seen = receiver.recv()
    process.join()
    return {
        "parent_pid": os.getpid(),
        "child_ppid": seen["ppid"],
        "marker": seen["marker"],
    }


def run_script(source: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``source`` as a user's script: a new interpreter, ``options`` first, and
    no warning settings from this environment (PYTHONWARNINGS, PYTHONDEVMODE)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONWARNINGS", "PYTHONDEVMODE")
    }
    with tempfile.TemporaryDirectory(prefix="demo-") as folder:
        script = Path(folder) / "demo.py"
        script.write_text(textwrap.dedent(source))
        return subprocess.run(
            [sys.executable, *options, str(script)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
            env=env,
        )


def fork_with_a_thread() -> dict[str, list[str]]:
    """The warnings a script that forks beside a running thread printed, as
    "Category: message", under each set of warning filters."""
    printed = {}
    for name, options in WARNING_OPTIONS.items():
        proc = run_script(FORK_WITH_A_THREAD, *options)
        if proc.returncode != 0:
            raise RuntimeError(f"the fork demo failed ({name}): {proc.stderr}")
        found = (WARNING_LINE.match(line) for line in proc.stderr.splitlines())
        printed[name] = [f"{m[1]}: {m[2]}" for m in found if m]
    return printed


def guard_demo(source: str) -> GuardDemo:
    proc = run_script(source)
    lines = proc.stderr.rstrip().splitlines()
    # The child's last exception: the RuntimeError line and the message under it.
    starts = [i for i, line in enumerate(lines) if line.startswith("RuntimeError")]
    error_type, message = "", ""
    if starts:
        head, *body = lines[starts[-1] :]
        error_type, _, first = head.partition(":")
        message = textwrap.dedent("\n".join([first.strip(), *body])).strip()
    return {
        "returncode": proc.returncode,
        "stdout": proc.stdout.strip().splitlines(),
        "error_type": error_type,
        "message": message,
        "bootstrapping": BOOTSTRAP_MARK in message,
    }


def main() -> None:
    if multiprocessing.get_start_method(allow_none=True) is not None:
        # One start method imposed on a whole run (measure.apply_start_method) is
        # not Python's default, which this experiment is about: drop it here.
        multiprocessing.set_start_method(None, force=True)
    methods = multiprocessing.get_all_start_methods()
    default = multiprocessing.get_start_method()
    # fork first: the baseline the others are compared with.
    timed = sorted(methods, key=lambda m: m != "fork")
    per_batch = {m: STARTS_PER_BATCH.get(m, 1) for m in timed}
    starts = measure.time_rounds(
        {m: (lambda m=m: start_and_join(m, per_batch[m])) for m in timed},
        rounds=ROUNDS,
    )
    observed = default_start()
    fork_warnings = fork_with_a_thread() if "fork" in methods else {}
    unguarded = guard_demo(UNGUARDED)
    guarded = guard_demo(GUARDED)

    print(f"Python {sys.version.split()[0]} on {sys.platform}: default {default}")
    for method in timed:
        each = starts.timing(method)
        count = per_batch[method]
        print(
            f"start + join one process, {method:<10} "
            f"{each.estimate / count * 1e3:7.1f} ms"
            f"  ({count} per timing, {ROUNDS} rounds)"
        )
    inherited = observed["marker"] == RUN_TIME_MARKER
    own_child = observed["child_ppid"] == observed["parent_pid"]
    print(
        "a process started with the defaults "
        f"{'inherited' if inherited else 'did not inherit'} a run-time value and "
        f"{'is' if own_child else 'is not'} this process's own child"
    )
    print("a script that forks while another thread runs printed:")
    for name, printed in fork_warnings.items():
        print(f"  with {name}: {'; '.join(printed) or 'no warning'}")
    print("spawn without the __main__ guard:")
    print(f"  the child raised {unguarded['error_type'] or 'nothing'}, saying")
    for line in str(unguarded["message"]).splitlines()[:2]:
        print(f"    {line}")
    print(f"  parent printed: {'; '.join(unguarded['stdout'])}")
    print(f"spawn with the guard: {'; '.join(guarded['stdout'])}")
    result: StartMethods = {
        "experiment": "start_methods",
        "methods": methods,
        "default": default,
        "starts": starts.to_dict(),
        "starts_per_batch": per_batch,
        "default_start": observed,
        "run_time_marker": RUN_TIME_MARKER,
        # Warnings printed by FORK_WITH_A_THREAD under each WARNING_OPTIONS.
        "fork_warnings": fork_warnings,
        "unguarded": unguarded,
        "guarded": guarded,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
