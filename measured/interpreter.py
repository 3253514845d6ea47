"""Probe a Python interpreter once: what it is, for cache keys and provenance."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass

_PROBE = """
import json, platform, sys, sysconfig
gil = getattr(sys, "_is_gil_enabled", None)
print(json.dumps({
    "executable": sys.executable,
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "build": sys.version,
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "gil_enabled": True if gil is None else bool(gil()),
}))
"""


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

    def identity(self) -> str:
        """What makes results of this interpreter comparable: version and build."""
        return "|".join(
            (
                self.implementation,
                self.build,
                str(self.free_threaded_build),
                str(self.gil_enabled),
            )
        )


MIN_VERSION = (3, 11)


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
        info = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise InterpreterError(
            f"interpreter {command!r} does not start: {_why(exc)}"
        ) from exc
    interpreter = Interpreter(command=command, **info)
    version = tuple(int(part) for part in interpreter.version.split(".")[:2])
    if version < MIN_VERSION:
        raise InterpreterError(
            f"interpreter {command!r} is Python {interpreter.version}; "
            f"the experiments need {'.'.join(map(str, MIN_VERSION))} or newer"
        )
    return interpreter
