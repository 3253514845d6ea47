"""Many connections: a thread per connection vs asyncio tasks, measured.

A local echo server (an asyncio Protocol in its own process, on 127.0.0.1 and a
port the OS picks) serves every client. For each level of concurrency N, two
clients open N connections at once, send one line on each, read the echo, and hold
every connection open until all N are open; then they close them all:

- threads: one ``threading.Thread`` per connection, blocking ``socket`` calls;
- asyncio: one task per connection, ``asyncio.open_connection``.

Each client session runs in a fresh process, which reports its wall time, its
resident memory (RSS) before and with all N connections open, and its failures.
A socket is a file descriptor, so N is capped by RLIMIT_NOFILE: the script raises
its soft limit to the hard limit and skips any level that would not fit.

The highest level that fits is the one the comparison rests on: it runs ROUNDS
rounds, each timing both clients once in a random order. The lower levels show the
trend and run STEP_ROUNDS round each. The server is stopped at the end.

Run it yourself from a clone:  python snippets/many_connections.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import coordination as shape

TIMEOUT = 120
LEVELS = (100, 1_000, 2_000)  # concurrent connections
ROUNDS = 6  # rounds at the highest level that fits: [min, max] of 6 is a 97 % CI
# The ratios the guide's claims judge ("where: baseline / contender"): the build
# adds a run when one of them is too noisy (see JUDGED in CONTRIBUTING.md).
JUDGED = ("by_level/{top}/time: threads / asyncio",)
STEP_ROUNDS = 1  # rounds at each lower level
FD_HEADROOM = 200  # descriptors a process needs besides its sockets
CONNECT_TIMEOUT = 30.0  # seconds; a connection not open by then counts as failed
MESSAGE = b"ping\n"

try:
    import resource  # Unix only
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


def rss_bytes() -> int:
    """Resident memory of this process now (Linux), else its peak so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    if resource is None:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kB on Linux


def raise_fd_limit() -> shape.FdLimit:
    """Raise the soft RLIMIT_NOFILE to the hard limit; children inherit it."""
    if resource is None:
        return {"soft_before": 0, "soft": 0, "hard": 0}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    new_soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"soft_before": soft, "soft": new_soft, "hard": hard}


# ---- the server: asyncio echo server in its own process ----------------------------


def serve(control: Connection, backlog: int) -> None:
    asyncio.run(_serve(control, backlog))


class Echo(asyncio.Protocol):
    """Echo every byte back. A Protocol, not streams: the server stays cheap, so the
    clients' costs dominate what is measured."""

    def __init__(self, stats: dict[str, int]) -> None:
        self.stats = stats

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.stats["accepted"] += 1
        self.stats["open"] += 1
        self.stats["peak"] = max(self.stats["peak"], self.stats["open"])

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats["open"] -= 1


async def _serve(control: Connection, backlog: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    stats = {"open": 0, "peak": 0, "accepted": 0}
    server = await loop.create_server(
        lambda: Echo(stats), "127.0.0.1", 0, backlog=backlog
    )
    control.send(server.sockets[0].getsockname()[1])  # the port the OS picked
    loop.add_reader(control.fileno(), stop.set)  # any message from the parent: stop
    async with server:
        await stop.wait()
    control.recv()
    control.send(stats)


# ---- client 1: a thread per connection ---------------------------------------------


def thread_session(port: int, n: int) -> dict[str, Any]:
    release = threading.Event()
    done = threading.Semaphore(0)
    failures: list[str] = []

    def connection() -> None:
        try:
            with socket.create_connection(
                ("127.0.0.1", port), timeout=CONNECT_TIMEOUT
            ) as sock:
                sock.sendall(MESSAGE)
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = sock.recv(64)
                    if not chunk:
                        raise ConnectionError("closed before the echo")
                    reply += chunk
                done.release()  # open and echoed
                release.wait()  # hold the connection until all are open
        except OSError as error:
            failures.append(type(error).__name__)
            done.release()

    baseline = rss_bytes()
    peak = baseline
    threads: list[threading.Thread] = []

    def session() -> None:
        nonlocal peak
        for _ in range(n):
            thread = threading.Thread(target=connection)
            try:
                thread.start()
            except RuntimeError:  # "can't start new thread"
                failures.append("RuntimeError")
                done.release()
                continue
            threads.append(thread)
        for _ in range(n):
            done.acquire(timeout=CONNECT_TIMEOUT)
        peak = rss_bytes()  # every connection open, every thread alive
        release.set()
        for thread in threads:
            thread.join()

    start = time.perf_counter()
    session()
    return report("threads", time.perf_counter() - start, baseline, peak, failures)


# ---- client 2: asyncio, a task per connection --------------------------------------


def asyncio_session(port: int, n: int) -> dict[str, Any]:
    failures: list[str] = []
    baseline = rss_bytes()
    peak = baseline

    async def main() -> None:
        nonlocal peak
        release = asyncio.Event()
        opened = 0
        all_open = asyncio.Event()

        async def connection() -> None:
            nonlocal opened
            writer = None
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(MESSAGE)
                    await writer.drain()
                    if not (await reader.readline()).endswith(b"\n"):
                        raise ConnectionError("closed before the echo")
            except (OSError, TimeoutError) as error:
                failures.append(type(error).__name__)
            finally:
                opened += 1
                if opened == n:
                    all_open.set()
            await release.wait()  # hold the connection until all are open
            if writer is not None:
                writer.close()
                await writer.wait_closed()

        tasks = [asyncio.create_task(connection()) for _ in range(n)]
        await all_open.wait()
        peak = rss_bytes()  # every connection open, every task alive
        release.set()
        await asyncio.gather(*tasks)

    start = time.perf_counter()
    asyncio.run(main())
    return report("asyncio", time.perf_counter() - start, baseline, peak, failures)


def report(
    kind: str, seconds: float, baseline: int, peak: int, failures: list[str]
) -> dict[str, Any]:
    """What one session observed: raw figures only."""
    return {
        "kind": kind,
        "seconds": seconds,
        "rss_before": baseline,
        "rss_peak": peak,
        "failures": len(failures),
        "failure_kinds": sorted(set(failures)),
    }


SESSIONS = {"threads": thread_session, "asyncio": asyncio_session}


def client_process(kind: str, port: int, n: int, out: Connection) -> None:
    out.send(SESSIONS[kind](port, n))
    out.close()


def run_client(kind: str, port: int, n: int) -> dict[str, Any]:
    """One session in a fresh process: a clean memory baseline every time."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=client_process, args=(kind, port, n, send))
    child.start()
    send.close()
    try:
        if not receive.poll(CONNECT_TIMEOUT * 2):
            raise TimeoutError(f"{kind} client with {n} connections did not report")
        outcome = receive.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    assert child.exitcode == 0, f"{kind} client exited with {child.exitcode}"
    return outcome


def level_rounds(port: int, n: int, rounds: int) -> shape.Level:
    """Both clients at ``n`` connections, ``rounds`` times, in a random order."""
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    seconds: dict[str, list[float]] = {kind: [] for kind in SESSIONS}
    sessions: dict[str, list[shape.Session]] = {kind: [] for kind in SESSIONS}
    orders = []
    for _ in range(rounds):
        orders.append(tuple(rng.sample(list(SESSIONS), len(SESSIONS))))
        for kind in orders[-1]:
            outcome = run_client(kind, port, n)
            seconds[kind].append(outcome.pop("seconds"))
            sessions[kind].append(outcome)
    timed = measure.Rounds(
        {kind: tuple(values) for kind, values in seconds.items()},
        tuple(orders),
        warmup=0,
        seed=seed,
    )
    return {"rounds": rounds, "time": timed.to_dict(), "sessions": sessions}


def main() -> None:
    limits = raise_fd_limit()
    # Each process holds its own end of every connection, plus a few other files.
    levels = [n for n in LEVELS if n + FD_HEADROOM <= limits["soft"]]
    skipped = [n for n in LEVELS if n not in levels]
    before, soft, hard = limits["soft_before"], limits["soft"], limits["hard"]
    change = f"raised to {soft:,}" if soft > before else "kept (the most allowed)"
    print(
        f"file-descriptor limit (RLIMIT_NOFILE): soft {before:,} {change} "
        f"(hard {hard:,})"
    )
    if skipped:
        print(f"skipped levels (over the limit): {skipped}")
    top = max(levels)
    control, server_end = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(server_end, top))
    server.start()
    server_end.close()
    by_level: dict[str, shape.Level] = {}
    try:
        if not control.poll(30):
            raise TimeoutError("the server did not start")
        port = control.recv()
        print(f"echo server on 127.0.0.1:{port}, pid {server.pid}")
        for n in levels:
            rounds = ROUNDS if n == top else STEP_ROUNDS
            by_level[str(n)] = level_rounds(port, n, rounds)
    finally:
        if server.is_alive():
            control.send("stop")
        server_stats = control.recv() if control.poll(10) else {}
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
            server.join()
        control.close()
    print("RSS: resident memory the client process added with all N connections open")
    for n in levels:
        level = by_level[str(n)]
        for kind in SESSIONS:
            mine = level["sessions"][kind]
            took = stats.timing(level["time"], kind).estimate
            per_conn = stats.median_interval(
                (s["rss_peak"] - s["rss_before"]) / n for s in mine
            ).estimate
            print(
                f"{n:>6,} connections  {kind:<8} {took:6.3f} s  "
                f"{per_conn / 1024:6.1f} KiB per connection  "
                f"failures {sum(s['failures'] for s in mine)}  "
                f"(median of {level['rounds']} round{'s' * (level['rounds'] > 1)})"
            )
    print(
        f"server: {server_stats.get('accepted', 0):,} connections accepted, at most "
        f"{server_stats.get('peak', 0):,} open at once; stopped "
        f"(exit code {server.exitcode})"
    )
    result: shape.ManyConnections = {
        "experiment": "many_connections",
        "levels": levels,
        "top": top,
        "skipped_levels": skipped,
        "fd_limit": limits,
        "port": port,
        "server": {**server_stats, "exitcode": server.exitcode},
        "by_level": by_level,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
