"""Read a deadlock from a stack dump: a real deadlocked child process.

Two threads take the same two locks in opposite order, each holding its first lock
while it waits for the second: neither can go on, ever. The child arms
``faulthandler.dump_traceback_later(DUMP_AFTER, exit=True)`` before it starts
them, so when it hangs, faulthandler writes every thread's stack to stderr and
ends the process by itself. This script reads that dump: each stuck thread's
newest frame is the line that takes its second lock.

If ``py-spy`` is installed, it also dumps the stuck child from outside
(``py-spy dump --pid PID``), as you would do with a program you did not prepare.

Run it yourself from a clone:  python snippets/recipe_deadlock.py
"""

from __future__ import annotations

import faulthandler
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_interrupts import Deadlock, PySpy

TIMEOUT = 60
JUDGED = ()  # no ratio: every claim is an observation
DUMP_AFTER = 0.3  # seconds: the child is surely stuck by then
PY_SPY_DUMP_AFTER = 3.0  # room for py-spy to look first, when it is installed
EXIT_SECONDS = 10.0

a = threading.Lock()
b = threading.Lock()
both_hold_one = threading.Barrier(2)


def transfer_a_to_b() -> None:
    with a:
        both_hold_one.wait()  # the other thread now holds b
        with b:  # second lock: a then b
            pass


def transfer_b_to_a() -> None:
    with b:
        both_hold_one.wait()  # the other thread now holds a
        with a:  # second lock: b then a
            pass


def deadlocked_child(dump_after: float) -> None:
    faulthandler.dump_traceback_later(dump_after, exit=True)  # every thread, stderr
    threads = [
        threading.Thread(target=transfer_a_to_b, name="a-then-b"),
        threading.Thread(target=transfer_b_to_a, name="b-then-a"),
    ]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    for thread in threads:
        thread.join()  # never returns


def second_lock_lines() -> dict[str, int]:
    """The line of each function that takes its second lock (marked above)."""
    lines = Path(__file__).read_text().splitlines()
    found: dict[str, int] = {}
    function = ""
    for number, text in enumerate(lines, start=1):
        if match := re.match(r"def (\w+)\(", text):
            function = match.group(1)
        if "# second lock:" in text and "match" not in text:
            found[function] = number
    return found


def py_spy(pid: int) -> PySpy | None:
    """``py-spy dump --pid PID``, or None where py-spy is not installed."""
    tool = shutil.which("py-spy")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "dump", "--pid", str(pid)],
        capture_output=True,
        text=True,
        timeout=PY_SPY_DUMP_AFTER,
        check=False,
    )
    return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def short(text: str) -> str:
    """Paths shortened for reading: the standard library and this folder."""
    here = str(Path(__file__).resolve().parent)
    stdlib = sysconfig.get_paths()["stdlib"]
    return text.replace(stdlib, "<stdlib>").replace(here, "snippets")


def main() -> None:
    start = time.perf_counter()
    has_py_spy = shutil.which("py-spy") is not None
    dump_after = PY_SPY_DUMP_AFTER if has_py_spy else DUMP_AFTER
    child = subprocess.Popen(
        [sys.executable, __file__, "--deadlock", str(dump_after)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().strip() == "ready"
        spy = py_spy(child.pid) if ready and has_py_spy else None
        _, dump = child.communicate(timeout=EXIT_SECONDS)
    finally:
        if child.poll() is None:  # never leave the child behind
            child.kill()
            child.communicate()
    took = time.perf_counter() - start
    print(
        f"faulthandler's dump of the deadlocked child (exit status {child.returncode}):"
    )
    print(short(dump).rstrip())
    if spy is None:
        print("\npy-spy: not installed here, not measured")
    else:
        print(f"\npy-spy dump --pid PID (exit status {spy['returncode']}):")
        print((spy["stdout"] or spy["stderr"]).rstrip())
    print(f"\ntime {took:.2f} s")
    result: Deadlock = {
        "experiment": "recipe_deadlock",
        "ready": ready,
        "dump_after": dump_after,
        "returncode": child.returncode,
        "dump": dump,
        "second_lock_lines": second_lock_lines(),
        "py_spy": spy,
    }
    measure.emit(result)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--deadlock"]:
        deadlocked_child(float(sys.argv[2]))
    else:
        main()
