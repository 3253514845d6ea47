"""I/O-bound work: N waits at once, serially, in threads and in processes.

Two kinds of I/O, each taking about WAIT seconds:

- a simulated wait: time.sleep(WAIT);
- a real HTTP request to a local server (127.0.0.1, a free port chosen by the OS)
  that this script starts in a child process and stops at the end. The server takes
  WAIT seconds to answer each request, like a slow backend.

For N = 1, 10, 100 tasks, the script times them serially, in a ThreadPoolExecutor
and in a ProcessPoolExecutor of N workers. Pools are started before timing (their
start-up time is reported separately), so the figures compare how well each one
overlaps the waits.

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

from measured import measure
from measured.forksafe import settle_threads

TIMEOUT = 120
WAIT = 0.01  # seconds each task waits: the sleep, or the server's delay
COUNTS = (1, 10, 100)  # tasks per batch; the pools have as many workers
REPEATS = 3  # timed rounds: the serial 100-wait batch alone takes a second


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
    # 100 clients connect at once; the default backlog of 5 would drop SYNs and
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


def main() -> None:
    cores = measure.usable_cores()
    method = multiprocessing.get_start_method()
    parent_end, child_end = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child_end,), name="server")
    server.start()
    child_end.close()
    port = parent_end.recv()
    rows = []
    pool_start: dict[str, dict[int, float]] = {"threads": {}, "processes": {}}
    try:
        assert http_task(port) == 200
        args = {"sleep": lambda n: [0] * n, "http": lambda n: [port] * n}
        tasks = {"sleep": sleep_task, "http": http_task}
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
                    # Create the pool and run one batch: every worker is started.
                    pool = stack.enter_context(factory(max_workers=n))
                    first = measure.time_call(
                        lambda p=pool, n=n: list(p.map(sleep_task, range(n))),
                        repeats=1,
                        warmup=0,
                    )
                    pools[kind] = pool
                    pool_start[kind][n] = first.median
                alternatives: dict[tuple[str, str], Callable[[], object]] = {}
                for work, fn in tasks.items():
                    batch = args[work](n)
                    alternatives[(work, "serial")] = lambda fn=fn, b=batch: [
                        fn(x) for x in b
                    ]
                    for kind, pool in pools.items():
                        alternatives[(work, kind)] = lambda fn=fn, b=batch, p=pool: (
                            list(p.map(fn, b))
                        )
                timings = measure.time_interleaved(
                    alternatives, repeats=REPEATS, warmup=0
                )
            for work in tasks:
                serial = timings[(work, "serial")]
                for kind in ("serial", "threads", "processes"):
                    t = timings[(work, kind)]
                    rows.append(
                        {
                            "work": work,
                            "n": n,
                            "kind": kind,
                            "timing": t.to_dict(),
                            "speedup": measure.speedup(serial, t),
                        }
                    )
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
        f"each task waits {WAIT * 1000:g} ms; pools of N workers; "
        f"{cores} usable cores; start method {method}"
    )
    for work in tasks:
        print(f"\n{work}: N tasks at once")
        print(f"{'N':>4} {'serial':>10} {'threads':>18} {'processes':>18}")
        for n in COUNTS:
            cells = {r["kind"]: r for r in rows if r["work"] == work and r["n"] == n}
            line = f"{n:>4} {cells['serial']['timing']['median'] * 1000:7.1f} ms"
            for kind in ("threads", "processes"):
                r = cells[kind]
                line += (
                    f" {r['timing']['median'] * 1000:7.1f} ms ({r['speedup']:5.1f}x)"
                )
            print(line)
    print("\nstarting the pool (create + first batch of N waits)")
    for n in COUNTS:
        print(
            f"{n:>4} workers: threads {pool_start['threads'][n] * 1000:7.1f} ms, "
            f"processes {pool_start['processes'][n] * 1000:7.1f} ms"
        )
    print(
        f"\nserver on 127.0.0.1:{port} stopped; port closed: {closed}; "
        f"child processes left: {len(leftovers)}"
    )
    measure.emit(
        {
            "experiment": "io_bound",
            "wait": WAIT,
            "counts": list(COUNTS),
            "cores": cores,
            "start_method": method,
            "rows": rows,
            "pool_start": {
                k: {str(n): s for n, s in v.items()} for k, v in pool_start.items()
            },
            "server": {"port": port, "pid": server.pid, "exitcode": server.exitcode},
            "port_closed": closed,
            "leftover_children": leftovers,
        }
    )


if __name__ == "__main__":
    main()
