"""A results file read as data, never as code: bounded, parsed, then checked.

``python -m measured check`` reads submitted files (``results/machines/*.json`` in a
pull request) with :func:`load`. Everything that can go wrong becomes one
:class:`results.ResultsError` line, never a traceback, in this order:

1. **size**: more than :data:`MAX_BYTES` (20 MiB) is refused before it is read
   (a whole site build on every interpreter writes a few MB);
2. **text**: not UTF-8, empty, or nested deeper than :data:`MAX_DEPTH` levels,
   counted by a scan of the text before it is parsed (Python's json parser
   recurses and would raise RecursionError on very deep input);
3. **JSON**: invalid or cut short; ``NaN``, ``Infinity`` and numbers too large
   for a float are refused as they are parsed (json accepts them by default);
4. **version**: a ``format`` newer than :data:`results.FORMAT` means "update";
5. **schema**: every key the format has (see :data:`TOP`, :data:`ENTRY`, ...), of
   its type. Keys this code does not know are allowed (a later writer of the same
   format may add one) but are never read;
6. **markup**: HTML (a tag, a comment) or a ``javascript:`` URL in a field a page
   renders (:data:`RENDERED`). The raw observations (``stdout``, ``result`` except
   its ``env`` and ``start_method``, ``rows``, ``failed``) quote what Python
   printed, ``<module>`` and ``<Future pending>`` included: page code never renders
   them from a results file, and must escape them if it ever does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

from measured.web import results

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64  # a site build nests 12 deep
KINDS = ("site", "reproduce")

NUM = (int, float)
NONE = type(None)
# key -> (accepted types, required). bool is checked apart: it is an int to Python.
Spec = dict[str, tuple[tuple[type, ...], bool]]
TOP: Spec = {
    "format": ((int,), True),
    "kind": ((str,), True),
    "generated": ((str,), True),
    "site_url": ((str, NONE), False),
    "experiments": ((list,), True),
    "machine": ((dict,), False),  # written by `python -m measured submit`
    "against": ((str, NONE), False),
    "interrupted": ((dict, NONE), False),
    "failed": ((list,), False),
    "rows": ((list,), False),
}
ENTRY: Spec = {
    "experiment": ((str,), True),
    "script": ((str,), True),
    "pages": ((list,), True),
    "interpreter": ((dict,), True),
    "seconds": (NUM, True),
    "cached": ((bool,), True),
    "planned_runs": ((int,), True),
    "stopped_because": ((str,), True),
    "runs": ((list,), True),
    "provenance": ((str,), True),
    "claims": ((list,), True),
}
INTERPRETER: Spec = {
    "command": ((str,), True),
    "version": ((str,), True),
    "implementation": ((str,), True),
    "free_threaded_build": ((bool,), True),
    "gil_enabled": ((bool,), True),
}
RUN: Spec = {
    "result": ((dict,), True),
    "stdout": ((str,), True),
    "seconds": (NUM, True),
    "machine": ((dict,), True),
    "added_because": ((str,), True),
    "leftovers": ((dict,), True),
}
ENV: Spec = {
    "python": ((str,), True),
    "implementation": ((str,), True),
    "free_threaded_build": ((bool,), True),
    "gil_enabled": ((bool,), True),
    "os": ((str,), True),
    "cpu": ((str,), True),
    "cores": ((int,), True),
    "logical_cpus": ((int,), False),
    "physical_cores": ((int, NONE), False),
    "smt": ((bool, NONE), False),
    "cgroup_cpus": ((*NUM, NONE), False),
    "date": ((str,), False),
    "start_method": ((str,), False),
    "start_method_requested": ((str, NONE), False),
}
CLAIM: Spec = {
    "claim": ((str,), True),
    "kind": ((str,), True),
    "holds": ((bool, NONE), True),
    "verdict": ((str,), True),
    "why": ((str,), False),
    "statement": ((str,), False),
    "reason": ((str,), False),
    "figure": ((*NUM, NONE), False),
    "figures": ((list,), False),
    "runs": ((dict,), False),
    "how": ((str,), False),
    "error": ((str,), False),
}
FIGURE: Spec = {
    "label": ((str,), True),
    "estimate": ((*NUM, NONE), False),
    "low": ((*NUM, NONE), False),
    "high": ((*NUM, NONE), False),
    "n": ((int,), False),
    "confidence": ((*NUM, NONE), False),
    "margin": ((*NUM, NONE), False),
    "rule": ((str,), False),
    "unit": ((str,), False),
    "ideal": ((*NUM, NONE), False),
}
# The machine a submission describes: an allow-list, so no other key may appear.
MACHINE: Spec = {
    "cpu": ((str,), True),
    "os": ((str,), True),
    "pythons": ((list,), True),
    "cores": ((int,), True),
    "logical_cpus": ((int, NONE), False),
    "physical_cores": ((int, NONE), False),
    "smt": ((bool, NONE), False),
    "cgroup_cpus": ((*NUM, NONE), False),
    "memory_gib": ((*NUM, NONE), False),
    # What the submitter says the runs were, e.g. "restricted to one core".
    "note": ((str, NONE), False),
}
NOTE_LIMIT = 120  # characters: a label, not a story
SCALAR = (str, *NUM, bool, NONE)

# Fields a page renders from a results file, as paths ("*" any item or key).
RENDERED = (
    ("kind",),
    ("generated",),
    ("site_url",),
    ("machine", "*"),
    ("machine", "pythons", "*"),
    ("experiments", "*", "experiment"),
    ("experiments", "*", "script"),
    ("experiments", "*", "pages", "*"),
    ("experiments", "*", "interpreter", "*"),
    ("experiments", "*", "stopped_because"),
    ("experiments", "*", "provenance"),
    ("experiments", "*", "runs", "*", "added_because"),
    ("experiments", "*", "runs", "*", "result", "env", "*"),
    ("experiments", "*", "runs", "*", "result", "start_method"),
    ("experiments", "*", "claims", "*", "*"),
    ("experiments", "*", "claims", "*", "figures", "*", "*"),
)
# A tag, closing tag, comment or declaration; "a < b" and "<=" are not markup.
MARKUP = re.compile(r"<[A-Za-z/!?]|javascript\s*:", re.IGNORECASE)
# A string, or an unterminated one to the end: optional closing quote, so every
# character is scanned once (a required one made '"\\"\\"...' quadratic).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_NUMBER_PART = re.compile(r"[-+.eE0-9]*")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def load(source: str) -> results.Published:
    """Read and check a results file (a path or a URL). Raises ResultsError."""
    data = parse(read(source), source)
    if problem := check(data):
        raise results.ResultsError(f"{source}: {problem}")
    return results.Published(source, data)


def read(source: str) -> str:
    """The file's text, refused unread when it is larger than MAX_BYTES."""
    if results.is_url(source):
        text = results.read_source(source)
        if len(text.encode()) > MAX_BYTES:
            raise results.ResultsError(f"{source}: {_too_large()}")
        return text
    try:
        with Path(source).open("rb") as file:
            # Read one byte more than allowed, never the whole of a huge file (a
            # FIFO or a file still growing has no trustworthy size to stat).
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise results.ResultsError(f"cannot read {source}: {exc.strerror}") from exc
    if len(raw) > MAX_BYTES:
        raise results.ResultsError(f"{source}: {_too_large()}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = f"byte {exc.start}"
        raise results.ResultsError(f"{source} is not UTF-8 text ({at})") from exc


def _too_large() -> str:
    return f"larger than {MAX_BYTES // 2**20} MiB, the most a results file may be"


def depth(text: str) -> int:
    """How deep arrays and objects nest, without parsing (strings removed first)."""
    steps = (_STEP[c] for c in _BRACKETS.findall(_STRING.sub("", text)))
    return max(accumulate(steps, initial=0))


def _constant(name: str) -> float:
    raise ValueError(f"holds {name}, and a results file may hold only finite numbers")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"holds {text[:20]}, a number too large to be finite")
    return value


def parse(text: str, source: str) -> Any:
    """JSON with no NaN or infinity, refused before parsing when nested too deep."""
    if not text.strip():
        raise results.ResultsError(f"{source} is empty, not a results file")
    if (levels := depth(text)) > MAX_DEPTH:
        raise results.ResultsError(
            f"{source} nests {levels} levels deep, more than the {MAX_DEPTH} "
            "a results file may"
        )
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise results.ResultsError(_json_problem(source, text, exc)) from exc
    except ValueError as exc:  # from _constant or _float: NaN, infinity
        raise results.ResultsError(f"{source} {exc}") from exc
    except RecursionError as exc:  # the scan above should make this unreachable
        raise results.ResultsError(f"{source} nests too deep to read") from exc


def _json_problem(source: str, text: str, exc: json.JSONDecodeError) -> str:
    where = f"line {exc.lineno} column {exc.colno}"
    if _cut_short(text, exc) and text.lstrip()[:1] in "[{":
        return f"{source} ends before its JSON does (truncated? {exc.msg}, {where})"
    return f"{source} is not valid JSON: {exc.msg} ({where})"


def _cut_short(text: str, exc: json.JSONDecodeError) -> bool:
    """The parser stopped at the end, in a string, word or number the end cut."""
    rest = text[exc.pos :].strip()
    return (
        exc.msg.startswith("Unterminated string")
        or (exc.msg.startswith("Invalid \\") and '"' not in rest)  # a cut \u00b7
        or any(word.startswith(rest) for word in ("true", "false", "null"))
        or _NUMBER_PART.fullmatch(rest) is not None
    )


def check(data: Any) -> str | None:
    """What makes parsed ``data`` not a results file this code reads, or None."""
    return _version(data) or _schema(data) or _markup(data)


def _version(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "the top level is not a JSON object, not a results file"
    version = data.get("format")
    if isinstance(version, int) and not isinstance(version, bool):
        if version > results.FORMAT:
            return (
                f"made by a newer version (format {version}; this one reads "
                f"{results.FORMAT}); update this checkout (git pull) and run it again"
            )
        if version < results.FORMAT:
            return f"format {version} is older than the {results.FORMAT} this reads"
        return None
    return f'"format" is {version!r}, expected {results.FORMAT}'


def _fields(value: Any, spec: Spec, where: str, *, closed: bool = False) -> str | None:
    """The first key of ``spec`` that ``value`` lacks or holds with a wrong type."""
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for key, (types, required) in spec.items():
        if key not in value:
            if required:
                return f'{where} has no "{key}"'
            continue
        item = value[key]
        wrong_bool = isinstance(item, bool) and bool not in types
        if wrong_bool or not isinstance(item, types):
            expected = " or ".join(_name(t) for t in types)
            return f'{where} "{key}" is {_name(type(item))}, expected {expected}'
    if closed and (extra := sorted(value.keys() - spec.keys())):
        return f"{where} has keys this format does not have: {', '.join(extra)}"
    return None


def _name(kind: type) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    names |= {int: "an integer", float: "a number", NONE: "null"}
    return names.get(kind, kind.__name__)


def _items(value: list[Any], where: str, kinds: tuple[type, ...]) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, kinds):
            return f"{where} item {i + 1} is {_name(type(item))}"
    return None


def _schema(data: dict[str, Any]) -> str | None:
    if problem := _fields(data, TOP, "the file"):
        return problem
    if data["kind"] not in KINDS:
        return f'"kind" is {data["kind"]!r}, expected one of {", ".join(KINDS)}'
    if "machine" in data and (problem := _machine(data["machine"])):
        return problem
    for i, entry in enumerate(data["experiments"]):
        if problem := _entry(entry, f"experiment {i + 1}"):
            return problem
    return None


def _machine(machine: dict[str, Any]) -> str | None:
    if problem := _fields(machine, MACHINE, '"machine"', closed=True):
        return problem
    if len(machine.get("note") or "") > NOTE_LIMIT:
        return f'"machine" "note" is longer than {NOTE_LIMIT} characters'
    return _items(machine["pythons"], '"machine" "pythons"', (str,))


def _entry(entry: Any, where: str) -> str | None:
    if problem := _fields(entry, ENTRY, where):
        return problem
    where = f"{where} ({entry['experiment']})"
    problem = (
        _items(entry["pages"], f"{where} pages", (str,))
        or _fields(entry["interpreter"], INTERPRETER, f"{where} interpreter")
        or (f"{where} has no runs" if not entry["runs"] else None)
    )
    if problem:
        return problem
    for j, run in enumerate(entry["runs"]):
        if problem := _run(run, f"{where} run {j + 1}"):
            return problem
    for k, claim in enumerate(entry["claims"]):
        if problem := _claim(claim, f"{where} claim {k + 1}"):
            return problem
    return None


def _run(run: Any, where: str) -> str | None:
    if problem := _fields(run, RUN, where):
        return problem
    if not all(isinstance(v, SCALAR) for v in run["machine"].values()):
        return f"{where} machine holds something other than numbers and text"
    if not all(isinstance(v, list) for v in run["leftovers"].values()):
        return f"{where} leftovers are not lists"
    return _fields(run["result"].get("env"), ENV, f"{where} env")


def _claim(claim: Any, where: str) -> str | None:
    if problem := _fields(claim, CLAIM, where):
        return problem
    for n, figure in enumerate(claim.get("figures", [])):
        if problem := _fields(figure, FIGURE, f"{where} figure {n + 1}"):
            return problem
    return None


def _markup(data: dict[str, Any]) -> str | None:
    for path, text in rendered(data):
        if found := MARKUP.search(text):
            return (
                f"{'/'.join(path)} holds markup ({found.group()!r}...); "
                "a results file may not carry HTML or script in a field a page shows"
            )
    return None


def rendered(data: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string a page may render, with where it is (e.g. experiments/3/...)."""
    for pattern in RENDERED:
        yield from _strings(data, pattern, ())


def _strings(
    value: Any, pattern: tuple[str, ...], at: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str]]:
    if not pattern:
        if isinstance(value, str):
            yield at, value
        return
    head, rest = pattern[0], pattern[1:]
    if isinstance(value, dict):
        keys = list(value) if head == "*" else [head] if head in value else []
        for key in keys:
            yield from _strings(value[key], rest, (*at, str(key)))
    elif isinstance(value, list) and head == "*":
        for i, item in enumerate(value):
            yield from _strings(item, rest, (*at, str(i + 1)))
