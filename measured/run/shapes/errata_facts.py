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


class LocalCount(TypedDict):
    asked: int  # how far this thread was told to count, in a local variable
    counted: int  # what its local variable held at the end


class ThreadError(TypedDict):
    excepthook_saw: list[str]  # exception types threading.excepthook received
    join_raised: bool  # whether join() on the failed thread raised
    other_ran: bool  # whether a thread started beside it ran to the end


class ErrataFacts(TypedDict):
    """What this Python's standard library has: the facts the errata rest on."""

    experiment: str
    thread_api: list[str]  # public names of threading.Thread
    process_api: list[str]  # public names of multiprocessing.Process
    primitives_in_both: list[str]  # in both threading and multiprocessing
    stdlib_tools: list[str]  # concurrency modules this version has
    socket_sent: SocketSent
    thread_locals: list[LocalCount]
    thread_error: ThreadError
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {"errata_facts": ErrataFacts}
