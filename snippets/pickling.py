"""What a worker process can be given: pickling rules, failures and fixes, for real.

A process pool sends the function and its arguments to the worker with pickle.
pickle saves a function by reference (module + name), so the worker must be able to
import it. Four cases, each run for real, errors caught and recorded:

1. a lambda, in ProcessPoolExecutor and in Process(target=...), per start method;
2. the fix: a function defined at module top level;
3. a function typed into an interactive session (REPL), used with spawn: the worker
   cannot find it in its own __main__; the fix: import it from a module file;
4. a script that starts a process without the ``if __name__ == "__main__":`` guard,
   under spawn: the child re-imports the script and would start processes forever.

Run it yourself from a clone:  python snippets/pickling.py
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's shape and its parts, for type checkers only
    from measured.run.shapes.part1 import ChildError, ChildRun, Failed, Pickling, Worked

TIMEOUT = 90
CHILD_TIMEOUT = 30  # seconds for each child interpreter; a hang fails the run

# Typed into a REPL, line by line (the blank lines end each block, as in a terminal).
REPL_SESSION = """\
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
def square(x):
    return x * x

spawn = multiprocessing.get_context("spawn")
pool = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
try:
    print("result", pool.submit(square, 7).result(timeout=20))
except Exception as error:
    print("parent got", type(error).__name__, "|", error)

pool.shutdown()
"""

# The fix for a REPL or a notebook: the function lives in a module file.
WORKER_MODULE = """\
def square(x):
    return x * x
"""
REPL_FIX = """\
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, {folder!r})
from workers import square

spawn = multiprocessing.get_context("spawn")
with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
    print("result", pool.submit(square, 7).result(timeout=20))

"""

# A script without the main guard, using spawn.
NO_GUARD = """\
import multiprocessing

def hello():
    print("hello from the child")

child = multiprocessing.get_context("spawn").Process(target=hello)
child.start()
child.join()
print("parent: child exitcode", child.exitcode)
"""
WITH_GUARD = """\
import multiprocessing

def hello():
    print("hello from the child")

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=hello)
    child.start()
    child.join()
    print("parent: child exitcode", child.exitcode)
"""


def square(x: int) -> int:
    """Top level of an importable file: pickled by reference, found by the worker."""
    return x * x


# Lambdas at module level, as most scripts write them. pickle saves a function as
# "module.name"; a lambda's name is "<lambda>", which no worker can look up.
square_lambda = lambda x: x * x  # noqa: E731 - the failure is the point
noop_lambda = lambda: None  # noqa: E731


def outcome(error: BaseException | None, value: int | str = 0) -> Worked | Failed:
    if error is None:
        return {"ok": True, "value": value}
    return {"ok": False, "type": type(error).__name__, "message": str(error)}


def in_executor(method: str, fns: dict[str, object]) -> dict[str, Worked | Failed]:
    """Submit each function to one pool; a task that cannot be pickled fails alone."""
    ctx = multiprocessing.get_context(method)
    results = {}
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        for name, fn in fns.items():
            try:
                value = pool.submit(fn, 7).result(timeout=CHILD_TIMEOUT)
            except Exception as error:  # the very exception a caller would see
                results[name] = outcome(error)
            else:
                results[name] = outcome(None, value)
    return results


def in_process(method: str, fn: object) -> Worked | Failed:
    ctx = multiprocessing.get_context(method)
    child = ctx.Process(target=fn)
    try:
        child.start()
    except Exception as error:
        return outcome(error)
    child.join(timeout=CHILD_TIMEOUT)
    return outcome(None, f"exitcode {child.exitcode}")


def last_error_line(stderr: str) -> ChildError | None:
    """The exception line that ends a traceback (name, colon, message), split."""
    lines = stderr.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        name, sep, message = lines[i].partition(": ")
        if (
            sep
            and name.replace(".", "").replace("_", "").isalnum()
            and name.endswith(("Error", "Exception"))
        ):
            # A multi-line message (RuntimeError's) continues on indented lines.
            more = []
            for line in lines[i + 1 :]:
                if line.strip() and not line[0].isspace():
                    break
                more.append(line)
            rest = textwrap.dedent("\n".join(more)).strip()
            text = "\n".join(part for part in (message.strip(), rest) if part)
            return {"type": name.rsplit(".", 1)[-1], "message": text}
    return None


def run_child(args: list[str], stdin: str | None = None) -> ChildRun:
    proc = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    return {
        "returncode": proc.returncode,
        "stdout": proc.stdout.strip(),
        "error": last_error_line(proc.stderr),
    }


def main() -> None:
    methods = multiprocessing.get_all_start_methods()
    print(f"start methods available: {', '.join(methods)}")
    lambdas = {
        # Process first: forking once a pool's threads have run is unsafe, and
        # Python 3.12+ warns about it.
        m: {"process": in_process(m, noop_lambda)}
        | in_executor(m, {"executor": square_lambda, "fixed": square})
        for m in methods
    }
    print("\n1-2. A lambda as the task, and the fix (a top-level def)")
    for m, row in lambdas.items():
        for case, label in (
            ("executor", "ProcessPoolExecutor.submit(lambda)"),
            ("process", "Process(target=lambda)"),
            ("fixed", "ProcessPoolExecutor.submit(square)"),
        ):
            r = row[case]
            shown = (
                f"ok -> {r['value']}" if r["ok"] else f"{r['type']} | {r['message']}"
            )
            print(f"  {m:<10} {label:<36} {shown}")

    with tempfile.TemporaryDirectory(prefix="pickling-") as folder:
        repl = run_child(["-i", "-q"], stdin=REPL_SESSION)
        Path(folder, "workers.py").write_text(WORKER_MODULE)
        repl_fix = run_child(["-i", "-q"], stdin=REPL_FIX.format(folder=folder))
        script = Path(folder, "no_guard.py")
        script.write_text(NO_GUARD)
        no_guard = run_child([str(script)])
        script = Path(folder, "with_guard.py")
        script.write_text(WITH_GUARD)
        with_guard = run_child([str(script)])
    print("\n3. A function typed into the REPL, used by a spawn worker")
    print(f"  worker: {repl['error']['type']} | {repl['error']['message']}")
    print(f"  parent: {repl['stdout']}")
    print(f"  fix, imported from workers.py: {repl_fix['stdout']}")
    print("\n4. A spawn script without the main guard")
    print(f"  child: {no_guard['error']['type']} |")
    print(textwrap.indent(no_guard["error"]["message"], "    "))
    print(f"  {no_guard['stdout']}")
    print(f"  fix, with the guard: {' / '.join(with_guard['stdout'].splitlines())}")

    result: Pickling = {
        "experiment": "pickling",
        "start_methods": methods,
        "lambdas": lambdas,
        "repl_session": REPL_SESSION,
        "repl": repl,
        "repl_fix": repl_fix,
        "no_guard_script": NO_GUARD,
        "no_guard": no_guard,
        "with_guard": with_guard,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
