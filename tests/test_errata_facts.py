"""The errata_facts claims that do a thing once: each condition alone can fail them.

tests/test_claims.py gives each claim one contradiction that breaks every condition
at once; here each condition is broken on its own, on a hand-made result shaped like
the experiment's, so a condition the claim forgot to check would show.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from measured import claims
from measured.claims import errata_facts

Edit = Callable[[dict[str, Any]], None]


def _result() -> dict[str, Any]:
    return {
        "experiment": "errata_facts",
        "thread_api": [],
        "process_api": [],
        "primitives_in_both": [],
        "stdlib_tools": [],
        "socket_sent": {
            "parent_pid": 10,
            "child_pid": 11,
            "writer_pid": 11,
            "error": None,
        },
        "thread_locals": {
            "threads": [
                {"thread": i, "local_read": i, "saw_change": True} for i in range(3)
            ],
            "shared_list": [0, 1, 2],
        },
        "thread_error": {
            "default_hook": True,
            "stderr": "Exception in thread Thread-2 (fail):\n"
            "Traceback (most recent call last):\n"
            '  File "x.py", line 1, in fail\n'
            "ValueError: a worker thread failed\n",
            "other_finished": True,
        },
        "env": {"cores": 2, "python": "3.11.7"},
    }


def _judge(check: claims.Check, edit: Edit | None = None) -> bool | None:
    result = copy.deepcopy(_result())
    if edit:
        edit(result)
    return check(claims.Evidence.single(result)).holds


def _set(path: tuple[str | int, ...], value: Any) -> Edit:
    def edit(result: dict[str, Any]) -> None:
        target: Any = result
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


SOCKET = errata_facts.open_socket_can_be_sent_to_a_process
LOCALS = errata_facts.thread_locals_are_reachable_from_other_threads
ERROR = errata_facts.thread_error_is_reported_not_raised

BROKEN = {
    "socket refused": (SOCKET, _set(("socket_sent", "error"), "TypeError: no")),
    "another process wrote": (SOCKET, _set(("socket_sent", "writer_pid"), 12)),
    "nothing written": (SOCKET, _set(("socket_sent", "writer_pid"), None)),
    "local not read": (
        LOCALS,
        _set(("thread_locals", "threads", 1, "local_read"), None),
    ),
    "another thread's value read": (
        LOCALS,
        _set(("thread_locals", "threads", 1, "local_read"), 0),
    ),
    "change not seen": (
        LOCALS,
        _set(("thread_locals", "threads", 2, "saw_change"), False),
    ),
    "module list missed a thread": (
        LOCALS,
        _set(("thread_locals", "shared_list"), [0, 1]),
    ),
    "no threads": (LOCALS, _set(("thread_locals", "threads"), [])),
    "hook replaced": (ERROR, _set(("thread_error", "default_hook"), False)),
    "nothing printed": (ERROR, _set(("thread_error", "stderr"), "")),
    "no traceback": (
        ERROR,
        _set(("thread_error", "stderr"), "ValueError: a worker thread failed\n"),
    ),
    "other thread stopped": (ERROR, _set(("thread_error", "other_finished"), False)),
}


@pytest.mark.parametrize("check", [SOCKET, LOCALS, ERROR], ids=lambda c: c.__name__)
def test_holds_on_a_result_where_it_happened(check: claims.Check) -> None:
    assert _judge(check) is True


@pytest.mark.parametrize("name", BROKEN)
def test_each_condition_alone_makes_it_miss(name: str) -> None:
    check, edit = BROKEN[name]
    assert _judge(check, edit) is False


@pytest.mark.parametrize("check", [SOCKET, LOCALS, ERROR], ids=lambda c: c.__name__)
def test_checked_not_measured_with_a_flag_figure(check: claims.Check) -> None:
    assert claims.kind_of(check) == claims.CHECKED
    assert check(claims.Evidence.single(_result())).figure == 1.0
