"""Run one experiment script in a fresh interpreter, in its own process group.

The script is a file a reader can run by hand. Here it runs with its own session
(so a timeout can kill it *and* every child it started), its stdout and stderr
captured, and its JSON result read from the file ``measure.emit`` writes.
"""

from __future__ import annotations

import ast
import getpass
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

from . import cache, claims, project
from .interpreter import Interpreter, probe
from .measure import RESULT_ENV

DEFAULT_TIMEOUT = 120.0
# A script may set its own limit with a top-level `TIMEOUT = <seconds>`.
TIMEOUT_NAME = "TIMEOUT"
STDERR_TAIL = 20
# How long children get to exit after SIGTERM before SIGKILL.
GRACE_SECONDS = 3.0
SHM_DIR = Path("/dev/shm")
# Name prefixes multiprocessing uses for shared memory and named semaphores.
SHM_PREFIXES = ("psm_", "wnsm_", "sem.mp-")
# A shared machine can slow one core for a second or two, and a speedup measured
# then misses its claim's margin although nothing about the claim changed. So a
# miss is confirmed before it stands: the experiment runs again, up to ATTEMPTS
# runs in all. Every missed run is kept and shown beside the figures (Run.misses),
# and a claim that misses on every run still fails the build's tests.
ATTEMPTS = 3

# Per build process: how many experiments ran and how many came from the cache.
stats: Counter[str] = Counter()
_this_build: dict[str, Run] = {}
# Cache keys of this build: hashing a script means parsing it and every local
# module it imports, and pages ask for the same experiment hundreds of times.
# Files do not change within one build; reset() starts over.
_keys: dict[tuple[Path, str], str] = {}


def reset() -> None:
    """Start a new build: forget this process's runs and counters (not the cache)."""
    stats.clear()
    _this_build.clear()
    _keys.clear()


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
    ) -> None:
        self.script, self.reason, self.page = script, reason, page
        tail = stderr.rstrip().splitlines()[-STDERR_TAIL:]
        lines = [
            f"experiment {_display(script)} failed: {reason}",
            f"  page: {page or '(not called from a page)'}",
            f"  interpreter: {interpreter}",
            f"  last {len(tail)} lines of stderr:" if tail else "  stderr: (empty)",
            *(f"    | {line}" for line in tail),
        ]
        super().__init__("\n".join(lines))


@dataclass
class Run:
    """One experiment's outcome, fresh or from the cache."""

    name: str
    script: Path
    result: dict[str, Any]
    stdout: str
    stderr: str
    seconds: float
    cached: bool
    interpreter: Interpreter
    leftovers: list[str] = field(default_factory=list)
    # Earlier runs of this measurement whose claims missed (see ATTEMPTS).
    misses: list[dict[str, Any]] = field(default_factory=list)
    # Pages that showed this run, in build order (the results file lists them).
    pages: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, Any]:
        return self.result["env"]


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


def declared_timeout(script: Path) -> float | None:
    """The script's own top-level ``TIMEOUT = <number>``, if it has one."""
    for node in ast.parse(script.read_text()).body:
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id == TIMEOUT_NAME for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, int | float)
        ):
            return float(node.value.value)
    return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the whole group, wait, then SIGKILL what is left.

    SIGTERM first: multiprocessing's resource tracker ignores it, outlives the
    workers and unlinks the shared memory they leaked. SIGKILL only for the stubborn.
    """
    pgid = proc.pid  # start_new_session=True: the group id is the leader's pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _group_alive(pgid):
                return
            time.sleep(0.02)


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


def _shm_entries() -> set[str]:
    try:
        return {p.name for p in SHM_DIR.iterdir() if p.name.startswith(SHM_PREFIXES)}
    except OSError:
        return set()


def _remove_leaked_shm(before: set[str], since: float) -> list[str]:
    """Unlink segments this run created and left behind (after its group died)."""
    removed = []
    me = os.getuid()
    for name in sorted(_shm_entries() - before):
        path = SHM_DIR / name
        try:
            st = path.stat()
            if st.st_uid == me and st.st_mtime >= since - 1:
                path.unlink()
                removed.append(name)
        except OSError:
            continue
    return removed


def execute(
    script: Path, *, interpreter: Interpreter, timeout: float, page: str | None = None
) -> Run:
    """Run ``script`` now, whatever the cache holds. Raises ExperimentFailed."""
    root = project.root()
    shm_before, started = _shm_entries(), time.time()
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
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [interpreter.executable, str(script)],
            cwd=root,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        reason = None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with _interrupts_deferred():
                _kill_group(proc)
            stdout, stderr = proc.communicate()
            reason = f"timed out after {timeout:g} s; its process group was killed"
        except KeyboardInterrupt:
            # Ctrl-C: the script runs in its own session, so the terminal's SIGINT
            # never reached it. Stop it and every child, free what it leaked, and
            # let the caller keep what already finished.
            with _interrupts_deferred():
                _kill_group(proc)
                _reap(proc)
                _remove_leaked_shm(shm_before, started)
            stats["interrupted"] += 1
            raise
        finally:
            with _interrupts_deferred():
                _kill_group(proc)  # children that outlived the script: end them
        seconds = time.perf_counter() - t0
        if reason is None and proc.returncode != 0:
            reason = f"exited with status {proc.returncode}"
        if reason is None and not result_file.is_file():
            reason = "exited 0 but emitted no result (call measure.emit)"
        if reason is not None:
            leaked = _remove_leaked_shm(shm_before, started)
            if leaked:
                reason += f"; removed leaked shared memory {', '.join(leaked)}"
            stats["failed"] += 1
            raise ExperimentFailed(
                script, reason, stderr, page=page, interpreter=interpreter.executable
            )
        result = _load_result(result_file)
    stats["executed"] += 1
    return Run(
        name=script.stem,
        script=script,
        result=result,
        stdout=stdout,
        stderr=stderr,
        seconds=seconds,
        cached=False,
        interpreter=interpreter,
    )


def _reap(proc: subprocess.Popen[str]) -> None:
    """Collect a killed script's exit status and close its pipes."""
    try:
        proc.communicate(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:  # a grandchild that left the group holds a pipe
        proc.kill()


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
) -> Run:
    """The experiment's result: from the cache when its inputs are unchanged.

    ``fresh`` (default: $MEASURED_FRESH) re-executes even when a result is stored;
    within one process each experiment still runs at most once.
    """
    script = resolve(name)
    interpreter = probe(python)
    key = _keys.get((script, interpreter.executable))
    if key is None:
        key = _keys[(script, interpreter.executable)] = cache.key(script, interpreter)
    if key in _this_build:
        return _seen_on(_this_build[key], page)
    store = store or cache.Store()
    fresh = cache.fresh_requested() if fresh is None else fresh
    record = None if fresh else store.load(script.stem, key)
    if record is not None:
        stats["cached"] += 1
        outcome = Run(
            name=script.stem,
            script=script,
            result=record["result"],
            stdout=record["stdout"],
            stderr=record["stderr"],
            seconds=record["seconds"],
            cached=True,
            interpreter=interpreter,
            misses=record.get("misses", []),
        )
    else:
        limit = timeout or declared_timeout(script) or DEFAULT_TIMEOUT
        outcome = _execute_confirmed(
            script, interpreter=interpreter, timeout=limit, page=page
        )
        store.save(
            script.stem,
            key,
            {
                "result": outcome.result,
                "stdout": outcome.stdout,
                "stderr": outcome.stderr,
                "seconds": outcome.seconds,
                "misses": outcome.misses,
                "measured_by": getpass.getuser(),
            },
        )
    _this_build[key] = outcome
    return _seen_on(outcome, page)


def missed_claims(experiment: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The registered claims of ``experiment`` that ``result`` contradicts.

    A claim that cannot read the result is not a miss here: the results file
    judges it (and fails a strict build) with the full error.
    """
    judged = claims.evaluate(experiment, result, strict=False)
    return [claim for claim in judged if claim["holds"] is False]


def _execute_confirmed(
    script: Path, *, interpreter: Interpreter, timeout: float, page: str | None
) -> Run:
    """Execute ``script``; while a registered claim misses, run it again (ATTEMPTS)."""
    misses: list[dict[str, Any]] = []
    for attempt in range(1, ATTEMPTS + 1):
        outcome = execute(script, interpreter=interpreter, timeout=timeout, page=page)
        missed = missed_claims(script.stem, outcome.result)
        if not missed or attempt == ATTEMPTS:
            break
        stats["remeasured"] += 1
        misses.append(
            {
                "attempt": attempt,
                "date": outcome.env.get("date", ""),
                "seconds": outcome.seconds,
                "claims": missed,
            }
        )
    outcome.misses = misses
    return outcome


def _seen_on(outcome: Run, page: str | None) -> Run:
    if page and page not in outcome.pages:
        outcome.pages.append(page)
    return outcome
