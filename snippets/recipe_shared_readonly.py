"""A big read-only object and a forked worker: how much memory does reading copy?

A forked worker starts with its parent's memory, shared copy-on-write: a page is
copied only when one of the two processes writes to it. Reading a Python object
writes to it: every reference taken changes its reference count. The garbage
collector writes too: a collection walks every object it tracks. This script builds
OBJECTS small Python objects (a list of lists, about 30 MB), then measures what
each way of reading them adds to one worker's private memory (the Private_Clean and
Private_Dirty lines of /proc/<pid>/smaps_rollup, Linux only):

- read:            a forked worker reads every object (sums a field of each);
- gc.collect:      a forked worker only runs one full garbage collection;
- gc.freeze, read: the parent called gc.freeze() before forking, then the worker
                   reads every object;
- gc.freeze, gc.collect: the same parent, the worker only collects;
- shared_memory:   the same number of bytes as raw data in a
                   multiprocessing.shared_memory segment, read by a forked worker
                   (zlib.crc32 over the buffer: no Python object per item);
- fork, inherited bytes: the same number of bytes as one bytes object the parent
                   built before forking, read by a forked worker (zlib.crc32
                   again): a big buffer inherited under fork stays shared too;
- spawn, build:    a spawned worker (an initializer, say) builds its own copy.

The object's own size is what building it added to this process's private memory.
The segment is unlinked in a finally block: the script leaves nothing in /dev/shm.

Run it yourself from a clone:  python snippets/recipe_shared_readonly.py
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import zlib
from multiprocessing import shared_memory
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes.recipes_processes import RecipeSharedReadonly

TIMEOUT = 60
JUDGED = ()  # memory is measured once per case, no timed ratio
OBJECTS = 200_000  # small lists [i, "item<i>"]: about 30 MB in all
ROLLUP = "/proc/self/smaps_rollup"
DATA: list[list[Any]] = []  # filled by build() in the parent, before forking
BLOB: list[bytes] = []  # one big bytes object, made in the parent before forking


def private_kib() -> int:
    """This process's private memory (KiB): pages no other process maps."""
    total = 0
    with open(ROLLUP) as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def build() -> list[list[Any]]:
    return [[i, f"item{i}"] for i in range(OBJECTS)]


def read_all() -> int:
    return sum(len(item[1]) for item in DATA)


def worker(how: str, name: str, conn: Any) -> None:
    """Measure this worker's private memory around one way of reading, report it."""
    before = private_kib()
    if how == "read":
        read_all()
    elif how == "gc.collect":
        gc.collect()
    elif how == "shared_memory":
        segment = shared_memory.SharedMemory(name=name)
        zlib.crc32(segment.buf)  # reads every byte in place, no copy
        segment.close()
    elif how == "inherited bytes":
        zlib.crc32(BLOB[0])  # reads every byte of the inherited object in place
    elif how == "build":
        DATA[:] = build()
        read_all()
    conn.send(private_kib() - before)
    conn.close()


def in_worker(ctx: Any, how: str, name: str = "") -> int:
    """One worker does ``how``; the growth of its private memory, in KiB."""
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=worker, args=(how, name, send))
    p.start()
    send.close()
    grown = recv.recv()
    p.join(30)
    return int(grown)


def main() -> None:
    if not os.path.exists(ROLLUP) or "fork" not in (
        multiprocessing.get_all_start_methods()
    ):
        print("needs Linux (fork and /proc/self/smaps_rollup): not measured here")
        measure.emit({"experiment": "recipe_shared_readonly", "linux": False})
        return
    fork = multiprocessing.get_context("fork")
    spawn = multiprocessing.get_context("spawn")
    before = private_kib()
    DATA[:] = build()
    object_kib = private_kib() - before
    raw_bytes = object_kib * 1024
    print(
        f"{OBJECTS} lists [i, 'item<i>'] added {object_kib / 1024:.1f} MiB to this "
        f"process; Python {sys.version.split()[0]}"
    )
    grown: dict[str, int] = {}
    grown["read"] = in_worker(fork, "read")
    grown["gc.collect"] = in_worker(fork, "gc.collect")
    gc.freeze()  # everything tracked so far goes to the permanent generation
    try:
        grown["gc.freeze, read"] = in_worker(fork, "read")
        grown["gc.freeze, gc.collect"] = in_worker(fork, "gc.collect")
    finally:
        gc.unfreeze()
    segment = shared_memory.SharedMemory(create=True, size=raw_bytes)
    try:
        segment.buf[:] = os.urandom(raw_bytes)  # touch every page in the parent
        grown["shared_memory"] = in_worker(fork, "shared_memory", segment.name)
    finally:
        segment.close()
        segment.unlink()
    BLOB.append(os.urandom(raw_bytes))  # every page written in the parent
    try:
        grown["fork, inherited bytes"] = in_worker(fork, "inherited bytes")
    finally:
        BLOB.clear()
    grown["spawn, build"] = in_worker(spawn, "build")
    for how, kib in grown.items():
        print(
            f"{how:<22} the worker's private memory grew {kib / 1024:6.1f} MiB "
            f"({kib / object_kib:4.0%} of the object)"
        )
    result: RecipeSharedReadonly = {
        "experiment": "recipe_shared_readonly",
        "linux": True,
        "objects": OBJECTS,
        "object_kib": object_kib,
        "grown_kib": grown,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
