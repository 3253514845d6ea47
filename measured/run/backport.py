"""Subinterpreters on CPython 3.13: a venv with the locked PEP 734 backport.

Python 3.14 ships ``concurrent.interpreters``. On 3.13 the same API comes from the
``interpreters-pep-734`` package. The build does not touch the 3.13 interpreter it
found: it creates ``.cache/pythons/<label>-<version>-pep734`` from it (``python -m
venv``) and installs the version pinned in requirements.lock there, once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from measured.run import project
from measured.run.interpreter import Interpreter, InterpreterError, probe

PACKAGE = "interpreters-pep-734"
VERSIONS = ("3.13",)  # labels the backport supports (3.14 has the real module)
SETUP_TIMEOUT = 300.0


class BackportUnavailable(RuntimeError):
    """The backport could not be set up; the message says why."""


def pinned(lock: Path | None = None) -> str:
    """``interpreters-pep-734==X`` as requirements.lock pins it."""
    lock = lock or project.lock_file()
    for line in lock.read_text().splitlines():
        requirement = line.split(";")[0].strip()
        if requirement.startswith(f"{PACKAGE}=="):
            return requirement
    raise BackportUnavailable(f"{PACKAGE} is not pinned in {lock.name}")


def venv_dir(base: Interpreter) -> Path:
    return project.root() / ".cache" / "pythons" / f"{base.label}-{base.version}-pep734"


def _run(args: list[str], what: str) -> None:
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackportUnavailable(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BackportUnavailable(f"{what} exited {proc.returncode}: {last}")


def with_backport(base: Interpreter) -> Interpreter:
    """An interpreter like ``base`` that can import the backport.

    Raises BackportUnavailable with the reason (no ensurepip, no registry, ...).
    """
    if base.label.rstrip("t") not in VERSIONS:
        raise BackportUnavailable(f"the backport is for {', '.join(VERSIONS)}")
    requirement = pinned()
    folder = venv_dir(base)
    python = folder / "bin" / "python"
    stamp = folder / ".measured-installed"
    if not (stamp.is_file() and stamp.read_text() == requirement):
        _run([base.executable, "-m", "venv", "--clear", str(folder)], "python -m venv")
        _run(
            [
                str(python),
                *("-m", "pip", "install", "--quiet", "--no-deps"),
                "--disable-pip-version-check",
                requirement,
            ],
            f"pip install {requirement}",
        )
        stamp.write_text(requirement)
    try:
        interpreter = probe(str(python))
    except InterpreterError as exc:
        raise BackportUnavailable(str(exc)) from exc
    if not interpreter.subinterpreters:
        raise BackportUnavailable(f"{python} cannot import the backport")
    return interpreter
