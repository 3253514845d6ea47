"""Logging from threads and from processes into one file: what arrives.

Four cases, each writing numbered records ("<sender> record <n>") to a fresh log
file that this script then reads back and counts:

- threads:       THREADS threads in this process log RECORDS records each through
                 one FileHandler (the logging module locks a handler per record);
- fork:          WORKERS forked processes log RECORDS records each through the
                 FileHandler they inherited from this process (same open file);
- spawn:         WORKERS spawned processes do the same with no set-up: a spawned
                 worker starts a fresh interpreter, without this process's handlers;
- queue:         WORKERS spawned processes log through a QueueHandler into a
                 multiprocessing queue; a QueueListener in this process writes the
                 records to the file, with the worker's process name (%(processName)s).

For each case the script counts the lines in the file, the lines that are one whole
record, and how often each expected record appears. Linux and macOS have fork;
where it is missing, that case is skipped and the result says so.

Run it yourself from a clone:  python snippets/recipe_logging.py
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import re
import tempfile
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_processes import LogCase, RecipeLogging

TIMEOUT = 60
JUDGED = ()  # every claim is an observation (counts), no timed ratio
THREADS = 4
WORKERS = 2
RECORDS = 500  # per thread or worker
FORMAT = "%(processName)s|%(threadName)s|%(message)s"
# One whole line: process name | thread name | "<sender> record <n>".
LINE = re.compile(r"^([^|]+)\|([^|]+)\|(\S+) record (\d+)$")
LOGGER = "app"


def log_records(sender: str) -> None:
    """Log RECORDS numbered INFO records: what every thread or worker does."""
    log = logging.getLogger(LOGGER)
    for n in range(RECORDS):
        log.info("%s record %d", sender, n)


def spawned_worker(sender: str, conn: Any) -> None:
    """A spawned worker with no logging set-up: it reports its handlers first."""
    conn.send(
        len(logging.getLogger().handlers) + len(logging.getLogger(LOGGER).handlers)
    )
    conn.close()
    logging.getLogger(LOGGER).setLevel(logging.INFO)  # as the parent's logger is
    log_records(sender)


def queued_worker(sender: str, queue: Any) -> None:
    """The fix: the worker's only handler puts each record on the queue."""
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)
    log_records(sender)


def file_handler(path: str) -> logging.FileHandler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def count(path: str, senders: dict[str, str]) -> LogCase:
    """What the file holds: lines, whole records, each expected record's count.

    ``senders`` maps each sender to the process name its records should carry.
    """
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    seen: Counter[tuple[str, int]] = Counter()
    named_right = 0
    for line in lines:
        if (m := LINE.match(line)) is not None:
            seen[(m.group(3), int(m.group(4)))] += 1
            named_right += senders.get(m.group(3)) == m.group(1)
    expected = [(s, n) for s in senders for n in range(RECORDS)]
    return {
        "expected": len(expected),
        "lines": len(lines),
        "whole": sum(seen.values()),
        "once": sum(seen[key] == 1 for key in expected),
        "missing": sum(seen[key] == 0 for key in expected),
        "repeated": sum(seen[key] > 1 for key in expected),
        "named_right": named_right,
        "handlers_in_worker": None,
        "start_method": "",
    }


def with_file_logger(path: str) -> logging.FileHandler:
    """This process's set-up: the app logger writes INFO records to ``path``."""
    handler = file_handler(path)
    log = logging.getLogger(LOGGER)
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    return handler


def threads_case(path: str) -> LogCase:
    handler = with_file_logger(path)
    names = [f"thread{i}" for i in range(THREADS)]
    threads = [
        threading.Thread(target=log_records, args=(name,), name=name) for name in names
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.close()
    here = multiprocessing.current_process().name
    return count(path, {name: here for name in names})


def start(ctx: Any, target: Any, names: list[str], extra: Any) -> None:
    procs = [
        ctx.Process(target=target, args=(name, extra), name=name) for name in names
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)


def fork_case(path: str) -> LogCase | None:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    handler = with_file_logger(path)
    names = [f"forked{i}" for i in range(WORKERS)]
    start(multiprocessing.get_context("fork"), log_records_as, names, None)
    handler.close()
    return {**count(path, {n: n for n in names}), "start_method": "fork"}


def log_records_as(sender: str, _: None) -> None:
    log_records(sender)


def spawn_case(path: str) -> LogCase:
    handler = with_file_logger(path)
    ctx = multiprocessing.get_context("spawn")
    names = [f"spawned{i}" for i in range(WORKERS)]
    pipes = [ctx.Pipe(duplex=False) for _ in names]
    procs = [
        ctx.Process(target=spawned_worker, args=(name, send), name=name)
        for name, (_, send) in zip(names, pipes, strict=True)
    ]
    for p in procs:
        p.start()
    handlers = [recv.recv() for recv, _ in pipes]
    for p in procs:
        p.join(30)
    handler.close()
    return {
        **count(path, {n: n for n in names}),
        "handlers_in_worker": max(handlers),
        "start_method": "spawn",
    }


def queue_case(path: str) -> LogCase:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    handler = file_handler(path)
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    names = [f"queued{i}" for i in range(WORKERS)]
    try:
        start(ctx, queued_worker, names, queue)
    finally:
        listener.stop()  # writes what is still queued, then returns
        handler.close()
        queue.close()
        queue.join_thread()
    return {**count(path, {n: n for n in names}), "start_method": "spawn"}


def show(case: str, c: LogCase | None) -> None:
    if c is None:
        print(f"{case:<7} fork is not available on this platform: skipped")
        return
    print(
        f"{case:<7} {c['expected']:5d} records sent, {c['lines']:5d} lines in the "
        f"file, {c['whole']:5d} whole, each exactly once: {c['once']:5d}, "
        f"missing {c['missing']}, twice or more {c['repeated']}, "
        f"right process name {c['named_right']}"
    )


def main() -> None:
    print(
        f"{THREADS} threads or {WORKERS} processes x {RECORDS} records each, "
        "one log file per case"
    )
    cases: dict[str, LogCase | None] = {}
    with tempfile.TemporaryDirectory() as folder:
        for case, run in (
            ("threads", threads_case),
            ("fork", fork_case),
            ("spawn", spawn_case),
            ("queue", queue_case),
        ):
            cases[case] = run(os.path.join(folder, f"{case}.log"))
            show(case, cases[case])
    spawn = cases["spawn"]
    assert spawn is not None
    print(f"a spawned worker's loggers had {spawn['handlers_in_worker']} handlers")
    result: RecipeLogging = {
        "experiment": "recipe_logging",
        "threads": THREADS,
        "workers": WORKERS,
        "records": RECORDS,
        "cases": cases,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
