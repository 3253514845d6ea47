"""Result shapes of guide part 1: threads, the GIL, processes, performance."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from measured.run.shapes.common import Env, RoundsRecord


class CpuBound(TypedDict):
    """snippets/cpu_bound.py: serial, thread pools and process pools, in rounds."""

    experiment: str
    tasks: int
    size: int
    cores: int
    workers: list[int]  # the pool sizes tried
    headline_workers: int  # fixed before timing: one per usable core
    start_method: str
    cpu: RoundsRecord  # "serial", "threads N", "processes N"
    env: NotRequired[Env]  # added by measure.emit


SHAPES: dict[str, Any] = {"cpu_bound": CpuBound}
