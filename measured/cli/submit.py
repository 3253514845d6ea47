"""``python -m measured submit``: your machine's results, ready for a pull request.

Takes a results file written by ``python -m measured reproduce --json FILE``
(``--from FILE``), or runs every experiment here first the way ``reproduce
--against none`` does, and writes ``results/machines/<slug>.json`` with what a
reader may share and nothing else (:mod:`measured.cli.scrub`): the machine (CPU
model, core counts, memory, OS, Python builds) and each experiment's raw runs,
with every verdict judged again from the runs as they are published. No host name,
user name, path or IP address. The file passes ``python -m measured check``'s
reading (:mod:`measured.web.validate`) before it is written.

Exit status: 0 written, 1 the experiments ran but the file could not be made,
2 bad input (an unreadable or invalid results file, no folder to write to),
130 interrupted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

from measured import claims
from measured.cli import reproduce, scrub
from measured.run import measure, project
from measured.web import results, validate

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
FOLDER = Path("results") / "machines"
# What a machine record keeps of a run's environment (measure.Environment).
MACHINE_KEYS = (
    "cpu",
    "os",
    "cores",
    "logical_cpus",
    "physical_cores",
    "smt",
    "cgroup_cpus",
)


class BadInput(Exception):
    """Printed as one line, exit status 2."""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "submit",
        help="write results/machines/<slug>.json from a reproduce run, for a PR",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="a file written by `reproduce --json FILE` (default: run reproduce now)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"folder to write to (default: {FOLDER.as_posix()} in the checkout)",
    )
    parser.add_argument(
        "--note",
        default=None,
        metavar="TEXT",
        help="what the runs were, shown beside your machine (e.g. 'laptop on "
        f"battery', 'taskset -c 0'); at most {validate.NOTE_LIMIT} characters",
    )
    return parser


# -- what is kept --------------------------------------------------------------------


def entry(record: dict[str, Any], private: scrub.Private) -> dict[str, Any]:
    """One experiment: allowed fields, scrubbed, its claims judged on what is kept."""
    kept = scrub.only(record, validate.ENTRY)
    interpreter = scrub.only(record["interpreter"], validate.INTERPRETER)
    interpreter["command"] = scrub.file_name(interpreter["command"])  # no folder
    kept["interpreter"] = interpreter
    if Path(kept["script"]).is_absolute() or re.match(r"[A-Za-z]:", kept["script"]):
        kept["script"] = scrub.file_name(kept["script"])
    kept["runs"] = [run(r) for r in record["runs"]]
    kept = scrub.deep(kept, private)
    # A scrubbed string may be one a claim reads: the verdicts published are the
    # ones the published runs give, so `measured check` finds them consistent.
    evidence = claims.Evidence.of(kept["runs"])
    kept["claims"] = claims.evaluate(kept["experiment"], evidence, strict=False)
    return kept


def run(record: dict[str, Any]) -> dict[str, Any]:
    kept = scrub.only(record, validate.RUN)
    result = dict(record["result"])
    result["env"] = scrub.only(result["env"], validate.ENV)
    kept["result"] = result
    return kept


def python_label(env: dict[str, Any]) -> str:
    free = "t" if env.get("free_threaded_build") else ""
    return f"{env['implementation']} {env['python']}{free}"


def machine(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The machine the runs were made on, from their environments."""
    envs = [r["result"]["env"] for e in entries for r in e["runs"]]
    if not envs:
        raise BadInput("the results file holds no experiment run to submit")
    first = envs[0]
    kept = scrub.only(first, MACHINE_KEYS)
    kept["pythons"] = sorted({python_label(env) for env in envs})
    kept["memory_gib"] = memory_gib(first)
    return kept


def memory_gib(env: dict[str, Any]) -> float | None:
    """This machine's memory, if the runs were made here (to 0.1 GiB), else None."""
    here = measure.Environment.here()
    same = (env["cpu"], env["os"], env.get("logical_cpus"))
    if same != (here.cpu, here.os, here.logical_cpus):
        return None
    return round(psutil.virtual_memory().total / 2**30, 1)


def document(
    data: dict[str, Any], private: scrub.Private, note: str | None = None
) -> dict[str, Any]:
    entries = [entry(e, private) for e in data["experiments"]]
    box = machine(entries)
    if note is not None:
        if len(note) > validate.NOTE_LIMIT:
            raise BadInput(f"--note is longer than {validate.NOTE_LIMIT} characters")
        box["note"] = note
    failed = [
        scrub.only(f, ("experiment", "python"))  # not the error: it quotes anything
        for f in data.get("failed", [])
        if isinstance(f, dict) and isinstance(f.get("experiment"), str)
    ]
    return {
        "format": results.FORMAT,
        "kind": "reproduce",
        "generated": scrub.text(data["generated"], private),
        "machine": scrub.deep(box, private),
        "experiments": entries,  # scrubbed by entry()
        "failed": scrub.deep(failed, private),
    }


def leaks(doc: dict[str, Any], private: scrub.Private) -> list[str]:
    """Private values still in the file to publish (the last guard)."""
    text = "\n".join(scrub.strings(doc))
    found = [n for n, _ in private.names if scrub.name_pattern(n).search(text)]
    found += [f for f, _ in private.folders if scrub.folder_pattern(f).search(text)]
    return found


# -- where it goes -------------------------------------------------------------------


def _slug_part(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:limit].strip("-.")


def slug(doc: dict[str, Any], content: bytes) -> str:
    """OS, CPU and Python(s), then a hash of the content: two runs never collide."""
    box = doc["machine"]
    parts = [
        _slug_part(box["os"].split()[0] if box["os"] else "os", 12),
        _slug_part(box["cpu"], 32),
        _slug_part("py" + "-".join(p.split()[-1] for p in box["pythons"]), 32),
        hashlib.sha256(content).hexdigest()[:8],
    ]
    return "-".join(part for part in parts if part)


def encode(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


def write(doc: dict[str, Any], folder: Path, private: scrub.Private) -> Path:
    content = encode(doc)
    if found := leaks(doc, private):
        raise BadInput(f"refused: the file would still name {found[0]!r}")
    # Read back exactly as `measured check` will read it.
    if problem := validate.check(validate.parse(content.decode(), "the submission")):
        raise BadInput(f"the submission would not pass the check: {problem}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(doc, content)}.json"
    path.write_bytes(content)
    return path


# -- the command ---------------------------------------------------------------------


def reproduce_here(path: Path) -> int:
    """Run every experiment as `reproduce --against none --json PATH` does."""
    parser = argparse.ArgumentParser(prog="python -m measured")
    reproduce.add_parser(parser.add_subparsers(dest="command"))
    argv = ["reproduce", "--against", reproduce.NO_COMPARISON, "--json", str(path)]
    return reproduce.main(parser.parse_args(argv))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(args: argparse.Namespace) -> int:
    folder = args.out if args.out is not None else project.root() / FOLDER
    with tempfile.TemporaryDirectory() as scratch:
        source = args.source
        if source is None:
            source = str(Path(scratch) / "reproduce.json")
            status = reproduce_here(Path(source))
            if status not in (reproduce.EXIT_OK, reproduce.EXIT_FAILED):
                return status  # bad input or interrupted: reproduce said why
        try:
            data = validate.load(source).data
            private = scrub.Private.here()
            path = write(document(data, private, args.note), folder, private)
        except (results.ResultsError, BadInput) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except OSError as error:
            print(f"error: cannot write to {folder}: {error.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
    shown = _shown(path)
    print(f"wrote {shown}")
    print(
        "kept: CPU model, core counts, memory, OS, Python builds, raw runs, verdicts; "
        "removed: host and user names, paths, IP addresses"
    )
    print(f"check it:  python -m measured check --machine {shown}")
    print(f"then open a pull request that adds {shown}")
    return EXIT_OK
