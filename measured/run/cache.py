"""Content-addressed cache of successful experiment runs.

The key covers everything that can change a result: the script, the local modules
it imports (followed transitively), the lock file, the interpreter's version and build,
the machine (CPU model, usable cores) and the start method imposed on the run
($MEASURED_START_METHOD), so a fork run is never served for a spawn run. Timeouts
and page names are not in the key. Only successful runs are stored; a failed run
leaves no trace here.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any

from measured.run import project
from measured.run.interpreter import Interpreter
from measured.run.measure import cpu_model, usable_cores

# Set to 1 to ignore stored results (they are still rewritten after the run).
FRESH_ENV = "MEASURED_FRESH"


def fresh_requested() -> bool:
    return os.environ.get(FRESH_ENV, "") not in ("", "0", "false", "no")


def machine_fingerprint() -> str:
    return f"{cpu_model()}|{usable_cores()} cores|{platform.machine()}"


def _is_type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:``: imports a type checker reads and Python never runs."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import that runs: those under ``if TYPE_CHECKING:`` never do."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                todo.extend(child.orelse)  # the else branch does run
            else:
                todo.append(child)
    return found


def _imports_dir() -> Path:
    return project.cache_dir().parent / "imports"


# Keyed by the source text itself, so an edited file is parsed again: every
# experiment imports the same helpers (measure, stats), which a build would
# otherwise parse once per experiment. Parsing every experiment's source was also
# about a tenth of a warm rebuild, so the names are kept on disk under the same key.
@functools.lru_cache(maxsize=512)
def _imported_names(source: str, package: str = "") -> frozenset[str]:
    """Dotted names ``source`` imports; ``package`` resolves relative imports.

    ``from . import stats`` inside ``measured/run/measure.py`` (package "measured.run")
    is "measured.run.stats": a change there must invalidate every experiment too.
    """
    text_key = hashlib.sha256(f"{package}\0{source}".encode()).hexdigest()
    stored = _imports_dir() / f"{text_key[:32]}.json"
    try:
        return frozenset(json.loads(stored.read_text()))
    except (OSError, ValueError, TypeError):
        pass
    names = _parse_imported_names(source, package)
    with contextlib.suppress(OSError):  # a read-only checkout still builds
        stored.parent.mkdir(parents=True, exist_ok=True)
        tmp = stored.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(names)))
        tmp.replace(stored)  # atomic: a concurrent build never reads half a list
    return names


def _parse_imported_names(source: str, package: str) -> frozenset[str]:
    """``_imported_names`` read from the source's syntax tree."""
    names: set[str] = set()
    for node in _import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        module = node.module or ""
        if node.level:
            parts = package.split(".") if package else []
            if node.level - 1 > len(parts):
                continue  # beyond the top package: not ours to follow
            base = parts[: len(parts) - (node.level - 1)]
            module = ".".join([*base, module] if module else base)
        if not module:
            continue
        names.add(module)
        # `from pkg import mod` may name a submodule.
        names.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(names)


def _package_of(path: Path, search: list[Path]) -> str:
    """The dotted package a module file belongs to, seen from the search dirs."""
    for base in search:
        if path.is_relative_to(base) and path.parent != base:
            parent = path.parent.relative_to(base)
            if all(
                (base / Path(*parent.parts[:i]) / "__init__.py").is_file()
                for i in range(1, len(parent.parts) + 1)
            ):
                return ".".join(parent.parts)
    return ""


def forget_files() -> None:
    """A new build: files may have appeared or gone since the last one (serve)."""
    _module_files.cache_clear()


# Every experiment imports the same helpers, and each lookup is a few stat calls:
# one lookup per name and search path per build (forget_files starts over).
@functools.lru_cache(maxsize=4096)
def _module_files(name: str, search: tuple[Path, ...]) -> list[Path]:
    """Files a dotted name loads from the search dirs: parent packages, then itself."""
    parts = name.split(".")
    for base in search:
        found = []
        for depth in range(1, len(parts) + 1):
            stem = base.joinpath(*parts[:depth])
            for candidate in (stem / "__init__.py", stem.with_suffix(".py")):
                if candidate.is_file():
                    found.append(candidate)
                    break
        if found:
            return found
    return []


def local_imports(script: Path, root: Path | None = None) -> list[Path]:
    """Project-local modules ``script`` imports, followed transitively, sorted."""
    root = (root or project.root()).resolve()
    seen: set[Path] = set()
    todo = [script.resolve()]
    while todo:
        current = todo.pop()
        # sys.path[0] is the script's own folder; the runner adds the project root.
        search = (script.resolve().parent, root)
        package = _package_of(current, list(search))
        for name in _imported_names(current.read_text(), package):
            for path in _module_files(name, search):
                path = path.resolve()
                if path not in seen and path.is_relative_to(root):
                    seen.add(path)
                    todo.append(path)
    seen.discard(script.resolve())
    return sorted(seen)


def key(
    script: Path,
    interpreter: Interpreter,
    root: Path | None = None,
    *,
    start_method: str | None = None,
) -> str:
    """``start_method``: the one imposed on the run (None: each Python's default)."""
    root = (root or project.root()).resolve()
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("script", script.read_bytes())
    for module in local_imports(script, root):
        add(f"module {module.relative_to(root)}", module.read_bytes())
    lock = root / "requirements.lock"
    add("lock", lock.read_bytes() if lock.is_file() else b"")
    add("interpreter", interpreter.identity().encode())
    add("machine", machine_fingerprint().encode())
    add("start method", (start_method or "default").encode())
    return digest.hexdigest()


class Store:
    """JSON files under one folder, one per (experiment, key)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or project.cache_dir()

    def _path(self, name: str, key_: str) -> Path:
        return self.folder / f"{name}-{key_[:20]}.json"

    def load(self, name: str, key_: str) -> dict[str, Any] | None:
        path = self._path(name, key_)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return record if record.get("key") == key_ else None

    def save(self, name: str, key_: str, record: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name, key_)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**record, "key": key_}, indent=2))
        tmp.replace(path)  # atomic: a reader never sees half a record
