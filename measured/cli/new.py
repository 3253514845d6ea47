"""``python -m measured new NAME --page PAGE``: scaffold an experiment.

It writes what the converted reference experiment (``cpu_bound``) is made of, so a
contributor edits working code instead of assembling it:

- ``snippets/NAME.py``: a standalone script (``ROUNDS`` declared, the pool started
  before timing with ``measure.prestart``, ``measure.time_rounds``, the result
  annotated with its shape under ``TYPE_CHECKING``, ``measure.emit``);
- its result shape, a TypedDict in ``measured/run/shapes/PART.py``, added to that
  module's ``SHAPES``;
- one claim, registered with ``@claim("NAME")`` in ``measured/claims/PART.py`` and
  judged by the one rule (``judged``);
- its contradicting input, ``@contradicts(...)`` in the contradictions module of
  ``tests/contradictions/`` that holds the page's other contradictions;
- a section appended to ``docs/PAGE.md`` that shows the verdict, the source and the
  output with ``measured`` directives (measured/web/directives.py).

PART is found, never typed: it is the claims module where the claims of the page's
existing experiments are registered. Everything else finds the new experiment by
itself: the tests walk the claim registry, the snippets folder and ``SHAPES``; the
build's results file holds every experiment a page showed.

Nothing is written unless everything can be: a name that exists, that is not a
lowercase identifier or that would shadow a module, or a page that does not exist
or shows no experiment, is refused with one line and exit status 2. The code it
writes passes ``ruff check`` and ``ruff format`` (tests/test_new.py checks it).
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib.util
import keyword
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from measured.run import project

EXIT_OK, EXIT_REFUSED = 0, 2
MAX_NAME = 30  # long enough for any experiment so far, short enough for one line
LINE = 88  # ruff's line length (pyproject.toml)
NAME = re.compile(r"[a-z][a-z0-9_]*")


class Refused(ValueError):
    """Why nothing was written, in one line."""


@dataclass(frozen=True)
class Names:
    """The identifiers one experiment adds, all derived from its name."""

    experiment: str

    @property
    def shape(self) -> str:
        return "".join(part.capitalize() for part in self.experiment.split("_"))

    @property
    def claim(self) -> str:
        return f"{self.experiment}_threads_overlap_waits"

    @property
    def margin(self) -> str:
        return f"{self.experiment.upper()}_MIN_SPEEDUP"

    @property
    def contradiction(self) -> str:
        return f"{self.experiment}_waits_one_by_one"

    @property
    def title(self) -> str:
        return self.experiment.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Target:
    """Where an experiment of ``page`` goes: its part's modules."""

    page: Path
    part: str
    claims: Path
    shapes: Path
    contradictions: Path


# --- where things are ---------------------------------------------------------------


def _tree(path: Path) -> ast.Module:
    """``path`` parsed, once per version of the file (claims modules are long)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int) -> ast.Module:
    return ast.parse(path.read_text())


def _decorated(path: Path, decorator: str) -> dict[str, list[str]]:
    """First string argument of every ``@decorator("...")`` -> the functions."""
    found: dict[str, list[str]] = {}
    for node in _tree(path).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            func = deco.func if isinstance(deco, ast.Call) else None
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name != decorator or not isinstance(deco, ast.Call):
                continue
            for arg in deco.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, []).append(node.name)
    return found


def claim_modules(root: Path) -> dict[str, dict[str, list[str]]]:
    """Claims module stem -> {experiment: its claim functions}, read from the files."""
    return {
        path.stem: _decorated(path, "claim")
        for path in sorted((root / "measured" / "claims").glob("*.py"))
    }


def parts(root: Path) -> list[str]:
    """Parts of the guide: claims modules with a shapes module of the same name."""
    shapes = root / "measured" / "run" / "shapes"
    return [
        stem
        for stem in claim_modules(root)
        if not stem.startswith("_") and (shapes / f"{stem}.py").is_file()
    ]


def page_file(root: Path, page: str) -> Path:
    """``cpu-bound``, ``cpu-bound.md`` or ``docs/cpu-bound.md`` -> the file."""
    stem = Path(page).name.removesuffix(".md")
    path = root / "docs" / f"{stem}.md"
    if not stem or not path.is_file():
        known = sorted(p.stem for p in (root / "docs").glob("*.md"))
        raise Refused(f"unknown page {page!r} (pages: {', '.join(known)})")
    return path


_INCLUDE = re.compile(r"""--8<--\s*["']snippets/(\w+)\.py["']""")
_OUTPUT = re.compile(r"^\s*(?:matrix-)?outputs?\s+(\w+)", re.M)


def page_experiments(text: str) -> list[str]:
    """The experiments a page is about: the scripts it includes from snippets/ and
    those whose output it shows (``output NAME`` directives). A page that only
    cites another page's figures or verdicts is not about that experiment."""
    return sorted(set(_INCLUDE.findall(text)) | set(_OUTPUT.findall(text)))


def locate(root: Path, page: str) -> Target:
    """The part a page belongs to, from where its experiments' claims live."""
    path = page_file(root, page)
    modules = claim_modules(root)
    owner = {exp: stem for stem, exps in modules.items() for exp in exps}
    shown = [exp for exp in page_experiments(path.read_text()) if exp in owner]
    votes = Counter(owner[exp] for exp in shown if owner[exp] in parts(root))
    if not votes:
        raise Refused(
            f"page {path.stem!r} has no experiment of its own with claims in a part "
            f"of the guide ({', '.join(parts(root))}): pick the page it belongs on"
        )
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        raise Refused(
            f"page {path.stem!r} shows experiments of several parts "
            f"({', '.join(stem for stem, _ in ranked)}): no part to choose"
        )
    part = ranked[0][0]
    claims = {
        name for exp in shown if owner[exp] == part for name in modules[part][exp]
    }
    return Target(
        page=path,
        part=part,
        claims=root / "measured" / "claims" / f"{part}.py",
        shapes=root / "measured" / "run" / "shapes" / f"{part}.py",
        contradictions=_contradictions_module(root, part, claims),
    )


def _contradictions_module(root: Path, part: str, claims: set[str]) -> Path:
    """The contradictions module holding most of the page's claims' contradictions."""
    folder = root / "tests" / "contradictions"
    votes = Counter(
        path
        for path in sorted(folder.glob("*.py"))
        for claim in _decorated(path, "contradicts")
        if claim in claims
    )
    if votes:
        return votes.most_common(1)[0][0]
    if (fallback := folder / f"{part}.py").is_file():
        return fallback
    raise Refused(f"no module in {folder.relative_to(root)} for the part {part!r}")


def _defined(path: Path) -> set[str]:
    """Top-level names a module binds."""
    names: set[str] = set()
    for node in _tree(path).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def check_name(root: Path, name: str) -> None:
    """Refuse a name that is not a new, lowercase identifier of a free module name."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise Refused(
            f"invalid experiment name {name!r}: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. queue_handoff)"
        )
    if len(name) > MAX_NAME:
        raise Refused(f"invalid experiment name {name!r}: over {MAX_NAME} characters")
    script = root / "snippets" / f"{name}.py"
    if script.exists():
        raise Refused(f"experiment {name!r} exists: {script.relative_to(root)}")
    for stem, experiments in claim_modules(root).items():
        if name in experiments:
            raise Refused(f"experiment {name!r} exists: measured/claims/{stem}.py")
    # snippets/ is sys.path[0] of every script there: a file named like a module
    # would replace that module for all of them.
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        raise Refused(f"invalid experiment name {name!r}: it would shadow a module")


def _check_free(target: Target, names: Names, root: Path) -> None:
    """The identifiers the scaffold adds are not taken in the files it edits."""
    wanted = {
        target.shapes: {names.shape},
        target.claims: {names.claim, names.margin},
        target.contradictions: {names.contradiction},
    }
    for path, idents in wanted.items():
        if taken := sorted(idents & _defined(path)):
            raise Refused(
                f"{taken[0]!r} is already defined in {path.relative_to(root)}: "
                "choose another experiment name"
            )
    shapes = _shapes_dict(target.shapes)
    if any(
        isinstance(k, ast.Constant) and k.value == names.experiment for k in shapes.keys
    ):
        raise Refused(f"experiment {names.experiment!r} already has a shape")
    claims = {
        c for exps in claim_modules(root).values() for cs in exps.values() for c in cs
    }
    contradicted = {
        c
        for path in (root / "tests" / "contradictions").glob("*.py")
        for c in _decorated(path, "contradicts")
    }
    if names.claim in claims | contradicted:
        raise Refused(f"a claim named {names.claim!r} exists: choose another name")


# --- editing Python modules ---------------------------------------------------------


def _top_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The import block at the top of a module (after its docstring)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for number, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif number == 0 and isinstance(node, ast.Expr):
            continue  # the docstring
        else:
            break
    return found


def _section(node: ast.Import | ast.ImportFrom) -> int:
    """isort's sections: future, standard library, third party, first party, local."""
    if isinstance(node, ast.ImportFrom) and node.level:
        return 4
    module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
    top = (module or "").split(".")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    return 3 if top == "measured" else 2


def _order(node: ast.Import | ast.ImportFrom) -> tuple[int, int, str]:
    is_from = isinstance(node, ast.ImportFrom)
    module = node.module if is_from else node.names[0].name
    return (_section(node), int(is_from), (module or "").lower())


def _member(name: str) -> tuple[int, str, str]:
    """ruff's order of imported names: CONSTANTS, Classes, then the rest."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[0].isupper() else 2
    return (kind, name.lower(), name)


def _render_import(module: str, names: Iterable[str], *, split: bool) -> list[str]:
    ordered = sorted(set(names), key=_member)
    one = f"from {module} import {', '.join(ordered)}"
    if not split and len(one) <= LINE:
        return [one]
    return [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def with_imports(source: str, module: str, names: Iterable[str]) -> str:
    """``source`` importing ``names`` from ``module`` too, in isort's order.

    ``module`` may be relative (``"."``). Names already imported are left alone.
    """
    level = len(module) - len(module.lstrip("."))
    bare = module.lstrip(".") or None
    tree = ast.parse(source)
    block = _top_imports(tree)
    lines = source.splitlines()
    for node in block:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == bare
            and node.level == level
            and not any(alias.asname for alias in node.names)
        ):
            have = [alias.name for alias in node.names]
            if set(names) <= set(have):
                return source
            start, end = node.lineno - 1, node.end_lineno or node.lineno
            if any("#" in line for line in lines[start:end]):
                raise Refused(f"cannot add {module} imports next to a comment")
            merged = _render_import(module, [*have, *names], split=end - start > 1)
            return "\n".join([*lines[:start], *merged, *lines[end:]]) + "\n"
    new = ast.ImportFrom(module=bare, names=[], level=level)
    rendered = _render_import(module, names, split=False)
    key = _order(new)
    later = [n for n in block if _order(n) > key]
    earlier = [n for n in block if _order(n) <= key]
    if later and _section(later[0]) == _section(new):
        at = later[0].lineno - 1
        insert = rendered
    elif earlier:
        at = earlier[-1].end_lineno or earlier[-1].lineno
        same = _section(earlier[-1]) == _section(new)
        insert = rendered if same else ["", *rendered]
    elif later:
        at, insert = later[0].lineno - 1, [*rendered, ""]
    else:
        raise Refused(f"no import block to add {module} to")
    return "\n".join([*lines[:at], *insert, *lines[at:]]) + "\n"


def _shapes_assign(tree: ast.Module) -> tuple[ast.stmt, ast.Dict] | None:
    """The module's ``SHAPES = {...}`` statement and its dict, if it has one."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "SHAPES":
            return (node, value) if isinstance(value, ast.Dict) else None
    return None


def _shapes_dict(path: Path) -> ast.Dict:
    found = _shapes_assign(_tree(path))
    if found is None:
        raise Refused(f"no `SHAPES = {{...}}` dict in {path}")
    return found[1]


def with_shape(source: str, names: Names, shape: str) -> str:
    """``source`` with the ``shape`` class before ``SHAPES`` and its entry in it
    (under a section header when the module's shapes have them)."""
    found = _shapes_assign(ast.parse(source))
    if found is None:
        raise Refused("no `SHAPES = {...}` dict to add the shape to")
    assign, mapping = found
    lines = source.splitlines()
    entry = f'    "{names.experiment}": {names.shape},'
    first, last = mapping.lineno - 1, (mapping.end_lineno or mapping.lineno) - 1
    if first == last:  # {...} on one line: one entry a line, with a trailing comma
        line = lines[first]
        items = [
            f"    {ast.get_source_segment(source, k)}: "
            f"{ast.get_source_segment(source, v)},"
            for k, v in zip(mapping.keys, mapping.values, strict=True)
            if k is not None
        ]
        opening, closing = mapping.col_offset, (mapping.end_col_offset or 1) - 1
        lines[first : first + 1] = [
            line[: opening + 1],
            *items,
            entry,
            line[closing:],
        ]
    else:
        lines.insert(last, entry)
    # The class goes before SHAPES and the comment lines right above it.
    start = assign.lineno - 1
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    before = "\n".join(lines[:start]).rstrip("\n")
    after = "\n".join(lines[start:])
    if _HEADER.search(source):
        shape = f"{_header(names.experiment, source)}\n\n\n{shape.strip()}"
    return f"{before}\n\n\n{shape.strip()}\n\n\n{after}\n"


def appended(source: str, section: str) -> str:
    """``source`` and a new top-level section, two blank lines apart."""
    return f"{source.rstrip()}\n\n\n{section.strip()}\n"


# --- what it writes ----------------------------------------------------------------


SNIPPET = Template('''\
"""${title}: scaffolded by `python -m measured new`.

Replace this paragraph with what the experiment asks and how it runs. As written, it
times WORKERS blocking waits one after another and in a pool of WORKERS threads,
started before any timing. Each round times both once, in a new random order; the
speedup is the median of the per-round ratios (its interval comes from
measured.run.stats).

Run it yourself from a clone:  python snippets/${experiment}.py
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.${part} import ${shape}

TIMEOUT = 60  # seconds; the build kills the run (and its workers) after this
ROUNDS = 8  # timed rounds, fixed in advance (at least measured.run.stats.MIN_ROUNDS)
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("timings: serial / threads",)
WORKERS = 4  # threads in the pool: one wait each
WAIT = 0.005  # seconds per wait


def wait(seconds: float) -> float:
    """Stands in for I/O: a blocking call that releases the GIL while it waits."""
    time.sleep(seconds)
    return seconds


def main() -> None:
    print(f"{WORKERS} waits of {WAIT * 1000:g} ms, {ROUNDS} rounds")

    def one_after_another() -> list[float]:
        return [wait(WAIT) for _ in range(WORKERS)]

    with ThreadPoolExecutor(WORKERS) as pool:
        measure.prestart(pool, WORKERS, hold=0.05)  # every thread runs before timing

        def in_threads() -> list[float]:
            return list(pool.map(wait, [WAIT] * WORKERS))

        rounds = measure.time_rounds(
            {"serial": one_after_another, "threads": in_threads}, rounds=ROUNDS
        )
    for key in ("serial", "threads"):
        print(f"{key:<8} {rounds.timing(key).estimate * 1000:6.1f} ms")
    print(f"speedup  {rounds.ratio('serial', 'threads').text('x')}")
    result: ${shape} = {
        "experiment": "${experiment}",
        "workers": WORKERS,
        "wait": WAIT,
        "timings": rounds.to_dict(),
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
''')

SHAPE = Template('''\
class ${shape}(TypedDict):
    """The result of snippets/${experiment}.py."""

    experiment: str
    workers: int  # threads in the pool, one wait each
    wait: float  # seconds per wait
    timings: RoundsRecord  # "serial", "threads"
    env: NotRequired[Env]  # added by measure.emit
''')

CLAIM = Template('''\
${header}
# The margin: N waits in N threads against the same waits one after another. The
# ideal is N; a pool that waited one wait at a time could not reach half of it.
# A margin is the weakest result that still proves the statement.
${margin} = 2.0


@claim("${experiment}")
def ${claim}(evidence: Evidence) -> Claim:
    """Threads overlap blocking waits (the scaffold's example: state yours)."""
    result = evidence.result_as(${shape})
    workers = result["workers"]
    figure = Figure(
        f"{workers} threads vs one after another",
        evidence.ratio("timings", "serial", "threads"),
        ${margin},
        "at least",
        ideal=float(workers),  # N waits at once are at most N times faster
    )
    waits = f"{workers} waits of {result['wait'] * 1000:g} ms"
    gain = f"**{figure.interval.estimate:.1f}×**"
    return judged(
        f"{waits} ran {gain} faster in {workers} threads: the waits overlapped.",
        [figure],
        missed=f"{waits} ran only {gain} faster in {workers} threads: the threads "
        "did NOT overlap the waits.",
    )
''')

CONTRADICTION = Template('''\
${header}


@contradicts("${claim}")
def ${contradiction}(evidence: Evidence) -> Evidence:
    """The threads take as long as the waits one after another, round by round."""

    def timings(result: ${shape}) -> RoundsRecord:
        return result["timings"]

    return set_samples(evidence, timings, "threads", like("serial"))
''')

SECTION = Template("""\
## ${title}

Replace this paragraph: the question the experiment answers, what the script compares,
and the conclusion first. (`python -m measured new` wrote this section.)

```measured
verdicts ${experiment} ${claim}
```

=== "Output"

    ```measured
    output ${experiment}
    provenance ${experiment}
    ```

=== "Source"

    ```python title="snippets/${experiment}.py"
    --8<-- "snippets/${experiment}.py"
    ```
""")


_HEADER = re.compile(r"^# --- \w+ -+$", re.M)


def _header(experiment: str, source: str) -> str:
    """A section header as wide as the module's others (84 if it has none)."""
    widths = Counter(len(line) for line in _HEADER.findall(source))
    width = widths.most_common(1)[0][0] if widths else 84
    head = f"# --- {experiment} "
    return head + "-" * max(3, width - len(head))


@dataclass(frozen=True)
class Plan:
    """Every file the scaffold writes, with its new content; nothing written yet."""

    names: Names
    target: Target
    files: dict[Path, str]
    created: tuple[Path, ...]


def plan(root: Path, experiment: str, page: str) -> Plan:
    """What ``new`` would write for ``experiment`` on ``page`` (raises Refused)."""
    root = root.resolve()
    check_name(root, experiment)
    target = locate(root, page)
    names = Names(experiment)
    _check_free(target, names, root)
    fields = {
        "experiment": experiment,
        "title": names.title,
        "part": target.part,
        "shape": names.shape,
        "claim": names.claim,
        "margin": names.margin,
        "contradiction": names.contradiction,
    }
    snippet = root / "snippets" / f"{experiment}.py"

    shapes = target.shapes.read_text()
    shapes = with_imports(shapes, "typing", ["NotRequired", "TypedDict"])
    shapes = with_imports(shapes, "measured.run.shapes.common", ["Env", "RoundsRecord"])
    shapes = with_shape(shapes, names, SHAPE.substitute(fields))

    claims = target.claims.read_text()
    claims = with_imports(
        claims,
        "measured.claims.registry",
        ["Claim", "Evidence", "Figure", "claim", "judged"],
    )
    claims = with_imports(claims, f"measured.run.shapes.{target.part}", [names.shape])
    header = _header(experiment, claims)
    claims = appended(claims, CLAIM.substitute(fields, header=header))

    tests = target.contradictions.read_text()
    tests = with_imports(tests, "measured.claims", ["Evidence"])
    tests = with_imports(tests, "measured.run.shapes.common", ["RoundsRecord"])
    tests = with_imports(tests, f"measured.run.shapes.{target.part}", [names.shape])
    tests = with_imports(tests, ".", ["contradicts", "like", "set_samples"])
    header = _header(experiment, tests)
    tests = appended(tests, CONTRADICTION.substitute(fields, header=header))

    page_text = target.page.read_text()
    page_text = f"{page_text.rstrip()}\n\n{SECTION.substitute(fields)}"
    files = {
        snippet: SNIPPET.substitute(fields),
        target.shapes: shapes,
        target.claims: claims,
        target.contradictions: tests,
        target.page: page_text,
    }
    return Plan(names, target, files, created=(snippet,))


def write(scaffold: Plan) -> None:
    for path, text in scaffold.files.items():
        path.write_text(text)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "new",
        help="scaffold an experiment: snippet, shape, claim, contradiction, page",
        description="Scaffold an experiment: its snippet, result shape, claim, "
        "contradicting input and a section of its page, all lint-clean and judged by "
        "the build (see CONTRIBUTING.md, 'Add an experiment').",
    )
    parser.add_argument("name", help="the experiment's name, e.g. queue_handoff")
    parser.add_argument(
        "--page", required=True, help="the page that shows it, e.g. cpu-bound"
    )
    return parser


def main(args: argparse.Namespace) -> int:
    root = project.root()
    try:
        scaffold = plan(root, args.name, args.page)
    except Refused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    write(scaffold)
    names = scaffold.names
    for path in scaffold.files:
        verb = "created" if path in scaffold.created else "edited "
        print(f"{verb} {path.relative_to(root)}")
    print(
        f"\nNext: edit the snippet and its shape, the claim {names.claim} and its "
        f"contradiction, and the section's prose; then\n"
        f"  .venv/bin/python snippets/{names.experiment}.py\n"
        f"  .venv/bin/python -m measured run {names.experiment}\n"
        f"  make test   (see CONTRIBUTING.md, 'Add an experiment')"
    )
    return EXIT_OK
