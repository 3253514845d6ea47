"""Result shape of snippets/errata_facts.py (its claims: claims/errata_facts.py)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env


class SocketSent(TypedDict):
    """An open socket sent over a multiprocessing pipe to a running child."""

    parent_pid: int
    child_pid: int
    writer_pid: int | None  # the PID the child wrote through the socket, if any
    error: str | None  # why sending or reading failed, if it did


class LocalSeen(TypedDict):
    """One thread's local variable, read by the main thread while the call ran."""

    thread: int  # the thread's number; its local list started as [thread]
    local_read: int | None  # what the main thread read there (None: not reached)
    saw_change: bool  # whether the thread saw the main thread's append to it


class ThreadLocals(TypedDict):
    threads: list[LocalSeen]
    shared_list: list[int]  # the module-level list every thread appended to


class ThreadError(TypedDict):
    default_hook: bool  # threading.excepthook was the default one
    stderr: str  # what it printed while a thread raised
    other_finished: bool  # a thread let go only after the failure ran to the end


class ErrataFacts(TypedDict):
    """What this Python's standard library has: the facts the errata rest on."""

    experiment: str
    thread_api: list[str]  # public names of threading.Thread
    process_api: list[str]  # public names of multiprocessing.Process
    primitives_in_both: list[str]  # in both threading and multiprocessing
    stdlib_tools: list[str]  # concurrency modules this version has
    socket_sent: SocketSent
    thread_locals: ThreadLocals
    thread_error: ThreadError
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {"errata_facts": ErrataFacts}
