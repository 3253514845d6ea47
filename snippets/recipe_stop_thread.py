"""Stop a running thread: there is no kill, so the work must look, or live in a process.

A worker does STEPS steps of pure-Python work, STEP seconds each. The main thread
sleeps BEFORE seconds, asks it to stop, and times how long the work goes on after
that request, four ways. (A worker thread that spins in Python holds the GIL: the
main thread waits for it after each wait or sleep, about the 5 ms switch interval,
so its request comes later than BEFORE; the steps done show how much later.)

- Event:          the worker checks a threading.Event between steps and returns
                  once it is set; the request is stop.set();
- no check:       the same request, to a worker that never looks: nothing can
                  stop it, and it runs all its steps;
- terminate():    the work runs, with no check, in a multiprocessing.Process;
                  the request is terminate() (SIGTERM on POSIX);
- daemon, at exit: a daemon thread spinning forever in a separate program: it
                  stops only when the program ends (the request is the main
                  thread returning), and its `finally:` block never runs.

GRACE seconds after each request, the script looks whether the work is still
running. Every round runs the four in a new random order.

Run it yourself from a clone:  python snippets/recipe_stop_thread.py
"""

from __future__ import annotations

import multiprocessing
import random
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from measured.run import measure
from measured.run.forksafe import settle_threads

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_threads as shape

ROUNDS = 9  # fixed in advance: [2nd, 8th] of 9 per-round ratios, a 96 % interval
# The ratios the claims judge, per round: each stop's time over the time the worker
# that never looks ran on after its request (see JUDGED in CONTRIBUTING.md).
JUDGED = ("stop: Event / no check", "stop: terminate() / no check")
STEP = 0.002  # seconds of pure-Python work per step
STEPS = 30  # steps in the whole task
BEFORE = 0.01  # seconds the main thread sleeps before the stop request
GRACE = 0.01  # seconds after the request: is the work still running then?
WAIT = 5.0  # at most this long for anything that should end by itself
WAYS = ("Event", "no check", "terminate()", "daemon, at exit")

# The separate program of "daemon, at exit": its daemon thread spins forever.
DAEMON_PROGRAM = f"""
import threading, time

def spin():
    try:
        while True:
            pass
    finally:
        print("finally ran", flush=True)

thread = threading.Thread(target=spin, daemon=True)
thread.start()
time.sleep({BEFORE})
print("main returns; daemon alive:", thread.is_alive(), flush=True)
"""


def step() -> None:
    """STEP seconds of pure-Python work (the GIL is held throughout)."""
    end = time.perf_counter() + STEP
    while time.perf_counter() < end:
        pass


def checks_event(
    stop: threading.Event, started: threading.Event, done: list[int]
) -> None:
    started.set()
    steps = 0
    while steps < STEPS and not stop.is_set():  # looks before every step
        step()
        steps += 1
    done.append(steps)


def never_checks(
    stop: threading.Event, started: threading.Event, done: list[int]
) -> None:
    started.set()
    for _ in range(STEPS):  # stop is set while it runs; nobody looks
        step()
    done.append(STEPS)


def forever(report: Any) -> None:
    """The task in a process: it never looks at anything and never ends."""
    report.send("started")
    while True:
        step()


def stop_thread(target: Any) -> tuple[float, bool, int]:
    """(seconds from the request to the end of the work, alive GRACE s after the
    request, steps the worker did)."""
    stop, started, done = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=target, args=(stop, started, done), daemon=True)
    thread.start()
    started.wait()
    time.sleep(BEFORE)
    begin = time.perf_counter()
    stop.set()  # the request: only a worker that checks the Event sees it
    thread.join(GRACE)
    alive = thread.is_alive()
    thread.join(WAIT)
    took = time.perf_counter() - begin
    return took, alive, done[0] if done else -1


def stop_process() -> tuple[float, bool, int]:
    """(seconds from terminate() to the process gone, alive GRACE s after, exit
    code)."""
    settle_threads()  # the threads of the other ways have gone: safe to fork
    context = multiprocessing.get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=forever, args=(sender,))
    process.start()
    sender.close()
    if not receiver.poll(WAIT) or receiver.recv() != "started":
        raise RuntimeError("the process did not start its work")
    time.sleep(BEFORE)
    begin = time.perf_counter()
    process.terminate()  # the request
    process.join(GRACE)
    alive = process.is_alive()
    process.join(WAIT)
    took = time.perf_counter() - begin
    if process.is_alive():  # never seen: make sure nothing is left behind
        process.kill()
        process.join()
    receiver.close()
    return took, alive, process.exitcode if process.exitcode is not None else 0


def stop_daemon() -> tuple[float, bool, shape.DaemonRound]:
    """(seconds from the main thread's return to the program's exit, program
    alive GRACE s after, what the program said)."""
    child = subprocess.Popen(
        [sys.executable, "-I", "-c", DAEMON_PROGRAM],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    said = child.stdout.readline()  # the main thread is about to return
    begin = time.perf_counter()
    try:
        child.wait(GRACE)
        alive = False
    except subprocess.TimeoutExpired:
        alive = True
    try:
        child.wait(WAIT)
    except subprocess.TimeoutExpired:  # never seen: nothing is left behind
        child.kill()
        child.wait()
    took = time.perf_counter() - begin
    rest = child.stdout.read()
    child.stdout.close()
    return (
        took,
        alive,
        {
            "daemon_alive": said.strip().endswith("True"),
            "finally_ran": "finally ran" in rest,
            "exitcode": child.returncode,
        },
    )


def main() -> None:
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    took: dict[str, list[float]] = {way: [] for way in WAYS}
    alive: dict[str, list[bool]] = {way: [] for way in WAYS}
    steps: dict[str, list[int]] = {"Event": [], "no check": []}
    exitcodes: list[int] = []
    daemon: list[shape.DaemonRound] = []
    orders: list[tuple[str, ...]] = []
    for _ in range(ROUNDS):
        orders.append(tuple(rng.sample(WAYS, len(WAYS))))
        for way in orders[-1]:
            if way == "Event" or way == "no check":
                target = checks_event if way == "Event" else never_checks
                seconds, still, done = stop_thread(target)
                steps[way].append(done)
            elif way == "terminate()":
                seconds, still, code = stop_process()
                exitcodes.append(code)
            else:
                seconds, still, said = stop_daemon()
                daemon.append(said)
            took[way].append(seconds)
            alive[way].append(still)
    rounds = measure.Rounds(
        {way: tuple(values) for way, values in took.items()},
        tuple(orders),
        warmup=0,
        seed=seed,
    )

    print(
        f"a task of {STEPS} steps of {STEP * 1000:.0f} ms of pure Python; stop "
        f"requested after a sleep of {BEFORE * 1000:.0f} ms; medians of {ROUNDS} "
        "rounds"
    )
    for way in WAYS:
        ms = rounds.timing(way).estimate * 1000
        running = sum(alive[way])
        print(
            f"{way:<16} work stopped {ms:6.1f} ms after the request; still "
            f"running {GRACE * 1000:.0f} ms after it in {running} of {ROUNDS} rounds"
        )
    print(f"steps done, Event: {steps['Event']}")
    print(f"steps done, no check: {steps['no check']}")
    print(f"exit codes after terminate(): {sorted(set(exitcodes))}")
    print(
        f"daemon thread alive when main returned: "
        f"{sum(d['daemon_alive'] for d in daemon)} of {ROUNDS}; its finally: ran "
        f"in {sum(d['finally_ran'] for d in daemon)}; program exit codes "
        f"{sorted({d['exitcode'] for d in daemon})}"
    )

    result: shape.RecipeStopThread = {
        "experiment": "recipe_stop_thread",
        "step": STEP,
        "steps": STEPS,
        "before": BEFORE,
        "grace": GRACE,
        "start_method": multiprocessing.get_start_method(),
        "stop": rounds.to_dict(),
        "alive_after_grace": alive,
        "steps_done": steps,
        "terminate_exitcodes": exitcodes,
        "daemon": daemon,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
