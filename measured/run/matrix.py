"""The interpreter matrix: which Pythons this build measures, and which it cannot.

What the pages compare is derived, not listed: every feature version from 3.11 (the
oldest the experiments run on) up to the newest stable one, plus the free-threaded
``t`` builds of the two newest. The newest stable version is the later of

- the one the annual release calendar has released by today (PEP 602: a new
  feature version every October, 3.9.0 in October 2020; so 3.15 from October
  2026), and
- the newest final release (no alpha, beta or candidate) this build found.

Where interpreters come from, in this order (the first one found for a label such
as ``3.13`` or ``3.14t`` wins):

1. the interpreter running the build;
2. ``$MEASURED_PYTHONS``: commands or paths, separated by spaces
   (``MEASURED_PYTHONS="python3.13 python3.14t"``);
3. ``extra: measured_pythons:`` in mkdocs.yml (a list of commands);
4. discovery, unless ``MEASURED_DISCOVER=0``: ``python3.11`` up to the version
   after the newest, and their free-threaded ``t`` twins, on PATH; then the
   versions pyenv has installed (``pyenv versions`` + ``pyenv prefix``), then
   ``uv python find`` for each expected label still missing, each only if that tool
   is on PATH.

No interpreter path is written down anywhere. Every command is probed once per
build. One that does not start is reported with its error, never fatal. A label the
pages expect but nobody provides is listed as missing with the command that
installs it.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from measured.run import project
from measured.run.interpreter import MIN_VERSION, Interpreter, InterpreterError, probe

PYTHONS_ENV = "MEASURED_PYTHONS"
DISCOVER_ENV = "MEASURED_DISCOVER"
CONFIG_KEY = "measured_pythons"  # under `extra:` in mkdocs.yml
FIRST_MINOR = MIN_VERSION[1]  # 3.11: measure.py needs it, so the pages start there
# PEP 602's annual calendar: 3.9.0 on 5 October 2020, then one feature version each
# October (3.13.0 on 7 October 2024, 3.14.0 on 7 October 2025; 3.11.0 came late, on
# 24 October 2022). A build in October before that year's release expects the new
# version a little early: it is listed as missing, never invented.
CALENDAR_START = (2020, 9)  # (year, minor) of the first release on this calendar
RELEASE_MONTH = 10
FREE_THREADED_SINCE = 13  # PEP 703: 3.13 is the first with a free-threaded build
FREE_THREADED_NEWEST = 2  # the pages compare the t builds of the two newest minors
TOOL_TIMEOUT = 20.0


def scheduled_minor(today: date) -> int:
    """The newest 3.x the annual calendar has released by ``today``."""
    year, minor = CALENDAR_START
    return minor + today.year - year - (today.month < RELEASE_MONTH)


def is_final(version: str) -> bool:
    """``3.14.2`` is a release; ``3.15.0rc1`` or a ``3.15.0+`` dev build is not."""
    return re.fullmatch(r"\d+\.\d+\.\d+", version) is not None


def newest_minor(interpreters: Iterable[Interpreter], today: date) -> int:
    """The newest stable minor: the calendar's, or a newer final release found."""
    found = [
        int(i.version.split(".")[1])
        for i in interpreters
        if i.version.startswith("3.") and is_final(i.version)
    ]
    return max([scheduled_minor(today), *found])


def expected_labels(newest: int) -> list[str]:
    """The labels 3.11 … 3.<newest>, and the free-threaded builds of the two newest."""
    gil = [f"3.{minor}" for minor in range(FIRST_MINOR, newest + 1)]
    first_free = max(FREE_THREADED_SINCE, newest - FREE_THREADED_NEWEST + 1)
    free = [f"3.{minor}t" for minor in range(first_free, newest + 1)]
    return sorted(gil + free, key=label_sort_key)


@dataclass(frozen=True)
class Found:
    interpreter: Interpreter
    source: str  # "this build", "MEASURED_PYTHONS", "mkdocs.yml", "PATH", ...

    @property
    def label(self) -> str:
        return self.interpreter.label


@dataclass(frozen=True)
class Failed:
    """A command that was configured or discovered but does not run."""

    command: str
    source: str
    error: str


@dataclass(frozen=True)
class Missing:
    """A label the pages expect that no source provided."""

    label: str

    @property
    def uv(self) -> str:
        return f"uv python install {self.label}"

    @property
    def setup_python(self) -> str:
        return f'actions/setup-python with python-version: "{self.label}"'

    @property
    def how_to_install(self) -> str:
        return (
            f"`{self.uv}` (the build finds it with `uv python find`), or "
            f"`{self.setup_python}` in GitHub Actions"
        )


@dataclass
class Matrix:
    found: list[Found] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    today: date = field(default_factory=date.today)

    @property
    def labels(self) -> list[str]:
        return [f.label for f in self.found]

    @property
    def newest(self) -> int:
        """The newest stable minor (``15`` for 3.15): calendar or found."""
        return newest_minor((f.interpreter for f in self.found), self.today)

    @property
    def expected(self) -> list[str]:
        """The labels the pages compare, oldest first (see the module docstring)."""
        return expected_labels(self.newest)

    @property
    def missing(self) -> list[Missing]:
        return [Missing(label) for label in self.expected if label not in self.labels]

    def get(self, label: str) -> Interpreter | None:
        return next((f.interpreter for f in self.found if f.label == label), None)

    def interpreters(
        self, where: Callable[[Interpreter], bool] | None = None
    ) -> list[Interpreter]:
        """Found interpreters, oldest version first, GIL build before its ``t``."""
        chosen = [f.interpreter for f in self.found]
        return sorted((i for i in chosen if where is None or where(i)), key=sort_key)

    def add(self, command: str, source: str) -> Interpreter | None:
        try:
            interpreter = probe(command)
        except InterpreterError as error:
            self.failed.append(Failed(command, source, str(error)))
            return None
        if interpreter.label not in self.labels:
            self.found.append(Found(interpreter, source))
        return interpreter


def sort_key(interpreter: Interpreter) -> tuple[int, ...]:
    major, minor = (int(x) for x in interpreter.version.split(".")[:2])
    return major, minor, int(interpreter.free_threaded_build)


def label_sort_key(label: str) -> tuple[int, int, int]:
    major, minor = (int(x) for x in label.rstrip("t").split("."))
    return major, minor, int(label.endswith("t"))


def discovery_minors(today: date) -> range:
    """Minors looked for by name: 3.11 up to the one after the calendar's newest,
    so a release newer than the calendar knows is still found."""
    return range(FIRST_MINOR, scheduled_minor(today) + 2)


def candidate_names(minors: Iterable[int]) -> list[str]:
    return [f"python3.{m}{t}" for m in minors for t in ("", "t")]


def configured_commands(root: Path | None = None) -> Iterator[tuple[str, str]]:
    """(command, source) pairs from the environment and mkdocs.yml."""
    for command in shlex.split(os.environ.get(PYTHONS_ENV, "")):
        yield command, PYTHONS_ENV
    for command in _mkdocs_extra(root or project.root()).get(CONFIG_KEY) or []:
        yield str(command), "mkdocs.yml"


def _mkdocs_extra(root: Path) -> dict[str, Any]:
    import yaml  # mkdocs depends on PyYAML

    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml uses tags such as !ENV; their values do not matter here.
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(), Loader=Loader)
    except (OSError, yaml.YAMLError):
        return {}
    extra = (config or {}).get("extra") or {}
    return extra if isinstance(extra, dict) else {}


def discovery_enabled() -> bool:
    return os.environ.get(DISCOVER_ENV, "1") not in ("0", "false", "no")


def _tool(*args: str) -> str:
    """stdout of a discovery tool, or "" if it is absent or fails."""
    if shutil.which(args[0]) is None:
        return ""
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout if proc.returncode == 0 else ""


def pyenv_candidates(
    minors: Iterable[int], known: Callable[[str], bool] = lambda label: False
) -> Iterator[str]:
    """Executables of the CPython releases pyenv has installed, newest patch first.

    pyenv's shims run a version only if it is selected (``pyenv global``/``local``);
    asking pyenv where each installed version lives finds them all. A version
    whose label is ``known`` already is skipped: the first found wins anyway, and
    each probe starts an interpreter (about 0.1 s of every build).
    """
    wanted = set(minors)
    versions = _tool("pyenv", "versions", "--bare", "--skip-aliases").split()
    # Final releases only (3.14.2, 3.14.2t): no 3.15.0a1, no 3.15-dev.
    pattern = re.compile(r"^3\.(\d+)\.(\d+)(t?)$")
    parsed = [(m, v) for v in versions if (m := pattern.match(v))]
    parsed.sort(key=lambda mv: (int(mv[0][1]), int(mv[0][2])), reverse=True)
    for match, version in parsed:
        if int(match[1]) not in wanted or known(f"3.{match[1]}{match[3]}"):
            continue
        prefix = _tool("pyenv", "prefix", version).strip()
        if prefix:
            name = f"python3.{match[1]}{match[3]}"
            bindir = Path(prefix) / "bin"
            for candidate in (bindir / name, bindir / "python3"):
                if candidate.is_file():
                    yield str(candidate)
                    break


def uv_candidate(label: str) -> str | None:
    found = _tool("uv", "python", "find", "--no-project", label).strip()
    return found or None


def _pyenv_shim(path: str) -> bool:
    """A pyenv shim, when pyenv itself is there to find its version directly."""
    return Path(path).parent.name == "shims" and shutil.which("pyenv") is not None


def discover(matrix: Matrix) -> None:
    minors = discovery_minors(matrix.today)
    for name in candidate_names(minors):
        if name.removeprefix("python") in matrix.labels:
            continue  # found already: probing it again only costs time
        if (path := shutil.which(name)) and not _pyenv_shim(path):
            matrix.add(name, "PATH")
    for command in pyenv_candidates(minors, lambda label: label in matrix.labels):
        matrix.add(command, "pyenv")
    for label in matrix.expected:
        if label not in matrix.labels and (command := uv_candidate(label)):
            matrix.add(command, "uv")


@functools.cache
def current() -> Matrix:
    """The matrix of this build: probed once, until :func:`reset`."""
    matrix = Matrix()
    matrix.add(sys.executable, "this build")
    for command, source in configured_commands():
        matrix.add(command, source)
    if discovery_enabled():
        discover(matrix)
    matrix.failed = [f for f in matrix.failed if not _recovered(f, matrix)]
    return matrix


def _recovered(failure: Failed, matrix: Matrix) -> bool:
    """A discovered shim that fails is noise once the same label was found."""
    if failure.source != "PATH":
        return False
    label = failure.command.removeprefix("python")
    return label in matrix.labels


def reset() -> None:
    """Forget the probes: a new build sees newly installed interpreters."""
    current.cache_clear()
    probe.cache_clear()
