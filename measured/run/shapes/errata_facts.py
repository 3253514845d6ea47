"""Result shape of snippets/errata_facts.py (its claims: claims/errata_facts.py)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env


class ErrataFacts(TypedDict):
    """What this Python's standard library has: the facts the errata rest on."""

    experiment: str
    thread_api: list[str]  # public names of threading.Thread
    process_api: list[str]  # public names of multiprocessing.Process
    primitives_in_both: list[str]  # in both threading and multiprocessing
    stdlib_tools: list[str]  # concurrency modules this version has
    env: NotRequired[Env]


SHAPES: dict[str, Any] = {"errata_facts": ErrataFacts}
