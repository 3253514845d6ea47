"""The reproduce page's real example: the command run while the site is built.

:func:`markdown` picks the fastest experiments that state a conclusion (by how long
their run in this build took), writes this build's runs of them to a results file,
runs ``python -m measured reproduce`` on them in a subprocess, and returns the
command and its real output. The capture is cached by content like an experiment
(the chosen experiments' cache keys, the build machinery's source, the lock file), so
an unchanged rebuild runs nothing; ``MEASURED_FRESH=1`` captures it again.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from measured import claims
from measured.cli import reproduce
from measured.run import cache, load, project, runner, stats
from measured.web import render, results

BUDGET_SECONDS = 6.0  # the runs the example repeats, by their time in this build
MAX_EXPERIMENTS = 2
COLUMNS = 76  # what a code block on the page shows without scrolling
CACHE_NAME = "reproduce-example"
log = logging.getLogger("mkdocs.measured")


def fastest(
    runs: list[runner.Run], budget: float = BUDGET_SECONDS, most: int = MAX_EXPERIMENTS
) -> list[runner.Run]:
    """The fastest runs that fit the budget together; the fastest one if none fits."""
    ordered = sorted(runs, key=lambda run: (run.seconds, run.name))
    chosen: list[runner.Run] = []
    for run in ordered:
        spent = sum(r.seconds for r in chosen)
        if len(chosen) < most and spent + run.seconds <= budget:
            chosen.append(run)
    if not chosen and ordered:
        log.info(
            "reproduce example: the fastest experiment, %s, took %.1f s "
            "(budget %.0f s); the example runs it anyway",
            ordered[0].name,
            ordered[0].seconds,
            budget,
        )
        chosen = ordered[:1]
    return chosen


def decided_here(run: runner.Run) -> bool:
    """Whether this build decided at least one of the run's claims. One whose claims
    all need another interpreter (a 3.13 feature on a 3.11 build) would give the
    example a table of "not shown" and no conclusion to compare."""
    evidence = render.evidence(run)
    return any(
        claims.judge(check, evidence)[0].holds is not None
        for check in claims.for_experiment(run.name)
    )


def pick() -> list[runner.Run]:
    """This build's runs of the experiments with claims, then the fastest of those
    whose conclusions this build could decide (of all, if none could)."""
    runs = []
    for name in claims.experiments():
        try:
            runs.append(runner.run(name))  # this build's run: once per build
        except runner.ExperimentFailed as failure:
            render.failures.append(failure)  # the hook fails the build, loudly
            raise
    return fastest([run for run in runs if decided_here(run)] or runs)


def _key(chosen: list[runner.Run]) -> str:
    digest = hashlib.sha256(b"reproduce example 1")
    for run in chosen:
        digest.update(cache.key(run.script, run.interpreter).encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    lock = project.lock_file()
    digest.update(lock.read_bytes() if lock.is_file() else b"")
    digest.update(str(COLUMNS).encode())
    return digest.hexdigest()


def capture(chosen: list[runner.Run]) -> dict[str, object]:
    """Run the command on ``chosen`` against this build's results for them."""
    names = [run.name for run in chosen]
    args = ["reproduce", "--only", *names, "--against", results.FILENAME]
    with tempfile.TemporaryDirectory(prefix="measured-example-") as tmp:
        data = results.document(chosen, kind="site", site_url=reproduce.site_url())
        results.write(Path(tmp) / results.FILENAME, data)
        env = {
            **os.environ,
            project.ROOT_ENV: str(project.root()),
            # `-m measured` finds this package even where it is not installed.
            "PYTHONPATH": os.pathsep.join(
                p
                for p in (
                    str(Path(__file__).resolve().parent.parent),
                    os.environ.get("PYTHONPATH"),
                )
                if p
            ),
            "COLUMNS": str(COLUMNS),
            "PYTHONUTF8": "1",
        }
        limit = sum(
            runner.declared_timeout(run.script) or runner.DEFAULT_TIMEOUT
            for run in chosen
        )
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "measured", *args],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # progress lines and table, in order
            text=True,
            timeout=limit + 60,
        )
    if proc.returncode != 0:
        failure = runner.ExperimentFailed(
            Path("python -m measured reproduce"),
            f"the example exited with status {proc.returncode}",
            proc.stdout,
            page=render.current_page,
        )
        render.failures.append(failure)
        raise failure
    return {
        "command": shlex.join(["python", "-m", "measured", *args]),
        "output": proc.stdout.rstrip(),
        "seconds": time.perf_counter() - started,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def markdown() -> str:
    """The example as a console block, with when and how it was captured."""
    chosen = pick()
    key = _key(chosen)
    store = cache.Store()
    record = None if cache.fresh_requested() else store.load(CACHE_NAME, key)
    cached = record is not None
    if record is None:
        meter = load.Meter()
        record = capture(chosen)
        seen = meter.stop()
        # Captured on a busy machine: shown in this build, measured again next time
        # (as the runner does with an experiment's busy runs).
        if seen.free_cores >= stats.FREE_SHARE * seen.cores:
            store.save(CACHE_NAME, key, record)
    when = (
        f"captured in an earlier build on {record['date']} (inputs unchanged)"
        if cached
        else f"captured in this build on {record['date']}"
    )
    fence = "````" if "```" in str(record["output"]) else "```"
    return (
        f"{fence}console\n$ {record['command']}\n{record['output']}\n{fence}\n\n"
        f'<p class="measured-provenance" markdown>Real output, {when}; '
        f"the command ran {record['seconds']:.1f} s.</p>\n"
    )


def help_text() -> str:
    """``python -m measured reproduce --help``, as the command prints it."""
    parser = argparse.ArgumentParser(prog="python -m measured")
    commands = parser.add_subparsers()
    sub = reproduce.add_parser(commands, width=COLUMNS)
    return f"```text\n{sub.format_help().rstrip()}\n```\n"


def published_url() -> str:
    """Where this site publishes its results file (site_url of mkdocs.yml)."""
    base = reproduce.site_url() or ""
    return base.rstrip("/") + "/" + results.FILENAME
