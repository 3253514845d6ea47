"""Run one experiment script in a fresh interpreter, in its own process group.

The script is a file a reader can run by hand. Here it runs in a group of its own
(so a timeout can kill it *and* every child it started: measured.run.processes,
on Linux, macOS and Windows), its stdout and stderr captured, and its JSON result
read from the file ``measure.emit`` writes.
"""

from __future__ import annotations

import ast
import getpass
import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from measured.run import cache, load, pace, processes, project, stats
from measured.run.interpreter import Interpreter, probe
from measured.run.measure import RESULT_ENV, START_METHOD_ENV, requested_start_method

# Where leftovers are described and looked for (kept here for the runner's callers).
from measured.run.processes import LEFTOVER_KINDS, NOT_CHECKED
from measured.run.processes import SHM_DIR as SHM_DIR

DEFAULT_TIMEOUT = 120.0
# A script may set its own limit with a top-level `TIMEOUT = <seconds>`.
TIMEOUT_NAME = "TIMEOUT"
STDERR_TAIL = 20
# What a run left behind (Execution.leftovers) is looked for once its script has
# exited (processes.leftovers, LEFTOVER_KINDS). Helpers (resource tracker,
# forkserver) exit by themselves once the script is gone: they get this long.
LEFTOVER_GRACE = 5.0

# How often an experiment is measured is decided before any claim is judged, and
# never because of what a claim says (see replicate()):
# - every experiment runs PLANNED_RUNS times (a script may declare `RUNS = <n>`);
# - one more run, up to MAX_RUNS in all, only when the run's own noise says so:
#   the machine was busy (fewer than stats.FREE_SHARE of the usable cores free,
#   measured.load), or the widest interval of a paired ratio its claims judge, in
#   the pooled rounds, is wider than NOISE_LIMIT of its median (stats.noise);
# - which ratios the claims judge, the script declares (the runner never imports
#   a claim): a top-level `JUDGED = ("path: baseline / contender", ...)`, each
#   named as stats.ratio_label names it, e.g. "workloads/CPU/rounds: serial /
#   processes" (the rounds record at result["workloads"]["CPU"]["rounds"], the
#   serial loop's time over the process pool's). `{field}` is a top-level field
#   of the result (`threads {headline_workers}`), `*` any text. `JUDGED = ()`: no
#   run is added for noise. A script without JUDGED keeps the older, wider rule
#   (every alternative against its record's first one), so a new experiment is
#   never under-replicated; tests/test_judged_ratios.py holds every declaration
#   to the ratios the claims actually compute;
# - before a run added because the machine was busy, the runner watches the
#   machine for BUSY_PAUSE seconds; if it is still busy, another run would be too,
#   and it stops.
# Every run made is kept, published and judged: claims pool them all.
RUNS_NAME = "RUNS"
JUDGED_NAME = "JUDGED"
PLANNED_RUNS = 1
MAX_RUNS = 3
NOISE_LIMIT = 0.25
BUSY_PAUSE = 1.0

# Small examples (examples/*.py, run_example): scripts a reader pastes and runs.
# They measure nothing a claim judges: one run each, cached whatever the machine's
# load, never in results.json. -I keeps PYTHON* variables, the script's folder and
# the user's site-packages off sys.path, -S every site-packages: an example that
# imports anything but the standard library (measured included) fails the build.
EXAMPLE_TIMEOUT = 30.0
EXAMPLE_FLAGS = ("-I", "-S")
# Bumped when the way examples run changes, so none is served from an older way.
EXAMPLE_RUN_VERSION = "1"

# Per build process: how many experiments ran and how many came from the cache.
counters: Counter[str] = Counter()
# (experiment, cache key) -> its run: two scripts may have the same content.
_this_build: dict[tuple[str, str], Run] = {}
# Cache keys of this build: hashing a script means parsing it and every local
# module it imports, and pages ask for the same experiment hundreds of times.
# Files do not change within one build; reset() starts over. Keyed by script,
# interpreter and imposed start method.
_keys: dict[tuple[Path, str, str | None], str] = {}
# (example, cache key) -> its run, in the order pages asked for them.
_examples: dict[tuple[str, str], Run] = {}


def reset() -> None:
    """Start a new build: forget this process's runs and counters (not the cache)."""
    counters.clear()
    _this_build.clear()
    _keys.clear()
    cache.forget_files()
    _examples.clear()


def this_build() -> list[Run]:
    """Every run of this build (or process), in the order they were first asked for."""
    return list(_this_build.values())


class ExperimentFailed(RuntimeError):
    """An experiment raised, exited non-zero, timed out or emitted no result."""

    def __init__(
        self,
        script: Path,
        reason: str,
        stderr: str,
        *,
        page: str | None = None,
        interpreter: str = "",
        what: str = "experiment",
    ) -> None:
        self.script, self.reason, self.page, self.what = script, reason, page, what
        tail = stderr.rstrip().splitlines()[-STDERR_TAIL:]
        lines = [
            f"{what} {_display(script)} failed: {reason}",
            f"  page: {page or '(not called from a page)'}",
            f"  interpreter: {interpreter}",
            f"  last {len(tail)} lines of stderr:" if tail else "  stderr: (empty)",
            *(f"    | {line}" for line in tail),
        ]
        super().__init__("\n".join(lines))


@dataclass
class Execution:
    """One run of an experiment script: a fresh interpreter, start to exit."""

    result: dict[str, Any]
    stdout: str
    stderr: str
    seconds: float
    # The machine while it ran (measured.load.Load): free cores, foreign load.
    machine: dict[str, Any] = field(default_factory=dict)
    # Why the runner added this run; "" for a planned run.
    added_because: str = ""
    # What the run left behind, kind -> items (LEFTOVER_KINDS); None for a record
    # made before the runner looked (run() measures such a record again). Where a
    # kind cannot be checked on this system, NOT_CHECKED lists it (never on Linux).
    leftovers: dict[str, list[str]] | None = None

    def free_cores(self) -> float | None:
        """Free cores while it ran: the meter's, or fewer if the experiment's probe
        shows the machine delivered less (measured.run.pace)."""
        return pace.free_cores(self.machine, self.result)

    def _too_few(self, free: float | None) -> bool:
        """Fewer than stats.FREE_SHARE of the usable cores (False if unknown)."""
        cores = self.machine.get("cores")
        if free is None or cores is None:
            return False
        return bool(free < stats.FREE_SHARE * cores)

    def meter_busy(self) -> bool:
        """Busy by the load meter alone (other programs held the cores)."""
        return self._too_few(self.machine.get("free_cores"))

    def busy(self) -> bool:
        """Busy by the meter or by the experiment's probe (measured.run.pace)."""
        return self._too_few(self.free_cores())

    def left_behind(self) -> list[str]:
        """Every leftover as one line ("processes: pid 12: python ..."), or []."""
        return [
            f"{kind}: {item}"
            for kind, items in (self.leftovers or {}).items()
            if kind in LEFTOVER_KINDS
            for item in items
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "seconds": self.seconds,
            "machine": self.machine,
            "added_because": self.added_because,
            "leftovers": self.leftovers,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Execution:
        return cls(
            result=data["result"],
            stdout=data["stdout"],
            stderr=data["stderr"],
            seconds=data["seconds"],
            machine=data.get("machine") or {},
            added_because=data.get("added_because", ""),
            leftovers=_checked(data.get("leftovers")),
        )


def _checked(leftovers: Any) -> dict[str, list[str]] | None:
    """A record's leftovers if the runner that made it looked for them, else None."""
    if isinstance(leftovers, dict) and all(k in leftovers for k in LEFTOVER_KINDS):
        kept = {kind: list(leftovers[kind]) for kind in LEFTOVER_KINDS}
        if leftovers.get(NOT_CHECKED):  # what this system gave no way to check
            kept[NOT_CHECKED] = list(leftovers[NOT_CHECKED])
        return kept
    return None


@dataclass
class Run:
    """One experiment's outcome on one interpreter: every run made, fresh or cached."""

    name: str
    script: Path
    executions: list[Execution]
    cached: bool
    interpreter: Interpreter
    planned: int = PLANNED_RUNS
    # Why replication stopped early ("" when it did not need to).
    stopped_because: str = ""
    # Pages that showed this run, in build order (the results file lists them).
    pages: list[str] = field(default_factory=list)

    @property
    def first(self) -> Execution:
        return self.executions[0]

    @property
    def result(self) -> dict[str, Any]:
        """The first run's result: set-up and environment (same in every run)."""
        return self.first.result

    @property
    def stdout(self) -> str:
        return self.first.stdout

    @property
    def stderr(self) -> str:
        return self.first.stderr

    @property
    def seconds(self) -> float:
        return sum(e.seconds for e in self.executions)

    @property
    def env(self) -> dict[str, Any]:
        return self.result["env"]

    def records(self) -> list[dict[str, Any]]:
        """Every run as ``{"result", "machine"}``: what claims.Evidence.of reads."""
        return [{"result": e.result, "machine": e.machine} for e in self.executions]

    def busy(self) -> bool:
        """True when every run was made on a busy machine."""
        return all(e.busy() for e in self.executions)


def _display(script: Path) -> str:
    try:
        return str(script.resolve().relative_to(project.root()))
    except ValueError:
        return str(script)


def resolve(name: str | Path) -> Path:
    """``"cpu_bound"`` or ``"snippets/cpu_bound.py"`` or a path -> the script file."""
    path = Path(name)
    if path.suffix != ".py":
        path = project.snippets_dir() / f"{name}.py"
    elif not path.is_absolute():
        path = project.root() / path
    if not path.is_file():
        raise FileNotFoundError(f"no experiment script at {path}")
    return path


def declared(script: Path, name: str) -> float | None:
    """The script's own top-level ``NAME = <number>``, if it has one."""
    for node in ast.parse(script.read_text()).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, int | float)
        ):
            return float(node.value.value)
    return None


def declared_timeout(script: Path) -> float | None:
    """The script's own top-level ``TIMEOUT = <seconds>``, if it has one."""
    return declared(script, TIMEOUT_NAME)


def planned_runs(script: Path) -> int:
    """How many runs the script asks for up front (``RUNS = <n>``), else the default."""
    runs = declared(script, RUNS_NAME)
    return max(1, int(runs)) if runs is not None else PLANNED_RUNS


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while a process group is being killed.

    A second Ctrl-C in the middle of the cleanup would otherwise leave children
    running. The interrupt is delivered (re-raised) once the cleanup is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be changed from the main thread
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)


def execute(
    script: Path,
    *,
    interpreter: Interpreter,
    timeout: float,
    page: str | None = None,
    what: str = "experiment",
    start_method: str | None = None,
) -> Execution:
    """Run ``script`` once now, whatever the cache holds. Raises ExperimentFailed.

    ``what="example"`` runs a small example (run_example): with EXAMPLE_FLAGS, and
    with no result file to emit. ``start_method`` reaches the script as
    $MEASURED_START_METHOD (measure.apply_start_method); None leaves it unset.
    """
    example = what == "example"
    root = project.root()
    shm_before, started = processes.shm_entries(), time.time()
    with tempfile.TemporaryDirectory(prefix="measured-") as tmp:
        result_file = Path(tmp) / "result.json"
        env = {
            **os.environ,
            RESULT_ENV: str(result_file),
            # `import measured` works even for interpreters without our venv.
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p
            ),
            "PYTHONUNBUFFERED": "1",
            "PYTHONUTF8": "1",
        }
        env.pop(START_METHOD_ENV, None)  # only the one run() decided on reaches it
        if start_method is not None:
            env[START_METHOD_ENV] = start_method
        processes.become_subreaper()
        before = processes.descendants()
        meter = load.Meter()
        t0 = time.perf_counter()
        flags = EXAMPLE_FLAGS if example else ()
        proc = subprocess.Popen(
            [interpreter.executable, *flags, str(script)],
            cwd=root,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **processes.group_options(),
        )
        reason = None
        leftovers: dict[str, list[str]] = {}
        left: list[psutil.Process] = []
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
            seconds = time.perf_counter() - t0
            # Before anything is killed: what the script itself left running.
            leftovers, left = processes.leftovers(
                proc.pid, before, shm_before, started, stderr, grace=LEFTOVER_GRACE
            )
        except subprocess.TimeoutExpired:
            with _interrupts_deferred():
                processes.kill_tree(proc)
            stdout, stderr = proc.communicate()
            seconds = time.perf_counter() - t0
            reason = f"timed out after {timeout:g} s; its process group was killed"
        except KeyboardInterrupt:
            # Ctrl-C: the script runs in its own session, so the terminal's SIGINT
            # never reached it. Stop it and every child, free what it leaked, and
            # let the caller keep what already finished.
            with _interrupts_deferred():
                processes.kill_tree(proc)
                processes.end(left)
                processes.reap(proc)
                processes.remove_leaked_shm(shm_before, started)
            counters["interrupted"] += 1
            raise
        finally:
            with _interrupts_deferred():
                processes.kill_tree(proc)  # children that outlived the script
                processes.end(left)  # and those that left its session
                processes.reap_orphans(proc.pid)
        machine = meter.stop().to_dict()
        if reason is None and proc.returncode != 0:
            reason = f"exited with status {proc.returncode}"
        if reason is None and not example and not result_file.is_file():
            reason = "exited 0 but emitted no result (call measure.emit)"
        if reason is not None:
            leaked = processes.remove_leaked_shm(shm_before, started)
            if leaked:
                reason += f"; removed leaked shared memory {', '.join(leaked)}"
            counters["failed"] += 1
            raise ExperimentFailed(
                script,
                reason,
                stderr,
                page=page,
                interpreter=interpreter.executable,
                what=what,
            )
        processes.unlink_shm(leftovers["shared_memory"])  # recorded; now freed
        result = {} if example else _load_result(result_file)
    counters["example executed" if example else "executed"] += 1
    return Execution(result, stdout, stderr, seconds, machine, leftovers=leftovers)


def _load_result(path: Path) -> dict[str, Any]:
    import json

    return json.loads(path.read_text())


def run(
    name: str | Path,
    *,
    python: str | None = None,
    timeout: float | None = None,
    fresh: bool | None = None,
    page: str | None = None,
    store: cache.Store | None = None,
    start_method: str | None = None,
) -> Run:
    """The experiment's runs: from the cache when its inputs are unchanged.

    ``fresh`` (default: $MEASURED_FRESH) re-executes even when a result is stored;
    within one process each experiment is still measured at most once.
    ``start_method`` (default: $MEASURED_START_METHOD, checked) is imposed on every
    process the script starts without a context of its own; it is part of the key.
    """
    script = resolve(name)
    interpreter = probe(python)
    method = start_method or requested_start_method()
    key = _keys.get((script, interpreter.executable, method))
    if key is None:
        key = cache.key(script, interpreter, start_method=method)
        _keys[(script, interpreter.executable, method)] = key
    if (script.stem, key) in _this_build:
        return _seen_on(_this_build[(script.stem, key)], page)
    store = store or cache.Store()
    fresh = cache.fresh_requested() if fresh is None else fresh
    record = None if fresh else store.load(script.stem, key)
    if record is not None and _complete(record):
        counters["cached"] += 1
        outcome = Run(
            name=script.stem,
            script=script,
            executions=[Execution.from_dict(e) for e in record["executions"]],
            cached=True,
            interpreter=interpreter,
            planned=record.get("planned", PLANNED_RUNS),
            stopped_because=record.get("stopped_because", ""),
        )
    else:
        limit = timeout or declared_timeout(script) or DEFAULT_TIMEOUT
        outcome = replicate(
            script,
            interpreter=interpreter,
            timeout=limit,
            page=page,
            start_method=method,
        )
        # Stored whatever the machine was doing: an unchanged rebuild runs no
        # experiment. A run made on a busy machine carries its free cores, so its
        # timed verdicts stay "not shown (busy)" wherever it is served; the build
        # log names it, and `make fresh` measures it again.
        store.save(
            script.stem,
            key,
            {
                "executions": [e.to_dict() for e in outcome.executions],
                "planned": outcome.planned,
                "stopped_because": outcome.stopped_because,
                "measured_by": getpass.getuser(),
            },
        )
    _this_build[(script.stem, key)] = outcome
    return _seen_on(outcome, page)


def _complete(record: dict[str, Any]) -> bool:
    """A stored record this runner can serve: its runs, each with its leftovers.

    A record made before the runner looked for leftovers is measured again: a
    cleanup test must never pass on a run nobody checked.
    """
    executions = record.get("executions")
    return bool(executions) and all(
        _checked(e.get("leftovers")) is not None for e in executions
    )


def judged_ratios(script: Path) -> tuple[str, ...] | None:
    """The script's own top-level ``JUDGED = (...)``, or None when it has none.

    Read without running or importing the script, like ``RUNS``. Each entry is a
    ratio label (stats.ratio_label: "path: baseline / contender"), with ``{field}``
    and ``*`` allowed (stats.ratio_pattern).
    """
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == JUDGED_NAME for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
            if not isinstance(value, tuple | list) or not all(
                isinstance(v, str) and ": " in v and " / " in v for v in value
            ):
                raise ValueError(
                    f"{_display(script)}: {JUDGED_NAME} must be a literal tuple of "
                    '"path: baseline / contender" strings'
                )
            return tuple(value)
    return None


def pooled_noise(
    executions: list[Execution], judged: tuple[str, ...] | None = None
) -> tuple[float, str]:
    """stats.noise over the runs' rounds, pooled comparison by comparison.

    Only the runs a timed verdict can rest on count (those not busy), unless every
    run was busy. ``judged``: the script's declared ratios (judged_ratios); None
    counts every alternative against its record's first one.
    """
    quiet = [e for e in executions if not e.busy()] or executions
    by_path: dict[str, list[Any]] = {}
    for execution in quiet:
        for path, record in stats.find_rounds(execution.result):
            by_path.setdefault(path, []).append(record)
    pooled = {path: stats.pooled(records) for path, records in by_path.items()}
    if judged is None:
        return stats.noise(pooled)
    fields = executions[0].result
    patterns = [stats.ratio_pattern(entry, fields) for entry in judged]
    return stats.noise(pooled, lambda label: any(p.fullmatch(label) for p in patterns))


def another_run(
    executions: list[Execution], judged: tuple[str, ...] | None = None
) -> str:
    """Why one more run is needed, from the runs' own noise only ("" if none is).

    Never looks at a claim: the same rule applies whatever the figures say. Only
    the ratios the script declares its claims judge count (``judged``, see
    judged_ratios); a script that declares none counts them all.
    """
    last = executions[-1]
    if last.busy():
        m, free = last.machine, last.free_cores()
        if free == m.get("free_cores"):
            return (
                f"run {len(executions)} had about {free:.1f} of {m['cores']} cores free"
            )
        return (
            f"run {len(executions)}'s probe got about {free:.1f} of {m['cores']} "
            "cores (measured.run.pace)"
        )
    width, where = pooled_noise(executions, judged)
    if width > NOISE_LIMIT:
        which = "a ratio its claims judge" if judged is not None else "a paired ratio"
        return (
            f"after {len(executions)} run(s), the widest interval of {which} was "
            f"{width:.0%} of its median ({where}), over the {NOISE_LIMIT:.0%} limit"
        )
    return ""


def replicate(
    script: Path,
    *,
    interpreter: Interpreter,
    timeout: float,
    page: str | None,
    start_method: str | None = None,
) -> Run:
    """The planned runs of ``script``, plus the extra runs its noise calls for."""
    planned = planned_runs(script)
    judged = judged_ratios(script)

    def once() -> Execution:
        return execute(
            script,
            interpreter=interpreter,
            timeout=timeout,
            page=page,
            start_method=start_method,
        )

    executions = [once() for _ in range(planned)]
    stopped = ""
    while len(executions) < MAX_RUNS and (why := another_run(executions, judged)):
        if executions[-1].meter_busy():
            # Only the load meter can be read again without running anything; a
            # run only the probe found busy is followed by another run at once.
            now = load.sample(BUSY_PAUSE)
            if now.free_cores < stats.FREE_SHARE * now.cores:
                stopped = (
                    f"{why}, and the machine was still busy afterwards "
                    f"({now.free_cores:.1f} cores free): another run would be too"
                )
                break
        counters["added"] += 1
        execution = once()
        execution.added_because = why
        executions.append(execution)
    else:
        if len(executions) >= MAX_RUNS and (why := another_run(executions, judged)):
            stopped = f"{why}; {MAX_RUNS} runs is the most the rule makes"
    return Run(
        name=script.stem,
        script=script,
        executions=executions,
        cached=False,
        interpreter=interpreter,
        planned=planned,
        stopped_because=stopped,
    )


def _seen_on(outcome: Run, page: str | None) -> Run:
    if page and page not in outcome.pages:
        outcome.pages.append(page)
    return outcome


def examples_this_build() -> list[Run]:
    """Every small example this build (or process) showed, in the order asked for."""
    return list(_examples.values())


def example_key(script: Path, interpreter: Interpreter) -> str:
    """An experiment's cache key (script, interpreter, machine) and how it runs."""
    how = f"example {EXAMPLE_RUN_VERSION} {' '.join(EXAMPLE_FLAGS)}"
    digest = hashlib.sha256(f"{how}|{cache.key(script, interpreter)}".encode())
    return digest.hexdigest()


def run_example(
    script: Path,
    *,
    page: str | None = None,
    timeout: float = EXAMPLE_TIMEOUT,
    fresh: bool | None = None,
    store: cache.Store | None = None,
) -> Run:
    """A small example's one run: from the cache when it and the interpreter are
    unchanged, else executed now in a fresh interpreter (execute(), what="example").

    Raises ExperimentFailed (what="example") when it raises, exits non-zero, passes
    ``timeout`` (its whole process group is killed) or leaves a process, a port or
    shared memory behind: a reader's copy must end cleanly.
    """
    script = script.resolve()
    if not script.is_file():
        raise FileNotFoundError(f"no example script at {_display(script)}")
    interpreter = probe(None)
    key = example_key(script, interpreter)
    name = f"example-{script.stem}"
    if (name, key) in _examples:
        return _seen_on(_examples[(name, key)], page)
    store = store or cache.Store()
    fresh = cache.fresh_requested() if fresh is None else fresh
    record = None if fresh else store.load(name, key)
    if record is not None:
        counters["example cached"] += 1
        execution = Execution.from_dict(record["execution"])
    else:
        execution = execute(
            script, interpreter=interpreter, timeout=timeout, page=page, what="example"
        )
        if left := execution.left_behind():
            counters["failed"] += 1
            raise ExperimentFailed(
                script,
                "left behind " + "; ".join(left),
                execution.stderr,
                page=page,
                interpreter=interpreter.executable,
                what="example",
            )
        store.save(name, key, {"execution": execution.to_dict()})
    outcome = Run(
        name=script.stem,
        script=script,
        executions=[execution],
        cached=record is not None,
        interpreter=interpreter,
    )
    _examples[(name, key)] = outcome
    return _seen_on(outcome, page)
