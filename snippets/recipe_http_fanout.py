"""HTTP fan-out: the same GET requests with a thread pool and with asyncio.

A local HTTP server (asyncio, in its own process, on 127.0.0.1 and a port the OS
picks) answers every request after DELAY seconds, as a slow API would. Two clients
send N requests, at most WORKERS at once:

- threads: ``ThreadPoolExecutor(WORKERS)`` mapping ``urllib.request.urlopen``;
- asyncio: one task per request, ``asyncio.Semaphore(WORKERS)`` around a minimal
  HTTP/1.1 GET over ``asyncio.open_connection``.

Each client session runs in a fresh process, which reports its wall time, the
status codes it got, and its memory: resident memory (RSS) before the session and
the peak during it (Linux ``VmHWM``, reset at the start with
``/proc/self/clear_refs``). RSS counts what the process really touched, thread
stacks included; tracemalloc would count Python objects only.

TIMED requests are compared in ROUNDS rounds, each running both clients once in a
random order; the other levels run once each, to show the trend. Wall times are
printed for a reader; no claim rests on them. The server counts the requests it
had in flight at once, then is stopped.

Run it yourself from a clone:  python snippets/recipe_http_fanout.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import recipes_async as shape

TIMEOUT = 60
DELAY = 0.010  # seconds the server waits before it answers
WORKERS = 50  # requests in flight at once, in both clients
LEVELS = (10, 100, 1_000)  # requests per session
TIMED = 100  # the level compared in rounds
ROUNDS = 6
JUDGED = ()  # the times are shown; only memory and answers are judged
WAIT = 30.0  # seconds; a session that has not reported by then failed


# ---- the server: answers every GET after DELAY -------------------------------------


def serve(control: Connection) -> None:
    asyncio.run(_serve(control))


async def _serve(control: Connection) -> None:
    counts = {"in_flight": 0, "peak": 0, "served": 0}

    async def answer(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")  # the request's head
            counts["in_flight"] += 1
            counts["peak"] = max(counts["peak"], counts["in_flight"])
            await asyncio.sleep(DELAY)  # a slow backend
            counts["in_flight"] -= 1
            counts["served"] += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            )
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=1024)
    control.send(server.sockets[0].getsockname()[1])  # the port the OS picked
    stop = asyncio.Event()
    asyncio.get_running_loop().add_reader(control.fileno(), stop.set)
    async with server:
        await stop.wait()
    control.recv()
    control.send(counts)


# ---- client 1: a thread pool and urllib --------------------------------------------


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        response.read()
        return int(response.status)


def with_threads(port: int, n: int) -> list[int]:
    url = f"http://127.0.0.1:{port}/"
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(get, [url] * n))


# ---- client 2: asyncio tasks, a semaphore and a minimal HTTP/1.1 GET -----------------


async def fetch(port: int, limit: asyncio.Semaphore) -> int:
    async with limit:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.read()  # the body, up to the server's close
        finally:
            writer.close()
            await writer.wait_closed()
        return int(head.split()[1])  # b"HTTP/1.1 200 OK" -> 200


async def fan_out(port: int, n: int) -> list[int]:
    limit = asyncio.Semaphore(WORKERS)
    return list(await asyncio.gather(*(fetch(port, limit) for _ in range(n))))


def with_asyncio(port: int, n: int) -> list[int]:
    return asyncio.run(fan_out(port, n))


CLIENTS = {"threads": with_threads, "asyncio": with_asyncio}


# ---- one session in a fresh process --------------------------------------------------


def memory(key: str) -> int:
    """A /proc/self/status figure in bytes (VmRSS now, VmHWM peak), 0 if absent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def session(kind: str, port: int, n: int, out: Connection) -> None:
    before = memory("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # the peak restarts from now
        peak_reset = True
    except OSError:
        peak_reset = False
    start = time.perf_counter()
    codes = CLIENTS[kind](port, n)
    seconds = time.perf_counter() - start
    out.send(
        {
            "seconds": seconds,
            "ok": codes.count(200),
            "rss_before": before,
            "rss_peak": memory("VmHWM") if peak_reset else memory("VmRSS"),
            "peak_reset": peak_reset,
        }
    )
    out.close()


def run_session(kind: str, port: int, n: int) -> dict[str, Any]:
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=session, args=(kind, port, n, send))
    child.start()
    send.close()
    try:
        if not receive.poll(WAIT):
            raise TimeoutError(f"the {kind} client with {n} requests did not report")
        outcome: dict[str, Any] = receive.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    return outcome


def compare(port: int, n: int, rounds: int) -> shape.FanoutLevel:
    """Both clients at ``n`` requests, ``rounds`` times, in a random order."""
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    seconds: dict[str, list[float]] = {kind: [] for kind in CLIENTS}
    sessions: dict[str, list[shape.FanoutSession]] = {kind: [] for kind in CLIENTS}
    orders = []
    for _ in range(rounds):
        orders.append(tuple(rng.sample(list(CLIENTS), len(CLIENTS))))
        for kind in orders[-1]:
            outcome = run_session(kind, port, n)
            seconds[kind].append(outcome.pop("seconds"))
            sessions[kind].append(outcome)  # type: ignore[arg-type]
    timed = measure.Rounds(
        {kind: tuple(values) for kind, values in seconds.items()},
        tuple(orders),
        warmup=0,
        seed=seed,
    )
    return {"requests": n, "time": timed.to_dict(), "sessions": sessions}


def main() -> None:
    control, server_end = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(server_end,))
    server.start()
    server_end.close()
    levels: dict[str, shape.FanoutLevel] = {}
    try:
        if not control.poll(WAIT):
            raise TimeoutError("the server did not start")
        port = control.recv()
        for n in LEVELS:
            levels[str(n)] = compare(port, n, ROUNDS if n == TIMED else 1)
    finally:
        if server.is_alive():
            control.send("stop")
        counts = control.recv() if control.poll(10) else {}
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
            server.join()
        control.close()
    print(
        f"server: answers after {DELAY * 1000:.0f} ms; {counts.get('served', 0):,} "
        f"requests served, at most {counts.get('peak', 0)} in flight at once; "
        f"stopped (exit code {server.exitcode})"
    )
    print(f"{WORKERS} requests at most in flight; memory: peak RSS the client added")
    for n in LEVELS:
        level = levels[str(n)]
        for kind in CLIENTS:
            mine = level["sessions"][kind]
            took = stats.timing(level["time"], kind).estimate
            added = stats.median_interval(
                s["rss_peak"] - s["rss_before"] for s in mine
            ).estimate
            ok = sum(s["ok"] for s in mine)
            print(
                f"{n:>6,} requests  {kind:<8} {took * 1000:7.0f} ms  "
                f"{added / 1024:7.0f} KiB  {ok:,} of {n * len(mine):,} answered 200  "
                f"(median of {len(mine)} session{'s' * (len(mine) > 1)})"
            )
    result: shape.HttpFanout = {
        "experiment": "recipe_http_fanout",
        "delay": DELAY,
        "workers": WORKERS,
        "levels": list(LEVELS),
        "timed": TIMED,
        "server": {**counts, "exitcode": server.exitcode},
        "by_level": levels,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
