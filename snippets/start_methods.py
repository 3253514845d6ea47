"""Start methods: what fork, spawn and forkserver cost, and what they warn about.

Times starting and joining one process with each start method this platform
offers; forks while another thread runs, recording the warning Python 3.12+
gives; and runs a tiny script that starts a spawn process without the
``if __name__ == "__main__":`` guard, then the same script with it.

    python3.13 snippets/start_methods.py
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import tempfile
import textwrap
import threading
import warnings
from pathlib import Path

from measured import measure

TIMEOUT = 90  # seconds
REPEATS = 7
CHILD_TIMEOUT = 30  # seconds for each guard demo script

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


def noop() -> None:
    """The child does nothing: we time its start and join."""


def start_and_join(method: str) -> None:
    process = multiprocessing.get_context(method).Process(target=noop)
    process.start()
    process.join()


def fork_while_a_thread_runs() -> list[str]:
    """Fork with a second thread alive; return the warnings Python gave."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start_and_join("fork")
    finally:
        stop.set()
        thread.join()
    return [f"{w.category.__name__}: {w.message}" for w in caught]


def run_script(source: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="guard-") as folder:
        script = Path(folder) / "demo.py"
        script.write_text(textwrap.dedent(source))
        return subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )


def guard_demo(source: str) -> dict[str, object]:
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
    methods = multiprocessing.get_all_start_methods()
    default = multiprocessing.get_start_method()
    timings = measure.time_interleaved(
        {m: (lambda m=m: start_and_join(m)) for m in methods}, repeats=REPEATS
    )
    fork_warnings = fork_while_a_thread_runs() if "fork" in methods else []
    unguarded = guard_demo(UNGUARDED)
    guarded = guard_demo(GUARDED)

    print(f"Python {sys.version.split()[0]} on {sys.platform}: default {default}")
    for method, timing in timings.items():
        print(
            f"start + join one process, {method:<10} {timing.median * 1e3:7.1f} ms"
            f"  (min {timing.min * 1e3:.1f}, max {timing.max * 1e3:.1f})"
        )
    print("fork while another thread runs:")
    for line in fork_warnings or ["no warning"]:
        print(f"  {line}")
    print("spawn without the __main__ guard:")
    print(f"  the child raised {unguarded['error_type'] or 'nothing'}, saying")
    for line in str(unguarded["message"]).splitlines()[:2]:
        print(f"    {line}")
    print(f"  parent printed: {'; '.join(unguarded['stdout'])}")
    print(f"spawn with the guard: {'; '.join(guarded['stdout'])}")
    measure.emit(
        {
            "experiment": "start_methods",
            "methods": methods,
            "default": default,
            "start_seconds": {m: t.to_dict() for m, t in timings.items()},
            "fork_warnings": fork_warnings,
            "unguarded": unguarded,
            "guarded": guarded,
        }
    )


if __name__ == "__main__":
    main()
