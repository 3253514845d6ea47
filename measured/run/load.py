"""How many cores were free while an experiment ran: the machine's own state.

A parallel speedup needs free cores. When another program spins on one of two
cores, processes "reach" 1.0x and a claim looks false although nothing about
Python changed. So the runner reads, over each run, the CPU time every program
spent on the cores this process may use (``psutil.cpu_times``, the kernel's
counters) and subtracts what the experiment's own process tree used
(``getrusage(RUSAGE_CHILDREN)``, which counts every descendant that was waited
for). The rest is *foreign* load; free cores = usable cores - foreign load.

This sees other programs on the machine (a build, a browser, a CPU hog) and the
hypervisor's steal time where the kernel reports it; it cannot see a host that
slows the whole virtual machine without reporting steal. That noise is left to
the statistics (paired rounds, intervals).
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass

import psutil

from measured.run.measure import usable_cores

# One tick of the kernel's CPU-time counters, in seconds.
_TICK = 1 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
# CPU-time fields that count as busy (guest time is already inside user time).
BUSY_FIELDS = ("user", "nice", "system", "irq", "softirq", "steal")


def _cpus() -> list[int]:
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(psutil.cpu_count() or 1))


def _busy_seconds(cpus: list[int]) -> float:
    per_cpu = psutil.cpu_times(percpu=True)
    return sum(
        getattr(per_cpu[cpu], name, 0.0)
        for cpu in cpus
        if cpu < len(per_cpu)
        for name in BUSY_FIELDS
    )


def _own_seconds() -> float:
    """CPU time of this process and of every child it (and they) waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Load:
    """The machine during one run."""

    seconds: float  # wall-clock length of the run
    cores: int  # usable cores (affinity and cgroup quota)
    foreign_cores: float  # average CPUs' worth of time other programs used
    free_cores: float  # cores - foreign, never below 0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


class Meter:
    """Start before the experiment's process, :meth:`stop` after it was waited for."""

    def __init__(self) -> None:
        self.cpus = _cpus()
        self.cores = usable_cores()
        self.start_wall = time.perf_counter()
        self.start_busy = _busy_seconds(self.cpus)
        self.start_own = _own_seconds()

    def stop(self) -> Load:
        wall = max(time.perf_counter() - self.start_wall, 1e-9)
        busy = _busy_seconds(self.cpus) - self.start_busy
        own = _own_seconds() - self.start_own
        # The kernel counts CPU time in ticks: each CPU's reading may be off by a
        # tick at either end. Over a short run that rounding alone looks like
        # foreign load, so only what exceeds it counts (a hog shows over any run).
        slack = 2 * _TICK * len(self.cpus)
        foreign = max(0.0, busy - own - slack) / wall
        free = max(0.0, min(float(self.cores), len(self.cpus) - foreign))
        return Load(round(wall, 3), self.cores, round(foreign, 3), round(free, 3))


def sample(seconds: float = 1.0) -> Load:
    """The machine's load over the next ``seconds``, this process idle meanwhile."""
    meter = Meter()
    time.sleep(seconds)
    return meter.stop()
