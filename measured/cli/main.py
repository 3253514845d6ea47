"""Command line of the guide's build machinery.

- ``python -m measured run NAME [NAME ...] [--fresh] [--python CMD]`` runs
  experiments through the same runner and cache as the site build and prints their
  output with the provenance line: the quickest way to check a snippet you are
  editing without building the whole site.
- ``python -m measured reproduce [...]`` re-runs experiments on this machine and
  compares them with the published figures (see :mod:`measured.reproduce`).
- ``python -m measured check FILE [--publish]`` judges a results file again from
  its raw runs and exits 0 (sound), 1 (a claim false, missing or edited) or 2 (not
  a results file); see :mod:`measured.check`.
- ``python -m measured submit [--from FILE] [--out DIR]`` writes
  ``results/machines/<slug>.json`` from a reproduce run, with no host, user, path
  or IP address in it (see :mod:`measured.cli.submit`).
- ``python -m measured rule [--write FILE]`` prints the decision rule, rendered
  from the code's constants (or refreshes its generated copy in FILE).
- ``python -m measured pythons`` lists the interpreter matrix this machine offers.
- ``python -m measured new NAME --page PAGE`` scaffolds an experiment: its snippet,
  result shape, claim, contradicting input and a section of the page (see
  :mod:`measured.cli.new` and CONTRIBUTING.md).
- ``python -m measured audit-article PATH`` checks the errata ledger's sentence
  index against the original article (see :mod:`measured.cli.audit`).
"""

from __future__ import annotations

import argparse
import sys

from measured.cli import audit, check, new, reproduce, submit
from measured.run import provenance, runner
from measured.run.interpreter import InterpreterError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m measured")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run experiments (cached unless --fresh)")
    run.add_argument("names", nargs="+", metavar="NAME", help="e.g. cpu_bound")
    run.add_argument("--fresh", action="store_true", help="ignore the cache")
    run.add_argument("--python", help="interpreter command (default: this one)")
    reproduce.add_parser(commands)
    check.add_parser(commands)
    submit.add_parser(commands)
    rules = commands.add_parser("rule", help="print the decision rule from the code")
    rules.add_argument("--write", metavar="FILE", help="refresh its block in FILE")
    commands.add_parser("pythons", help="list the interpreters a build would measure")
    new.add_parser(commands)
    audit.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        if args.command == "reproduce":
            return reproduce.main(args)
        if args.command == "check":
            return check.main(args)
        if args.command == "submit":
            return submit.main(args)
        if args.command == "rule":
            return _rule(args)
        if args.command == "pythons":
            return pythons()
        if args.command == "new":
            return new.main(args)
        if args.command == "audit-article":
            return audit.main(args)
        return _run(args)
    except KeyboardInterrupt:  # Ctrl-C outside an experiment: nothing to clean up
        print("interrupted", file=sys.stderr)
        return reproduce.EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    for name in args.names:
        try:
            outcome = runner.run(name, python=args.python, fresh=args.fresh or None)
        except (FileNotFoundError, InterpreterError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except runner.ExperimentFailed as failure:
            print(failure, file=sys.stderr)
            return 1
        print(f"== {outcome.name}")
        print(outcome.stdout.rstrip())
        print(provenance.line(outcome))
    return 0


def _rule(args: argparse.Namespace) -> int:
    from pathlib import Path

    from measured.claims import rule

    if args.write:
        changed = rule.refresh(Path(args.write))
        print(f"{args.write}: {'updated' if changed else 'already current'}")
    else:
        print(rule.markdown(), end="")
    return 0


def pythons() -> int:
    from measured.run import matrix

    found = matrix.current()
    for interpreter in found.interpreters():
        source = next(f.source for f in found.found if f.interpreter is interpreter)
        print(
            f"{interpreter.label:<6} {interpreter.version:<10} "
            f"GIL {'on ' if interpreter.gil_enabled else 'off'}  "
            f"{interpreter.start_method:<10} {source:<16} {interpreter.executable}"
        )
    for missing in found.missing:
        print(f"{missing.label:<6} not found: install with {missing.how_to_install}")
    for failed in found.failed:
        print(f"error  {failed.command} (from {failed.source}): {failed.error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
