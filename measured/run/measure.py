"""The one measurement helper of the project.

Every experiment in ``snippets/`` times its work with :func:`time_call` and hands its
figures to :func:`emit`. This module uses the standard library only, so an experiment
runs on any interpreter (3.11+, GIL or free-threaded) without installing anything.
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measured.run import stats

# The runner sets this to a file path; the experiment's JSON result goes there.
RESULT_ENV = "MEASURED_RESULT_FILE"
# Set (by the build's caller, or by `reproduce --start-method`) to run every
# experiment's processes with one start method: see apply_start_method below.
START_METHOD_ENV = "MEASURED_START_METHOD"
START_METHODS = ("fork", "forkserver", "spawn")
DEFAULT_WARMUP = 1
# Linux only (read behind a platform test): the CPU's name and this process's cgroups.
CPUINFO = Path("/proc/cpuinfo")
CGROUPS = Path("/proc/self/cgroup")


DEFAULT_ROUNDS = (
    9  # [2nd, 8th] of 9 paired ratios: a 96 % interval, one outlier each side
)


@dataclass(frozen=True)
class Rounds:
    """Timings of several alternatives, taken in rounds: the raw data of a comparison.

    ``samples[name][i]`` is the seconds ``name`` took in round ``i``; ``order[i]`` is
    the order round ``i`` ran them in. Paired ratios, medians and intervals are
    computed from these by :mod:`measured.run.stats`, never stored beside them, so a
    results file can be judged again from what was measured.
    """

    samples: dict[str, tuple[float, ...]]
    order: tuple[tuple[str, ...], ...]
    warmup: int
    seed: int

    @property
    def rounds(self) -> int:
        return len(self.order)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": stats.ROUNDS_KIND,
            "rounds": self.rounds,
            "warmup": self.warmup,
            "order": "shuffled each round",
            "seed": self.seed,
            "orders": [list(names) for names in self.order],
            "samples": {name: list(values) for name, values in self.samples.items()},
        }

    def ratio(self, baseline: str, contender: str) -> stats.Interval:
        """Speedup of ``contender`` over ``baseline``: median of paired ratios."""
        return stats.ratio(self.to_dict(), baseline, contender)

    def timing(self, name: str) -> stats.Interval:
        return stats.timing(self.to_dict(), name)


def time_rounds(
    fns: Mapping[str, Callable[[], object]],
    *,
    rounds: int = DEFAULT_ROUNDS,
    warmup: int = DEFAULT_WARMUP,
    seed: int | None = None,
    settle: Callable[[], object] | None = None,
) -> Rounds:
    """Time every alternative once per round, in a new random order each round.

    The number of rounds is fixed before anything is timed. Taking turns spreads a
    slow spell of a shared machine over all alternatives; shuffling the order keeps
    "always first" or "always after the process pool" from favouring one of them.
    The first alternative is the baseline the others are compared with.

    ``settle``, if given, runs untimed before every call (a short sleep, say), so
    each alternative starts from the same state of the machine whatever ran
    before it: on some machines a burst of work runs slower right after other
    work than after a pause.
    """
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    names = list(fns)
    if len(set(map(str, names))) != len(names) or not all(
        isinstance(n, str) for n in names
    ):
        raise ValueError("alternatives need distinct string names")
    seed = random.SystemRandom().randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    for _ in range(warmup):
        for name in rng.sample(names, len(names)):
            if settle is not None:
                settle()
            fns[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    order = []
    for _ in range(rounds):
        this_round = rng.sample(names, len(names))
        order.append(tuple(this_round))
        for name in this_round:
            if settle is not None:
                settle()
            start = time.perf_counter()
            fns[name]()
            samples[name].append(time.perf_counter() - start)
    return Rounds(
        {name: tuple(values) for name, values in samples.items()},
        tuple(order),
        warmup,
        seed,
    )


def check_start_method(method: str) -> str:
    """``method`` if this platform can start processes with it, else ValueError.

    The message is one line a command can print as it is.
    """
    import multiprocessing  # only here: most imports of this module never need it

    if method not in START_METHODS:
        choices = ", ".join(START_METHODS)
        raise ValueError(f"unknown start method {method!r} (choose one of {choices})")
    offered = multiprocessing.get_all_start_methods()
    if method not in offered:  # forkserver and fork on Windows, for one
        raise ValueError(
            f"start method {method!r} is not available on {sys.platform} "
            f"(available here: {', '.join(offered)})"
        )
    return method


def requested_start_method(environ: Mapping[str, str] | None = None) -> str | None:
    """The start method $MEASURED_START_METHOD asks for (checked), or None if unset."""
    value = (os.environ if environ is None else environ).get(START_METHOD_ENV, "")
    if not value.strip():
        return None
    try:
        return check_start_method(value.strip())
    except ValueError as error:
        raise ValueError(f"{START_METHOD_ENV}={value!r}: {error}") from None


def apply_start_method(environ: Mapping[str, str] | None = None) -> str | None:
    """Make the requested start method every pool's and Process's default here.

    Runs when this module is imported, so an experiment's ProcessPoolExecutor,
    Pool or Process started without a context uses it, and a script needs no change
    to be run under spawn. An explicit ``get_context("fork")`` (an experiment that
    compares start methods) keeps its own, and so does CPython for
    ``ProcessPoolExecutor(max_tasks_per_child=n)`` without ``mp_context``: it
    always spawns those workers. Returns the method applied, or None.
    """
    method = requested_start_method(environ)
    if method is not None:
        import multiprocessing

        multiprocessing.set_start_method(method, force=True)
    return method


def _apply_at_import() -> None:
    try:
        apply_start_method()
    except ValueError as error:
        # One line and exit status 2 (bad input), wherever the helper is imported:
        # an experiment, a build, `python -m measured reproduce`.
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


_apply_at_import()


def _cgroup_paths() -> list[tuple[str, str]]:
    """(controllers, path) of this process's cgroups, from /proc/self/cgroup."""
    if sys.platform != "linux":
        return []  # cgroups are Linux's: elsewhere no quota is read
    try:
        lines = CGROUPS.read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        found.append((controllers, path))
    return found


def _quota_v2(folder: Path) -> float | None:
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def _quota_v1(folder: Path) -> float | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota <= 0 or period <= 0 else quota / period


def cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs' worth of time the cgroup quota allows (``--cpus=2`` gives 2.0), or None.

    Reads cgroup v2 ``cpu.max`` and v1 ``cpu.cfs_quota_us`` for this process's
    cgroup and every ancestor: the tightest quota on the way up applies.
    """
    limits = []
    for controllers, path in _cgroup_paths():
        if controllers == "":  # v2: one unified hierarchy
            base, reader = root, _quota_v2
        elif "cpu" in controllers.split(","):
            base = next(
                (
                    root / d
                    for d in ("cpu", "cpu,cpuacct", "cpuacct,cpu")
                    if (root / d).is_dir()
                ),
                root / "cpu",
            )
            reader = _quota_v1
        else:
            continue
        folder = base / path.lstrip("/")
        for level in (folder, *folder.parents):
            if not level.is_relative_to(base):
                break
            if (limit := reader(level)) is not None:
                limits.append(limit)
    return min(limits) if limits else None


def _cpus_allowed() -> int:
    """Logical CPUs this process may run on (affinity, PYTHON_CPU_COUNT on 3.13+)."""
    if hasattr(os, "process_cpu_count"):  # 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def usable_cores() -> int:
    """Cores this process can really use at once: affinity and the cgroup quota.

    A ``--cpus=2`` container on a 64-CPU host gets 2, not 64 (os.cpu_count() and
    even os.process_cpu_count() ignore the quota). A fractional quota rounds down,
    never below 1: 1.5 CPUs' worth of time cannot run two workers at full speed.
    """
    allowed = _cpus_allowed()
    quota = cgroup_cpu_limit()
    if quota is not None:
        allowed = min(allowed, max(1, math.floor(quota)))
    return allowed


def physical_cores() -> int | None:
    """Physical cores among the CPUs this process may use (Linux), else None."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            package = (topology / "physical_package_id").read_text().strip()
            core = (topology / "core_id").read_text().strip()
        except OSError:
            return None
        cores.add((package, core))
    return len(cores) or None


def tasks_for(workers: int, per_worker: int) -> int:
    """A task count every worker gets the same share of: ``per_worker`` each.

    A fixed count (8, say) leaves some of 3, 5, 6 or 7 workers idle at the end and
    makes a speedup look worse there for the wrong reason.
    """
    return max(1, workers) * per_worker


def _worker_id(hold: float) -> str:
    time.sleep(hold)
    return f"{os.getpid()}:{threading.get_ident()}"


def prestart(
    executor: Executor, workers: int, *, hold: float = 0.2, patience: float = 120.0
) -> int:
    """Start every worker of ``executor`` now, so none starts inside a timed round.

    Under spawn and forkserver (and for threads) a pool starts workers on demand;
    ``workers`` tasks that each hold their worker for ``hold`` seconds make it
    start them all. Returns how many distinct workers answered.

    A worker still starting cannot answer while the started ones take every task,
    and 25 spawned workers on two cores take seconds to start. So rounds go on
    until ``patience`` seconds have passed (not a fixed count of rounds), and the
    hold doubles each round, up to one second, to leave the late ones a task.
    """
    seen: set[str] = set()
    give_up = time.monotonic() + patience
    while True:
        futures = [executor.submit(_worker_id, hold) for _ in range(workers)]
        seen |= {future.result() for future in futures}
        if len(seen) >= workers:
            return len(seen)
        if time.monotonic() > give_up:
            raise RuntimeError(
                f"only {len(seen)} of {workers} workers answered in {patience:g} s"
            )
        hold = min(max(hold, 0.01) * 2, 1.0)


def efficiency(speedup_: float, workers: int, cores: int | None = None) -> float:
    """Speedup per usable worker: 1.0 means perfect use of min(workers, cores)."""
    cores = usable_cores() if cores is None else cores
    return speedup_ / max(1, min(workers, cores))


def gil_enabled() -> bool:
    """True unless this is a free-threaded build running with the GIL off."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def cpu_model() -> str:
    """The CPU's marketing name, as the OS reports it (else what platform knows)."""
    if sys.platform == "linux":
        name = _cpuinfo_model()
    elif sys.platform == "darwin":
        name = _sysctl("machdep.cpu.brand_string")
    elif sys.platform == "win32":
        name = _registry_cpu()
    else:
        name = ""
    return name or platform.processor() or platform.machine() or "unknown"


def _cpuinfo_model() -> str:
    """Linux: the first "model name" of /proc/cpuinfo ("" without one, e.g. ARM)."""
    if sys.platform != "linux":
        return ""
    try:
        for line in CPUINFO.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _sysctl(name: str) -> str:
    """macOS: one sysctl value ("Apple M2", "Intel(R) Core(TM) ..."), "" if none."""
    import subprocess  # only here: most experiments never need it

    try:
        out = subprocess.run(
            ["sysctl", "-n", name], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _registry_cpu() -> str:
    """Windows: the processor's name as the registry holds it, "" if unreadable.

    platform.processor() there is a family and model number, not a name.
    """
    try:
        import winreg  # Windows only

        key = r"HARDWARE\DESCRIPTION\System\CentralProcessor\0"
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as handle:
            value, _ = winreg.QueryValueEx(handle, "ProcessorNameString")
    except (ImportError, OSError):
        return ""
    return str(value).strip()


@dataclass(frozen=True)
class Environment:
    """Where a result was measured. Collected inside the experiment's own process."""

    python: str
    implementation: str
    free_threaded_build: bool
    gil_enabled: bool
    os: str
    cpu: str
    cores: int  # usable_cores(): what the experiment sized its pools for
    logical_cpus: int  # os.cpu_count(): every CPU of the machine
    physical_cores: int | None  # of the CPUs this process may use (None: unknown)
    smt: bool | None  # two or more hardware threads share a core
    cgroup_cpus: float | None  # the cgroup's CPU quota, if one is set
    date: str
    # multiprocessing's default start method when the result was emitted, and the
    # one $MEASURED_START_METHOD imposed on the whole run (None: not set).
    start_method: str
    start_method_requested: str | None

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
            logical_cpus=os.cpu_count() or 1,
            physical_cores=(physical := physical_cores()),
            smt=None if physical is None else _cpus_allowed() > physical,
            cgroup_cpus=cgroup_cpu_limit(),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            start_method=_default_start_method(),
            start_method_requested=requested_start_method(),
        )


def _default_start_method() -> str:
    import multiprocessing

    return multiprocessing.get_start_method()


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
