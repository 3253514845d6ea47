"""The one measurement helper of the project.

Every experiment in ``snippets/`` times its work with :func:`time_call` and hands its
figures to :func:`emit`. This module uses the standard library only, so an experiment
runs on any interpreter (3.11+, GIL or free-threaded) without installing anything.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import sysconfig
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The runner sets this to a file path; the experiment's JSON result goes there.
RESULT_ENV = "MEASURED_RESULT_FILE"
DEFAULT_REPEATS = 5
DEFAULT_WARMUP = 1


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated calls: the samples and their summary."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def spread(self) -> float:
        """(max - min) / median: how noisy the repeats were."""
        return (self.max - self.min) / self.median if self.median else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "spread": self.spread,
            "samples": list(self.samples),
        }


def time_call(
    fn: Callable[[], object],
    *,
    repeats: int = DEFAULT_REPEATS,
    warmup: int = DEFAULT_WARMUP,
) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times timed."""
    return time_interleaved({"fn": fn}, repeats=repeats, warmup=warmup)["fn"]


def time_interleaved(
    fns: Mapping[str, Callable[[], object]],
    *,
    repeats: int = DEFAULT_REPEATS,
    warmup: int = DEFAULT_WARMUP,
) -> dict[str, Timing]:
    """Time several alternatives in rounds: each round calls every one once.

    On a shared machine the background load drifts. Timing A five times and then
    B five times lets that drift land on one of them and fake a speedup; taking
    turns spreads it over all of them, so their ratios stay honest.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def usable_cores() -> int:
    """Logical cores this process may run on (affinity and PYTHON_CPU_COUNT aware)."""
    if hasattr(os, "process_cpu_count"):  # 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def speedup(baseline: Timing, other: Timing) -> float:
    """How many times faster ``other`` is than ``baseline`` (medians)."""
    return baseline.median / other.median


def efficiency(speedup_: float, workers: int, cores: int | None = None) -> float:
    """Speedup per usable worker: 1.0 means perfect use of min(workers, cores)."""
    cores = usable_cores() if cores is None else cores
    return speedup_ / max(1, min(workers, cores))


def gil_enabled() -> bool:
    """True unless this is a free-threaded build running with the GIL off."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def cpu_model() -> str:
    """The CPU's marketing name, as the OS reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@dataclass(frozen=True)
class Environment:
    """Where a result was measured. Collected inside the experiment's own process."""

    python: str
    implementation: str
    free_threaded_build: bool
    gil_enabled: bool
    os: str
    cpu: str
    cores: int
    date: str

    @classmethod
    def here(cls) -> Environment:
        return cls(
            python=platform.python_version(),
            implementation=platform.python_implementation(),
            free_threaded_build=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            gil_enabled=gil_enabled(),
            os=f"{platform.system()} {platform.release()}",
            cpu=cpu_model(),
            cores=usable_cores(),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )


def emit(data: dict[str, Any]) -> dict[str, Any]:
    """Hand the experiment's figures to the runner (or keep them, run by hand).

    ``data`` must be JSON-serialisable; the environment is added under ``"env"``.
    Returns the full result so a script can also print from it.
    """
    result = {**data, "env": asdict(Environment.here())}
    path = os.environ.get(RESULT_ENV)
    if path:
        Path(path).write_text(json.dumps(result, indent=2))
    return result
