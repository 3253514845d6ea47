"""C code that releases the GIL: hashlib, zlib and NumPy in threads.

The GIL only serialises Python bytecode. Some C functions let go of it while they
crunch a large buffer: hashlib for data over 2047 bytes, zlib.compress, and many
NumPy operations. This script runs each kind of work serially, then in thread pools
of 1 to 2 x cores threads, and reports the speedup. NumPy is optional: without it,
the NumPy rows are left out and the result says why.

Run it yourself from a clone:  python snippets/gil_release.py
"""

from __future__ import annotations

import hashlib
import random
import sys
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from measured import measure

TIMEOUT = 120
TASKS = 8  # equal tasks per kind of work
REPEATS = 9  # short rounds, many of them: a median that shrugs off brief load
HASH_BYTES = 4 * 1024 * 1024  # one SHA-256 over 4 MiB per task
ZLIB_BYTES = 128 * 1024  # one zlib.compress (level 6) of 128 KiB per task
SORT_ITEMS = 60_000  # one numpy.sort of 60,000 floats per task

try:
    import numpy
except ImportError:  # optional: the page says NumPy was not measured
    numpy = None


def make_text(size: int) -> bytes:
    """Text-like bytes that compress a bit, like a log file: zlib has real work."""
    rng = random.Random(42)
    words = [
        bytes(rng.choices(range(97, 123), k=rng.randint(2, 9))) for _ in range(500)
    ]
    out = bytearray()
    while len(out) < size:
        out += b" ".join(rng.choices(words, k=12)) + b"\n"
    return bytes(out[:size])


HASH_DATA = make_text(HASH_BYTES)
ZLIB_DATA = make_text(ZLIB_BYTES)
SORT_DATA = (
    numpy.random.default_rng(42).random(SORT_ITEMS) if numpy is not None else None
)


def sha256(_: int) -> bytes:
    return hashlib.sha256(HASH_DATA).digest()


def compress(_: int) -> int:
    return len(zlib.compress(ZLIB_DATA, 6))


def sort(_: int) -> float:
    return float(numpy.sort(SORT_DATA)[SORT_ITEMS // 2])


KINDS: dict[str, Callable[[int], object]] = {"hashlib": sha256, "zlib": compress}
if numpy is not None:
    KINDS["numpy"] = sort


def serial(fn: Callable[[int], object]) -> list[object]:
    return [fn(i) for i in range(TASKS)]


def pooled(pool: ThreadPoolExecutor, fn: Callable[[int], object]) -> list[object]:
    return list(pool.map(fn, range(TASKS)))


def main() -> None:
    cores = measure.usable_cores()
    workers = list(range(1, 2 * cores + 1))
    print(
        f"{TASKS} tasks per kind, {cores} usable cores, "
        f"GIL {'enabled' if measure.gil_enabled() else 'disabled'}, "
        f"switch interval {sys.getswitchinterval() * 1000:g} ms"
    )
    if numpy is None:
        print("numpy is not installed: its rows are skipped")
    alternatives: dict[tuple[str, int], Callable[[], object]] = {}
    with ExitStack() as stack:
        pools = {
            w: stack.enter_context(ThreadPoolExecutor(max_workers=w)) for w in workers
        }
        for kind, fn in KINDS.items():
            expected = serial(fn)
            alternatives[(kind, 0)] = lambda fn=fn: serial(fn)
            for w, pool in pools.items():
                assert pooled(pool, fn) == expected, "wrong result"
                alternatives[(kind, w)] = lambda pool=pool, fn=fn: pooled(pool, fn)
        # Rounds take turns over every alternative: drift hits them all alike.
        timings = measure.time_interleaved(alternatives, repeats=REPEATS)
    rows = []
    for kind in KINDS:
        base = timings[(kind, 0)]
        print(f"{kind:<8} serial     {base.median * 1000:7.1f} ms")
        for w in workers:
            timing = timings[(kind, w)]
            gain = measure.speedup(base, timing)
            rows.append(
                {
                    "kind": kind,
                    "workers": w,
                    "timing": timing.to_dict(),
                    "speedup": gain,
                    "efficiency": measure.efficiency(gain, w, cores),
                }
            )
            print(
                f"{kind:<8} {w} thread{'s' if w > 1 else ' '}  "
                f"{timing.median * 1000:7.1f} ms  speedup {gain:4.2f}x  "
                f"(spread {timing.spread:.0%})"
            )
    best = {
        kind: max((r for r in rows if r["kind"] == kind), key=lambda r: r["speedup"])
        for kind in KINDS
    }
    measure.emit(
        {
            "experiment": "gil_release",
            "tasks": TASKS,
            "cores": cores,
            "switch_interval": sys.getswitchinterval(),
            "sizes": {
                "hashlib_bytes": HASH_BYTES,
                "zlib_bytes": ZLIB_BYTES,
                "numpy_items": SORT_ITEMS,
            },
            "numpy": numpy.__version__ if numpy is not None else None,
            "serial": {kind: timings[(kind, 0)].to_dict() for kind in KINDS},
            "rows": rows,
            "best": {
                k: {"workers": r["workers"], "speedup": r["speedup"]}
                for k, r in best.items()
            },
        }
    )


if __name__ == "__main__":
    main()
