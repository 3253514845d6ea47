"""docs/threads.md: one process, shared memory, and the Thread API."""

from __future__ import annotations

from measured.run.shapes.part1 import ThreadsBasics
from measured.web import render

EXPERIMENT = "threads_basics"


def _result() -> ThreadsBasics:
    """The first run's result: what the tables quote."""
    run = render.experiment(EXPERIMENT)
    return render.evidence(run).result_as(ThreadsBasics)


def ids_table() -> str:
    """How many threads ran, and the process and native thread IDs they saw."""
    r = _result()
    return (
        "| threads | process IDs seen | native thread IDs seen |\n|--:|--:|--:|\n"
        f"| {r['threads']} | {len(r['pids'])} (`{r['pids'][0]}`) | "
        f"{r['native_ids']} |\n"
    )


def api_table() -> str:
    """The Thread API beyond start() and join(), with what the experiment saw."""
    api = _result()["api"]
    before, after = api["before_start"], api["after_start"]
    rows = [
        ("`start()`", "Starts the thread; call it once.", "–"),
        (
            "`run()`",
            "The thread's body. Pass `target=` or override `run()` in a subclass.",
            f"subclass said `{api['greeter_said']}`",
        ),
        (
            "`join(timeout=None)`",
            "Waits for **this** thread to end, or for `timeout` seconds.",
            f"returned after {api['join_timeout_seconds'] * 1000:.0f} ms "
            f"with `timeout={api['join_timeout']}`",
        ),
        (
            "`is_alive()`",
            "True from `start()` until `run()` returns.",
            f"`{before['alive']}` before start, "
            f"`{api['alive_after_join_timeout']}` after the timed join, "
            f"`{api['alive_after_release']}` at the end",
        ),
        ("`name`", "A label for logs and debuggers; not unique.", "–"),
        (
            "`ident`",
            "Python's thread identifier; `None` before `start()`, may be reused.",
            f"`{before['ident']}` before start, then `{after['ident']}`",
        ),
        (
            "`native_id`",
            "The operating system's thread ID (as in `top -H`).",
            f"`{before['native_id']}` before start, then `{after['native_id']}`",
        ),
        (
            "`daemon`",
            "A daemon thread does not keep the program alive (set before `start()`).",
            f"`{api['daemon']}` for the waiting thread",
        ),
    ]
    lines = ["| API | what it does | observed |", "|---|---|---|"]
    lines += [f"| {name} | {what} | {seen} |" for name, what, seen in rows]
    return "\n".join(lines) + "\n"
