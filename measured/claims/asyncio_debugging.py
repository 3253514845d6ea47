"""Claims of "Find where a stuck program waits" and "Eager tasks" (docs/asyncio.md).

asyncio_stuck looks at a stuck crawler with the tools each Python has; the claims
say what each tool showed. Parts that need Python 3.14 (capture_call_graph,
``python -m asyncio pstree``, ``sys.remote_exec``) are not shown on an older
interpreter, with the command that measures them. A tool refused the permission
to inspect another process (ptrace restricted, remote debugging disabled) is not
shown either, with the error it printed: the machine, not Python, stopped it.

asyncio_eager compares eager_task_factory (3.12+) with the default task factory.
"""

from __future__ import annotations

import re

from measured.claims import margins
from measured.claims.registry import (
    SHAPE,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    not_shown,
    observed,
)
from measured.run.errors import as_message
from measured.run.shapes.asyncio_debugging import (
    AsyncioEager,
    AsyncioStuck,
    RemoteExec,
    ToolRun,
)

STUCK = "asyncio_stuck"
EAGER = "asyncio_eager"
# Words in a tool's error that say the OS refused to let it inspect the process.
PERMISSION = re.compile(r"permission|not permitted|ptrace|EPERM", re.IGNORECASE)
# Words in sys.remote_exec's error that say the target refuses remote code: CPython
# raises RuntimeError ("Remote debugging is not enabled in the remote process")
# (Python/remote_debugging.c), and "... not supported" on a build without it.
REMOTE_REFUSED = re.compile(
    r"not enabled|not supported|remote debugging is disabled|disable.remote.debug",
    re.IGNORECASE,
)
DISABLED = (
    "remote debugging was disabled in the stuck process "
    "(its `sys.is_remote_debug_enabled()` returned False: PYTHON_DISABLE_REMOTE_DEBUG "
    "set, `-X disable-remote-debug`, or a build without it)"
)


def _python(evidence: Evidence) -> str:
    return str(evidence.env["python"])


def needs(evidence: Evidence, version: str, what: str, script: str) -> str:
    """The not-shown reason of a feature the measured interpreter lacks, in the
    site's one wording (measured.web.across.needs) with the command that measures it."""
    command = (
        f"uv python install {version} && python -m measured reproduce --only "
        f"{script} --python python{version}"
    )
    return (
        f"needs Python {version}+, not measured here: {what} was added in {version} "
        f"and this build ran Python {_python(evidence)} (measure it: `{command}`)"
    )


def _stuck(evidence: Evidence) -> AsyncioStuck:
    return evidence.result_as(AsyncioStuck)


def _chain(result: AsyncioStuck) -> str:
    return " → ".join(f"`{name}`" for name in result["coroutines"])


# ---- every version ------------------------------------------------------------------


def _dump_frames(dump: str) -> list[str]:
    """Function names in a faulthandler dump ('File "...", line N in NAME')."""
    return re.findall(r"line \d+ in (\S+)", dump)


def _never_slept(result: AsyncioStuck) -> str:
    """Why a dump may have caught the loop running: it never went back to sleep."""
    if result["outside"]["went_idle"] is None:
        return " (the child never went back to sleep before the dump was taken)"
    return ""


@claim(STUCK)
def thread_dump_shows_only_the_loop(evidence: Evidence) -> Claim:
    """A thread dump of a stuck event loop shows select(), not the coroutines."""
    r = _stuck(evidence)
    frames = _dump_frames(r["outside"]["thread_dump"])
    coroutines = [name for name in r["coroutines"] if name in frames]
    waits = "select" in frames
    holds = waits and not coroutines
    text = (
        f"On Python {_python(evidence)}, a thread dump of the stuck program "
        f"(`faulthandler`, {len(frames)} frames) "
        f"showed the event loop waiting in the selector's `select()`"
    )
    if holds:
        return observed(
            True,
            f"{text} and none of the stuck coroutines ({_chain(r)}): a suspended "
            "coroutine is on no thread's stack.",
            float(len(coroutines)),
        )
    found = ", ".join(f"`{name}`" for name in coroutines) or "none"
    return observed(
        False,
        f"On Python {_python(evidence)}, a thread dump of the stuck program did NOT "
        "show only the loop waiting: "
        f"`select()` {'found' if waits else 'missing'}, coroutines on the stack: "
        f"{found}{_never_slept(r)}.",
        float(len(coroutines)),
    )


@claim(STUCK)
def get_stack_shows_outer_frames_only(evidence: Evidence) -> Claim:
    """Task.get_stack() finds every stuck task but only its outermost coroutine."""
    r = _stuck(evidence)
    inside = r["inside"]
    outer, inner = r["coroutines"][0], r["coroutines"][1:]
    stacks = inside["get_stack"]
    every_task = inside["tasks"] == len(r["urls"])
    outer_only = all(outer in s and not set(inner) & set(s) for s in stacks)
    deepest = max((len(s) for s in stacks), default=0)
    if every_task and outer_only:
        return observed(
            True,
            f"On Python {_python(evidence)}, `asyncio.all_tasks()` found all "
            f"**{inside['tasks']}** stuck tasks, but "
            f"`Task.get_stack()` gave each **{deepest} frame** (`{outer}`): the "
            f"coroutines it awaits ({', '.join(f'`{n}`' for n in inner)}) are missing.",
            float(deepest),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, `asyncio.all_tasks()` found "
        f"{inside['tasks']} of {len(r['urls'])} stuck "
        f"tasks and `Task.get_stack()` did NOT stop at the outer coroutine: up to "
        f"{deepest} frames, {stacks}.",
        float(deepest),
    )


# ---- Python 3.14+ -------------------------------------------------------------------


@claim(STUCK)
def call_graph_shows_the_await_chain(evidence: Evidence) -> Claim:
    """asyncio.capture_call_graph(task) names the whole await chain and the awaiter."""
    r = _stuck(evidence)
    graph = r["inside"]["call_graph"]
    statement = (
        "`asyncio.capture_call_graph(task)` names a stuck task's whole await "
        f"chain ({_chain(r)}) and the task that awaits it."
    )
    if graph is None:
        return not_shown(
            statement, needs(evidence, "3.14", "asyncio.capture_call_graph", STUCK)
        )
    missing = [name for name in r["coroutines"] if name not in graph["call_stack"]]
    awaiters = ", ".join(f"`{name}`" for name in graph["awaited_by"]) or "no task"
    if not missing and graph["awaited_by"]:
        return observed(
            True,
            f"On Python {_python(evidence)}, `asyncio.capture_call_graph(task)` named "
            f"**{len(graph['call_stack'])} frames** of a stuck task, its whole await "
            f"chain ({_chain(r)}), and the task awaiting it ({awaiters}).",
            float(len(graph["call_stack"])),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, `asyncio.capture_call_graph(task)` did NOT "
        f"name the whole await chain: missing "
        f"{', '.join(f'`{n}`' for n in missing) or 'nothing'}, awaited by {awaiters}.",
        float(len(graph["call_stack"])),
    )


def refused(run: ToolRun | RemoteExec, remote_code: bool = False) -> str:
    """Why the OS (or, for remote code, the target) refused inspection, or "".

    ``remote_code`` only for sys.remote_exec: the target's remote-debug switch
    stops remote code, while ps and pstree read its memory without asking it."""
    text = str(run.get("error") or "") + str(run.get("stderr") or "")
    text += str(run.get("stdout") or "") if run.get("returncode") else ""
    if remote_code and REMOTE_REFUSED.search(text):
        return DISABLED
    if PERMISSION.search(text):
        last = [line for line in text.strip().splitlines() if line.strip()][-1:]
        last = [as_message(line) for line in last]
        return (
            "this machine refused the permission to inspect another process "
            f"({last[0].strip() if last else 'permission denied'}); see the "
            "permission requirements in the Python docs"
        )
    return ""


@claim(STUCK)
def pstree_shows_stuck_tasks_from_outside(evidence: Evidence) -> Claim:
    """``python -m asyncio pstree PID`` prints the stuck program's task tree."""
    r = _stuck(evidence)
    run = r["outside"]["pstree"]
    statement = (
        "`python -m asyncio pstree PID` shows, from outside, every stuck task and "
        "the coroutine each one waits in."
    )
    if run is None:
        return not_shown(
            statement, needs(evidence, "3.14", "python -m asyncio pstree", STUCK)
        )
    if run["returncode"] != 0 and (why := refused(run)):
        return not_shown(statement, why, SHAPE)
    tree = run["stdout"]
    missing = [n for n in (*r["urls"], *r["coroutines"]) if n not in tree]
    if run["returncode"] == 0 and not missing:
        return observed(
            True,
            f"On Python {_python(evidence)}, `python -m asyncio pstree PID` printed "
            f"the stuck program's tree from outside: all **{len(r['urls'])}** tasks, "
            f"each down to {_chain(r)}.",
            float(len(r["urls"])),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, `python -m asyncio pstree PID` did NOT show "
        f"the stuck tasks (exit status {run['returncode']}; missing: "
        f"{', '.join(missing) or 'nothing'}).",
        float(len(r["urls"]) - len(missing)),
    )


def _what_went_wrong(remote: RemoteExec) -> str:
    if remote["error"]:
        return remote["error"]
    if remote["output"]:  # the script ran but did not list the tasks
        return f"it wrote: {remote['output'].strip().splitlines()[0][:200]}"
    return "no output, even after a signal woke the loop"


@claim(STUCK)
def remote_exec_runs_in_the_stuck_process(evidence: Evidence) -> Claim:
    """sys.remote_exec runs a script inside the stuck process (once it runs again)."""
    r = _stuck(evidence)
    remote = r["outside"]["remote_exec"]
    statement = "`sys.remote_exec(pid, script)` runs a script inside the stuck process."
    if remote is None:
        return not_shown(statement, needs(evidence, "3.14", "sys.remote_exec", STUCK))
    if remote["error"]:
        # The child said, before the call, whether it accepts remote code.
        if r["outside"]["remote_debug_enabled"] is False:
            return not_shown(statement, DISABLED, SHAPE)
        if why := refused(remote, remote_code=True):
            return not_shown(statement, why, SHAPE)
    listed = [name for name in r["urls"] if name in remote["output"]]
    ran = remote["ran_unwoken"] or remote["ran_after_signal"]
    if ran and len(listed) == len(r["urls"]):
        when = (
            "at its next safe point, without help"
            if remote["ran_unwoken"]
            else "only after a signal woke the loop: a process blocked in a system "
            "call runs it once it executes Python code again"
        )
        return observed(
            True,
            f"On Python {_python(evidence)}, `sys.remote_exec` ran a script inside "
            f"the stuck process {when}; the script listed all **{len(listed)}** "
            "stuck tasks.",
            float(len(listed)),
        )
    return observed(
        False,
        f"On Python {_python(evidence)}, `sys.remote_exec` did NOT run the script in "
        f"the stuck process ({_what_went_wrong(remote)}).",
        float(len(listed)),
    )


# ---- asyncio_eager (3.12+) ----------------------------------------------------------


def _eager(evidence: Evidence) -> AsyncioEager:
    return evidence.result_as(AsyncioEager)


EAGER_WHAT = "asyncio.eager_task_factory"


@claim(EAGER)
def eager_tasks_finish_at_creation(evidence: Evidence) -> Claim:
    """With eager_task_factory, a task that never suspends is done at create_task."""
    r = _eager(evidence)
    statement = (
        "With `eager_task_factory`, a task whose coroutine never suspends is done "
        "when `create_task` returns, before the loop runs."
    )
    done = r["done_at_creation"]
    if done is None:
        return not_shown(statement, needs(evidence, "3.12", EAGER_WHAT, EAGER))
    eager, default = done["eager_task_factory"], done["default factory"]
    n = r["tasks"]
    text = (
        f"On Python {_python(evidence)}, **{eager:,} of {n:,}** eager tasks were done "
        f"when `create_task` returned, against **{default:,}** with the default "
        "factory"
    )
    if eager == n and default == 0:
        return observed(
            True, f"{text}: their coroutines never waited in the loop's queue.", eager
        )
    return observed(False, f"{text}: NOT all done at creation.", float(eager))


@claim(EAGER)
def eager_tasks_cost_less(evidence: Evidence) -> Claim:
    """Eager tasks of a coroutine that never suspends cost less than default ones."""
    r = _eager(evidence)
    statement = (
        "Eager tasks of a coroutine that returns without suspending cost less than "
        "tasks the loop schedules."
    )
    if r["rounds"] is None:
        return not_shown(statement, needs(evidence, "3.12", EAGER_WHAT, EAGER))
    figure = Figure(
        "default ÷ eager, per round",
        evidence.ratio("rounds", "default factory", "eager_task_factory"),
        margins.EAGER_MIN_SPEEDUP,
        "at least",
    )
    per_task = evidence.timing("rounds", "eager_task_factory").estimate / r["tasks"]
    text = (
        f"On Python {_python(evidence)}, creating and gathering {r['tasks']:,} tasks "
        f"of a coroutine that returns at once took **{figure.interval.estimate:.2f}×** "
        f"as long with the default factory as with `eager_task_factory` "
        f"({per_task * 1e6:.2f} µs per eager task)"
    )
    bar = (
        f"the claim needs the whole interval at {margins.EAGER_MIN_SPEEDUP:g}× or "
        "more, a generous bar that asks only for a clear saving"
    )
    return judged(
        f"{text}: eager tasks cost less ({bar}).",
        [figure],
        missed=f"{text}: eager tasks did NOT cost clearly less ({bar}).",
    )
