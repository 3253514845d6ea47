"""docs/processes.md: separate memory, the Process API and the pickling rules."""

from __future__ import annotations

from measured.claims import modern, part1
from measured.run.shapes.part1 import Failed, Pickling, ProcessesBasics, Worked
from measured.web import diagrams, render, timelines


def _processes() -> ProcessesBasics:
    run = render.experiment("processes_basics")
    return render.evidence(run).result_as(ProcessesBasics)


def _pickling() -> Pickling:
    run = render.experiment("pickling")
    return render.evidence(run).result_as(Pickling)


def memory_note() -> str:
    """Why the child's list was its own, decided on the start method: fork copies
    the parent; spawn and forkserver build the list again from an import. Equal
    `id()`s only corroborate a fork (addresses can coincide by chance)."""
    result = _processes()
    method = result["start_method"]
    if method == "fork":
        same = (
            " The list even had the same `id()` in both processes, the same virtual "
            "address."
            if result["memory"]["same_address"]
            else ""
        )
        return (
            f"Under `fork` the child started as a copy of the parent.{same} Its "
            "write went to its own copy of the page (copy-on-write).\n"
        )
    return (
        f"Under `{method}` the child did not start as a copy of this parent: its list "
        "was built anew by an import of the module, in the child or in the "
        "forkserver's server process.\n"
    )


def api_table() -> str:
    """The Process API, with the values the experiment observed."""
    life = _processes()["lifecycle"]
    rows = [
        ("`start()`", "Creates the child process and runs `target` in it.", "–"),
        (
            "`pid`",
            "The child's process ID; `None` before `start()`.",
            f"`{life['before_start']['pid']}`, then `{life['quick']['pid']}`",
        ),
        (
            "`is_alive()`",
            "True while the child runs.",
            f"`{life['running']['alive']}` while running",
        ),
        (
            "`join(timeout=None)`",
            "Waits for the child to end (or for `timeout` seconds).",
            "–",
        ),
        (
            "`exitcode`",
            "`None` while running; 0 or the `sys.exit()` code; −N if killed by "
            "signal N.",
            f"`{life['running']['exitcode']}`, `{life['quick']['exitcode']}`, "
            f"`{life['sys_exit_3']}`, `{life['terminate']}`, `{life['kill']}`",
        ),
        (
            "`terminate()`",
            "Sends SIGTERM (Windows: TerminateProcess). A child may catch or ignore "
            "it.",
            f"exitcode `{life['terminate']}`",
        ),
        (
            "`kill()`",
            "Sends SIGKILL, which cannot be caught.",
            f"exitcode `{life['kill']}`, even for a child ignoring SIGTERM",
        ),
        (
            "`close()`",
            "Releases the Process object's resources once it has ended.",
            "–",
        ),
        (
            "`name`, `daemon`",
            "As for threads, except: at exit the parent calls `terminate()` on a "
            "daemon child, then joins it (one that ignores SIGTERM holds the exit "
            "up), and a daemon child may not start children of its own.",
            "–",
        ),
    ]
    lines = ["| API | what it does | observed |", "|---|---|---|"]
    lines += [f"| {api} | {what} | {seen} |" for api, what, seen in rows]
    return "\n".join(lines) + "\n"


def _cell(outcome: Worked | Failed) -> str:
    if outcome["ok"]:
        return f"works (`{outcome['value']}`)"
    return f"`{outcome['type']}`"


def lambda_table() -> str:
    """A lambda and a top-level function, sent three ways under each start
    method; then the first failure's message as the caller received it."""
    result = _pickling()
    lines = [
        "| start method | pool + lambda | `Process(target=lambda)` | pool + `def` |",
        "|---|---|---|---|",
    ]
    for method, row in result["lambdas"].items():
        lines.append(
            f"| `{method}` | {_cell(row['executor'])} | {_cell(row['process'])} | "
            f"{_cell(row['fixed'])} |"
        )
    failures = [
        o for row in result["lambdas"].values() for o in row.values() if not o["ok"]
    ]
    lines += [
        "",
        f"The message, as the caller received it (`{failures[0]['type']}`):",
        "",
        render.code(failures[0]["message"]),
    ]
    return "\n".join(lines)


def repl_session() -> str:
    """The REPL session fed to ``python -i`` under spawn, and what it raised."""
    result = _pickling()
    error = result["repl"]["error"]
    return (
        render.code(result["repl_session"], "python")
        + f"\nThe worker process raised `{error['type']}`:\n\n"
        + render.code(error["message"])
        + "\nand the caller saw the pool break:\n\n"
        + render.code(result["repl"]["stdout"].removeprefix("parent got "))
    )


def main_guard() -> str:
    """Why spawn (and, before the fix, forkserver) children re-run the main
    script, and the script without a guard with what its child raised."""
    result = _pickling()
    python = render.evidence(render.experiment("pickling")).env["python"]
    if part1.forkserver_preloads_main(python):
        forkserver = (
            f"Under forkserver on Python {python}, the server imports it once, when "
            "it starts, and the children are copies of it: the top-level code runs "
            "in the server."
        )
    else:
        forkserver = (
            f"Under forkserver on Python {python}, each child imports it too (the "
            "server's preload of the main module did nothing before Python 3.13.8 "
            "and 3.14.1)."
        )
    error = result["no_guard"]["error"]
    return (
        "Under spawn, each child imports the main script to find your functions, so "
        f"code at the top level of the script runs again in the child. {forkserver} "
        "If that code starts a process, the child would start a grandchild, and so "
        "on; Python stops it (under spawn, here):\n\n"
        + render.code(result["no_guard_script"], "python")
        + f"\nThe child raised `{error['type']}`:\n\n"
        + render.code(error["message"])
        + f"\nand the parent printed `{result['no_guard']['stdout']}`.\n"
    )


def start_methods_offered() -> str:
    """The start methods this machine offers, and its default."""
    result = _processes()
    env = render.evidence(render.experiment("processes_basics")).env
    methods = ", ".join(f"`{m}`" for m in result["start_methods"])
    here = modern.default_here(
        env["python"], env["os"], result["start_method"], result["start_methods"]
    )
    return f"This machine offers {methods}; {here}.\n"


def start_methods_table() -> str:
    """How each start method starts a child, whether it pickles the target, and
    where it is the default; forkserver worded for the measured Python."""
    python = render.evidence(render.experiment("processes_basics")).env["python"]
    if part1.forkserver_preloads_main(python):
        server = (
            "a copy of a server process started once, which imported the main "
            f"module once (Python {python}: its top-level code ran in the server)"
        )
    else:
        server = (
            "a copy of a server process started once; each child then imports the "
            f"main module (Python {python}; from 3.13.8 and 3.14.1 the server "
            "imports it once instead)"
        )
    return (
        "| method | how the child starts | pickles the target? | default on |\n"
        "|---|---|---|---|\n"
        "| `fork` | a copy of the parent process (POSIX only) | no | "
        "POSIX except macOS, up to Python 3.13 |\n"
        "| `spawn` | a fresh interpreter that imports the main module | yes | "
        "Windows, macOS (3.8+) |\n"
        f"| `forkserver` | {server} | yes | POSIX except macOS, from Python 3.14 |\n"
    )


def round_trip() -> str:
    """A task's round trip to a worker process, with this build's medians."""
    data = timelines.result()
    there, back = timelines.round_trip_medians(data)
    (a, b), (c, d) = timelines.round_trip_quartiles(data)
    spread = ((a * 1000, b * 1000), (c * 1000, d * 1000))
    svg, _ = diagrams.round_trip(
        there * 1000, back * 1000, len(data["round_trips"]), spread
    )
    caption = (
        "Every task and every result crosses a pipe, pickled: that round trip is "
        "the price of a process pool. The times are medians, with interquartile "
        "ranges, of tiny tasks sent one at a time in 1 run (snippets/timelines.py); "
        "each includes the executor's internal thread hand-offs (its feeder thread "
        "pickles the call)."
    )
    return timelines.tl.figure(svg, caption)
