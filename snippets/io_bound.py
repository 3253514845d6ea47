"""I/O-bound work: N waits at once, serially, in threads and in processes.

Two kinds of I/O, each taking about WAIT seconds:

- a simulated wait: time.sleep(WAIT);
- a real HTTP request to a local server (127.0.0.1, a free port chosen by the OS)
  that this script starts in a child process and stops at the end. The server takes
  WAIT seconds to answer each request, like a slow backend.

For each N in COUNTS, the script times N tasks one after another (a plain loop) and
in a ThreadPoolExecutor of N workers; the sleeps also in a ProcessPoolExecutor of N
workers. (N worker processes and the server's threads, all on a few cores, make the
processes' HTTP figure swing too much to say anything.) Every pool starts all its
workers and runs one untimed batch of its tasks before any timing, so the timed
rounds compare how well each one overlaps the waits, not how fast it starts. Each
round times every alternative once, in a new random order; a speedup is the median
of the per-round ratios to the loop (measured.run.stats gives its interval). The
headline count, fixed here before anything is timed, is the largest.

Starting a pool is timed on its own, in rounds: a fresh pool of N threads or of N
processes is created, all its workers are started, and it is shut down. Each worker
waits at a barrier until all N have started (a thread pool, and a process pool
under spawn or forkserver, starts workers only as it needs them) and counts itself;
those pools run nothing but one empty task per worker.

Run it yourself from a clone:  python snippets/io_bound.py
"""

from __future__ import annotations

import http.client
import multiprocessing
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats
from measured.run.forksafe import settle_threads

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.part1 import IoBound

TIMEOUT = 120
ROUNDS = 9  # timed rounds, fixed in advance: [2nd, 8th] of 9 ratios is a 96 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = (
    "http/{headline}: serial / threads",
    "pool_start: processes / threads",
    "sleep/{headline}: serial / processes",
    "sleep/{headline}: serial / threads",
)
# Starting a pool: [3rd, 10th] of 12 ratios, a 96 % CI. A thread pool of N starts in
# a few milliseconds, too short a window on a noisy machine: each round times a batch
# of thread pools, one after another, and the per-pool time is the batch's / its size.
POOL_START_ROUNDS = 12
POOL_START_BATCH = {"processes": 1, "threads": 5}
WAIT = 0.008  # seconds each task waits: the sleep, or the server's delay
COUNTS = (1, 5, 25)  # tasks at once; the pools have as many workers
HEADLINE = max(COUNTS)  # the count the claims are judged on
# What each kind of task is timed in; the loop, first, is the baseline.
KINDS = {"sleep": ("serial", "threads", "processes"), "http": ("serial", "threads")}


class SlowHandler(BaseHTTPRequestHandler):
    """Answers every GET after WAIT seconds, like a backend that takes its time."""

    def do_GET(self) -> None:
        time.sleep(WAIT)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass  # one log line per request would flood the output


class Server(ThreadingHTTPServer):
    # Every client connects at once; the default backlog of 5 would drop SYNs and
    # make clients wait a second to retry.
    request_queue_size = 256


def serve(conn: Connection) -> None:
    """Child process: serve on a free port until the parent says stop."""
    with Server(("127.0.0.1", 0), SlowHandler) as server:
        conn.send(server.server_address[1])
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        conn.recv()  # blocks until the parent sends "stop" (or goes away)
        server.shutdown()
        thread.join()
    conn.close()


def sleep_task(_: int) -> None:
    time.sleep(WAIT)


def http_task(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.read() == b"ok"
        return response.status
    finally:
        conn.close()


def port_is_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def arrive(barrier: Any, started: Any) -> None:
    """Pool initializer, run by each worker as it starts: count this worker, then
    wait until every worker of the pool has started."""
    with started.get_lock():
        started.value += 1
    barrier.wait(TIMEOUT)


def noop(_: int) -> None:
    pass


def one_shot(
    factory: Callable[..., Executor],
    n: int,
    barrier: Any,
    started: Any,
    created: list[int],
    pools: int,
) -> Callable[[], None]:
    """Create a pool of n workers, start them all, shut the pool down; ``pools``
    times. One empty task per worker makes the pool start its workers; none can
    run until all n have started, so no worker is reused in place of a new one."""

    def run() -> None:
        for _ in range(pools):
            with factory(n, initializer=arrive, initargs=(barrier, started)) as pool:
                list(pool.map(noop, range(n)))
            created.append(n)  # the workers this pool was asked for

    return run


def main() -> None:
    cores = measure.usable_cores()
    method = multiprocessing.get_start_method()
    parent_end, child_end = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child_end,), name="server")
    server.start()
    child_end.close()
    port = parent_end.recv()
    timed: dict[str, dict[str, dict]] = {"sleep": {}, "http": {}}
    try:
        assert http_task(port) == 200
        tasks = {"sleep": (sleep_task, 0), "http": (http_task, port)}
        for n in COUNTS:
            with ExitStack() as stack:
                pools: dict[str, Executor] = {}
                # Processes first, once the last pools' threads are gone: forking
                # while threads run is unsafe (Python 3.12+ warns about it).
                settle_threads()
                for kind, factory in (
                    ("processes", ProcessPoolExecutor),
                    ("threads", ThreadPoolExecutor),
                ):
                    pool = stack.enter_context(factory(max_workers=n))
                    measure.prestart(pool, n, hold=WAIT)
                    for work, (fn, arg) in tasks.items():  # untimed warm-up
                        if kind in KINDS[work]:
                            list(pool.map(fn, [arg] * n))
                    pools[kind] = pool
                for work, (fn, arg) in tasks.items():
                    batch = [arg] * n
                    rounds = measure.time_rounds(
                        {
                            "serial": lambda fn=fn, b=batch: [fn(x) for x in b],
                            **{
                                kind: lambda fn=fn, b=batch, p=pools[kind]: list(
                                    p.map(fn, b)
                                )
                                for kind in KINDS[work][1:]
                            },
                        },
                        rounds=ROUNDS,
                        warmup=0,  # the pools ran their warm-up batches above
                    )
                    timed[work][str(n)] = rounds.to_dict()
        settle_threads()
        # One barrier of HEADLINE parties per kind of pool (reused by each pool of
        # that kind) and a count of the workers that reached it.
        barriers = {
            "processes": multiprocessing.Barrier(HEADLINE),
            "threads": threading.Barrier(HEADLINE),
        }
        started = {kind: multiprocessing.Value("i", 0) for kind in barriers}
        created: dict[str, list[int]] = {kind: [] for kind in barriers}
        factories = {"processes": ProcessPoolExecutor, "threads": ThreadPoolExecutor}
        starts = measure.time_rounds(
            {
                kind: one_shot(
                    factories[kind],
                    HEADLINE,
                    barriers[kind],
                    started[kind],
                    created[kind],
                    POOL_START_BATCH[kind],
                )
                for kind in barriers
            },
            rounds=POOL_START_ROUNDS,
            # Untimed, before every pool: the last pool's threads are gone before
            # anything forks.
            settle=settle_threads,
        )
        pool_workers = {
            kind: {"asked": sum(created[kind]), "started": started[kind].value}
            for kind in barriers
        }
    finally:
        parent_end.send("stop")
        server.join(timeout=10)
        if server.is_alive():  # never leave a server behind, even on a failure
            server.kill()
            server.join()
        parent_end.close()
    closed = port_is_closed(port)
    leftovers = [p.name for p in multiprocessing.active_children()]

    print(
        f"each task waits {WAIT * 1000:g} ms; pools of N workers; {cores} usable "
        f"cores; start method {method}; {ROUNDS} rounds; median ms [speedup]"
    )
    for work, by_n in timed.items():
        print(f"\n{work}: N tasks at once")
        print(f"{'N':>4} {'serial':>10} {'threads':>24} {'processes':>24}")
        for n in COUNTS:
            record = by_n[str(n)]
            cells = [f"{n:>4}"]
            for kind in KINDS[work]:
                ms = stats.timing(record, kind).estimate * 1000
                if kind == "serial":
                    cells.append(f"{ms:7.1f} ms")
                    continue
                gain = stats.ratio(record, "serial", kind)
                cells.append(f"{ms:7.1f} ms {gain.text('x', 1):>14}")
            print(" ".join(cells))
    start = starts.to_dict()
    per_pool = {
        kind: [t / POOL_START_BATCH[kind] for t in start["samples"][kind]]
        for kind in POOL_START_BATCH
    }
    threads_ms = stats.median_interval(per_pool["threads"]).estimate * 1000
    processes_ms = stats.median_interval(per_pool["processes"]).estimate * 1000
    ratio = stats.median_interval(
        stats.paired_ratios(per_pool["processes"], per_pool["threads"])
    )
    print(
        f"\ncreate a pool of {HEADLINE}, start every worker, shut it down: "
        f"threads {threads_ms:.1f} ms, processes {processes_ms:.1f} ms "
        f"({ratio.text('x', 1)} as long); "
        + "; ".join(
            f"{kind}: {n['started']} of {n['asked']} workers started"
            for kind, n in pool_workers.items()
        )
    )
    print(
        f"\nserver on 127.0.0.1:{port} stopped; port closed: {closed}; "
        f"child processes left: {len(leftovers)}"
    )
    result: IoBound = {
        "experiment": "io_bound",
        "wait": WAIT,
        "counts": list(COUNTS),
        "kinds": {work: list(kinds) for work, kinds in KINDS.items()},
        "headline": HEADLINE,
        "cores": cores,
        "start_method": method,
        "sleep": timed["sleep"],
        "http": timed["http"],
        "pool_start": start,
        "pool_start_batch": POOL_START_BATCH,
        "pool_start_workers": pool_workers,
        "server": {"port": port, "pid": server.pid, "exitcode": server.exitcode},
        "port_closed": closed,
        "leftover_children": leftovers,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
