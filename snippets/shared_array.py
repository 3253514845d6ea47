"""A large-array job in worker processes: pickled copies vs one shared segment.

The job: checksum (SHA3-256) every chunk of a SIZE_MB array in a process pool.

- pickled copy:  each chunk is sliced, pickled, pushed through a pipe to a worker
                 and unpickled there (what ``pool.map(f, chunks)`` does);
- shared memory: the array lives in one ``SharedMemory`` segment; a worker gets only
                 the segment's name and its chunk's bounds, maps the segment and
                 reads the chunk in place: no copy;
- serial:        the parent checksums the chunks itself, for reference.

The workers are started before timing; the three versions take turns.

Run it yourself from a clone:  python snippets/shared_array.py
"""

from __future__ import annotations

import hashlib
import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory

from measured import measure

TIMEOUT = 90
SIZE_MB = 32  # small enough for a container's default 64 MB /dev/shm
CHUNKS = 8
WORKERS = 2


def digest_of_bytes(chunk: bytes) -> bytes:
    return hashlib.sha3_256(chunk).digest()


def digest_of_segment(name: str, start: int, stop: int) -> bytes:
    segment = shared_memory.SharedMemory(name=name)  # map it: nothing is copied
    try:
        view = segment.buf[start:stop]
        try:
            return hashlib.sha3_256(view).digest()
        finally:
            view.release()  # a live view would stop close()
    finally:
        segment.close()


def main() -> None:
    size = SIZE_MB * 1_000_000
    data = bytes(range(256)) * (size // 256)
    bounds = [
        (i * len(data) // CHUNKS, (i + 1) * len(data) // CHUNKS) for i in range(CHUNKS)
    ]
    expected = [hashlib.sha3_256(data[a:b]).digest() for a, b in bounds]
    segment = shared_memory.SharedMemory(create=True, size=len(data))
    try:
        segment.buf[: len(data)] = data  # in a real program, produce the data here
        with ProcessPoolExecutor(WORKERS) as pool:

            def serial() -> None:
                assert [digest_of_bytes(data[a:b]) for a, b in bounds] == expected

            def pickled() -> None:
                chunks = [data[a:b] for a, b in bounds]
                assert list(pool.map(digest_of_bytes, chunks)) == expected

            def shared() -> None:
                names = [segment.name] * CHUNKS
                starts, stops = zip(*bounds, strict=True)
                assert (
                    list(pool.map(digest_of_segment, names, starts, stops)) == expected
                )

            timings = measure.time_interleaved(
                {"serial": serial, "pickled copy": pickled, "shared memory": shared}
            )
    finally:
        segment.close()
        segment.unlink()
    print(
        f"{len(data) / 1e6:.0f} MB array, {CHUNKS} chunks, {WORKERS} worker "
        f"processes, SHA3-256 of every chunk; median of 5 rounds"
    )
    for name, timing in timings.items():
        print(
            f"{name:<14} {timing.median * 1000:7.1f} ms  "
            f"(min {timing.min * 1000:.1f}, max {timing.max * 1000:.1f})"
        )
    # What travels to the workers per run: the pickled arguments of every task.
    sent = {
        "pickled copy": sum(len(pickle.dumps(data[a:b])) for a, b in bounds),
        "shared memory": sum(
            len(pickle.dumps((segment.name, a, b))) for a, b in bounds
        ),
    }
    for name, nbytes in sent.items():
        print(f"{name:<14} sends {nbytes:>12,} bytes of arguments to the workers")
    gain = measure.speedup(timings["pickled copy"], timings["shared memory"])
    print(f"shared memory is {gain:.1f}x faster than pickled copies")
    measure.emit(
        {
            "experiment": "shared_array",
            "bytes": len(data),
            "chunks": CHUNKS,
            "workers": WORKERS,
            "timings": {name: t.to_dict() for name, t in timings.items()},
            "shared_vs_pickled": gain,
            "bytes_sent": sent,
            "segments": [segment.name],
        }
    )


if __name__ == "__main__":
    main()
