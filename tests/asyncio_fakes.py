"""Results shaped like runs this machine cannot make, for the asyncio debugging claims.

No Python 3.14 exists here, so asyncio_stuck's 3.14 parts (capture_call_graph,
``python -m asyncio pstree``/``ps``, ``sys.remote_exec``) are exercised on a copy of
the real result with those parts filled in the way the 3.14 documentation prints
them (Doc/library/asyncio-tools.rst, asyncio-graph.rst). Likewise a 3.12 run of
asyncio_eager for a build measured on 3.11. Line numbers and ids are made up.
"""

from __future__ import annotations

import copy
from typing import Any

from measured.run.shapes.asyncio_debugging import (
    AsyncioEager,
    AsyncioStuck,
    RemoteExec,
    ToolRun,
)

ENV_314 = {"python": "3.14.0"}
ENV_312 = {"python": "3.12.1"}


def pstree(result: AsyncioStuck) -> str:
    """A pstree of the stuck crawler, in the documented format."""
    lines = [
        "└── (T) Task-1",
        "    └──  main snippets/asyncio_stuck.py:100",
        "        └──  crawl_all snippets/asyncio_stuck.py:78",
        "            └──  TaskGroup.__aexit__ <stdlib>/asyncio/taskgroups.py:72",
        "                └──  TaskGroup._aexit <stdlib>/asyncio/taskgroups.py:121",
    ]
    urls = result["urls"]
    for i, url in enumerate(urls):
        last = i == len(urls) - 1
        branch, pipe = ("└──", "    ") if last else ("├──", "│   ")
        pad = " " * 20
        lines.append(f"{pad}{branch} (T) {url}")
        indent = pad + pipe
        for depth, name in enumerate([*result["coroutines"], "Event.wait"]):
            where = f"snippets/asyncio_stuck.py:6{depth}"
            lines.append(f"{indent}{'    ' * depth}└──  {name} {where}")
    return "\n".join(lines) + "\n"


def graph_text(result: AsyncioStuck, url: str) -> str:
    frames = ["Event.wait", *reversed(result["coroutines"])]
    body = "".join(
        f"  |   File 'snippets/asyncio_stuck.py', line 6{i}, in async {name}()\n"
        for i, name in enumerate(frames)
    )
    return (
        f"* Task(name='{url}', id=0x7f0000000000)\n  + Call stack:\n{body}"
        "  + Awaited by:\n     * Task(name='Task-1', id=0x7f0000000001)\n"
    )


def stuck_314(result: dict[str, Any]) -> None:
    """Edit a real asyncio_stuck result in place into one shaped like a 3.14 run."""
    r: AsyncioStuck = result  # type: ignore[assignment]
    r["env"].update(ENV_314)
    r["inside"]["call_graph"] = {
        "call_stack": ["wait", *reversed(r["coroutines"])],
        "awaited_by": ["Task-1"],
        "formatted": graph_text(r, r["urls"][0]),
    }
    tree: ToolRun = {"returncode": 0, "stdout": pstree(r), "stderr": ""}
    header = "tid  task id  task name  coroutine stack ...\n"
    table: ToolRun = {"returncode": 0, "stdout": header, "stderr": ""}
    remote: RemoteExec = {
        "error": "",
        "ran_unwoken": False,
        "ran_after_signal": True,
        "output": "\n".join(graph_text(r, url) for url in r["urls"]),
    }
    r["outside"].update(
        {
            "pstree": tree,
            "ps": table,
            "remote_exec": remote,
            "remote_debug_enabled": True,
        }
    )


def refused_314(result: dict[str, Any]) -> None:
    """A 3.14 run on a machine that does not let one process inspect another."""
    stuck_314(result)
    denied = "PermissionError: [Errno 1] Operation not permitted"
    for name in ("pstree", "ps"):
        result["outside"][name] = {"returncode": 1, "stdout": "", "stderr": denied}
    result["outside"]["remote_exec"] = {
        "error": "PermissionError ([Errno 1] Operation not permitted)",
        "ran_unwoken": False,
        "ran_after_signal": False,
        "output": "",
    }


def remote_debug_off_314(result: dict[str, Any]) -> None:
    """A 3.14 run whose stuck child refuses remote code (-X disable-remote-debug,
    PYTHON_DISABLE_REMOTE_DEBUG, or a build without it): sys.remote_exec raises
    CPython's RuntimeError (Python/remote_debugging.c); ps and pstree still work,
    as they read memory without asking the target."""
    stuck_314(result)
    result["outside"]["remote_debug_enabled"] = False
    result["outside"]["remote_exec"] = {
        "error": "RuntimeError (Remote debugging is not enabled in the remote process)",
        "ran_unwoken": False,
        "ran_after_signal": False,
        "output": "",
    }


def eager_312(result: dict[str, Any]) -> None:
    """Edit a real asyncio_eager result in place into one shaped like a 3.12 run.

    The timings are made up around what 3.12 measured here (about 2.3x); each
    round's order alternates.
    """
    r: AsyncioEager = result  # type: ignore[assignment]
    r["env"].update(ENV_312)
    if r["rounds"] is not None:
        return
    n = r["tasks"]
    default = [0.075 + 0.001 * (i % 3) for i in range(12)]
    eager = [0.032 + 0.001 * (i % 2) for i in range(12)]
    names = ["default factory", "eager_task_factory"]
    r["eager_available"] = True
    r["done_at_creation"] = {"default factory": 0, "eager_task_factory": n}
    r["rounds"] = {
        "kind": "rounds",
        "rounds": 12,
        "warmup": 1,
        "orders": [names if i % 2 else names[::-1] for i in range(12)],
        "samples": {"default factory": default, "eager_task_factory": eager},
    }


def copy_of(result: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(result)
