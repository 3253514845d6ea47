"""Shapes every experiment shares: its environment and a timed-rounds record."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class Env(TypedDict):
    """Where a result was measured (measure.Environment, added by measure.emit)."""

    python: str
    implementation: str
    free_threaded_build: bool
    gil_enabled: bool
    os: str
    cpu: str
    cores: int
    logical_cpus: int
    physical_cores: int | None
    smt: bool | None
    cgroup_cpus: float | None
    date: str
    start_method: NotRequired[str]  # the default when the result was emitted
    start_method_requested: NotRequired[str | None]  # $MEASURED_START_METHOD


class RoundsRecord(TypedDict):
    """measure.Rounds.to_dict(): every alternative's seconds, round by round."""

    kind: Literal["rounds"]
    rounds: int
    warmup: int
    order: NotRequired[str]
    seed: NotRequired[int]
    orders: NotRequired[list[list[str]]]
    samples: dict[str, list[float]]


class DeliveredCores(TypedDict):
    """measured.run.pace.record(): cores the machine delivered to the probe."""

    method: NotRequired[str]  # "probe" (older results: the workers' own pace)
    cores: float  # median over the rounds of alone / together, at most workers
    per_round: list[float]
    workers: int
