"""Probe a Python interpreter once: what it is, for cache keys and provenance."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass

_PROBE = """
import importlib.util, json, multiprocessing, platform, sys, sysconfig
gil = getattr(sys, "_is_gil_enabled", None)
def found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False
subinterpreters = next(
    (m for m in ("concurrent.interpreters", "interpreters_backport") if found(m)), ""
)
print(json.dumps({
    "executable": sys.executable,
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "build": sys.version,
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "gil_enabled": True if gil is None else bool(gil()),
    "start_method": multiprocessing.get_start_method(),
    "subinterpreters": subinterpreters,
}))
"""


MIN_VERSION = (3, 11)  # measure.py uses datetime.UTC


class InterpreterError(RuntimeError):
    """The interpreter command does not start or is not Python 3.11+."""


@dataclass(frozen=True)
class Interpreter:
    command: str
    executable: str
    version: str
    implementation: str
    build: str
    free_threaded_build: bool
    gil_enabled: bool
    start_method: str  # multiprocessing's default on this platform and version
    subinterpreters: str  # "concurrent.interpreters", the 3.13 backport, or ""

    @property
    def label(self) -> str:
        """``3.13`` or ``3.14t``: the name uv and setup-python use for this build."""
        minor = ".".join(self.version.split(".")[:2])
        return minor + ("t" if self.free_threaded_build else "")

    def identity(self) -> str:
        """What makes results of this interpreter comparable: version and build."""
        parts = [
            self.implementation,
            self.build,
            str(self.free_threaded_build),
            str(self.gil_enabled),
        ]
        # A 3.13 venv with the subinterpreter backport runs experiments the bare
        # 3.13 cannot; only then is it part of the key (older keys stay valid).
        if self.subinterpreters:
            parts.append(self.subinterpreters)
        return "|".join(parts)


def _why(exc: Exception) -> str:
    """One line saying why the probe failed (no script text, no traceback)."""
    if isinstance(exc, subprocess.CalledProcessError):
        lines = [line.strip() for line in (exc.stderr or "").splitlines()]
        lines = [line for line in lines if line]
        status = f"exit status {exc.returncode}"
        if not lines:
            return status
        # A traceback ends with the error; a shell or launcher says it first.
        said = lines[-1] if lines[0].startswith("Traceback") else lines[0]
        return f"{status}: {said}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"no answer within {exc.timeout:g} s"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return "its answer was not the expected JSON"


@functools.cache
def probe(command: str | None = None) -> Interpreter:
    """Run ``command -c ...`` once per process; the default is this interpreter."""
    command = command or sys.executable
    try:
        out = subprocess.run(
            [command, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        interpreter = Interpreter(command=command, **json.loads(out))
    except (OSError, subprocess.SubprocessError, ValueError, TypeError) as exc:
        # A pyenv shim for a version that is installed but not selected exits 127
        # with "pyenv: python3.12: command not found": _why says that, not "127".
        raise InterpreterError(
            f"interpreter {command!r} does not start: {_why(exc)}"
        ) from exc
    version = tuple(int(part) for part in interpreter.version.split(".")[:2])
    if version < MIN_VERSION:
        raise InterpreterError(
            f"interpreter {command!r} is Python {interpreter.version}; "
            f"the experiments need {'.'.join(map(str, MIN_VERSION))} or newer"
        )
    return interpreter
