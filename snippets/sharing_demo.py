"""Six ways processes share data, each shown working across a real process boundary.

- Queue:         a child sends a result back;
- Pipe:          parent and child exchange ROUND_TRIPS messages, in ROUNDS timed
                 rounds (the round-trip time);
- Value, Array:  children write into memory the parent reads;
- Manager:       children update a dict that lives in a manager process;
- SharedMemory:  a child writes bytes into a named segment; the parent reads them;
- ShareableList: a child changes an item in place.

Every segment is closed and unlinked at the end; the script checks /dev/shm. Each
part records what the parent observed, so a result shows what worked, not what
should have.

Run it yourself from a clone:  python snippets/sharing_demo.py
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from measured.run import measure, stats

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import coordination as shape

TIMEOUT = 60
ROUNDS = 9  # timed rounds of round trips, fixed in advance
# No ratio of these rounds decides a claim of the guide: the build adds no run
# for their noise (see JUDGED in CONTRIBUTING.md).
JUDGED = ()
ROUND_TRIPS = 600  # per round: about 40 ms on the build machine
SQUARED = 12  # the Queue's child sends back this number squared
SLOTS = 1_000  # the shared Array's length; two children fill one half each
SEGMENT_SIZE = 1 << 20  # 1 MiB
SHM_DIR = Path("/dev/shm")  # where Linux keeps POSIX shared memory


def square_to_queue(q: Any, n: int) -> None:
    q.put({"pid": os.getpid(), "square": n * n})


def echo(conn: Connection) -> None:
    while (message := conn.recv()) is not None:
        conn.send(message)
    conn.close()


def fill(array: Any, counter: Any, start: int, stop: int) -> None:
    for i in range(start, stop):
        array[i] = i * i
    with counter.get_lock():
        counter.value += stop - start


def record(shared: Any, key: str) -> None:
    shared[key] = os.getpid()


def write_segment(name: str, text: bytes) -> None:
    segment = shared_memory.SharedMemory(name=name)  # attach by name: no copy
    segment.buf[: len(text)] = text
    segment.close()  # this process is done with it; only the creator unlinks


def bump_list(name: str) -> None:
    items = shared_memory.ShareableList(name=name)
    items[0] += 1
    items[2] = "set by the child"
    items.shm.close()


def in_child(target: Any, *args: Any) -> None:
    child = multiprocessing.Process(target=target, args=args)
    child.start()
    child.join()
    assert child.exitcode == 0, f"{target.__name__} exited with {child.exitcode}"


def queue_part() -> shape.QueuePart:
    q: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=square_to_queue, args=(q, SQUARED))
    child.start()
    got = q.get(timeout=10)  # read before join: a child with queued data waits
    child.join()
    q.close()
    q.join_thread()
    return {
        "parent_pid": os.getpid(),
        "child_pid": got["pid"],
        "sent": SQUARED,
        "got": got["square"],
    }


def pipe_part() -> shape.PipePart:
    parent, child_end = multiprocessing.Pipe()
    child = multiprocessing.Process(target=echo, args=(child_end,))
    child.start()
    child_end.close()  # the parent's copy of the child's end

    sent = echoed = 0

    def ping_pong() -> None:
        nonlocal sent, echoed
        for i in range(ROUND_TRIPS):
            parent.send(i)
            sent += 1
            echoed += parent.recv() == i  # the child's answer came back intact

    rounds = measure.time_rounds({"round trips": ping_pong}, rounds=ROUNDS)
    parent.send(None)
    child.join()
    parent.close()
    return {
        "round_trips": ROUND_TRIPS,
        "sent": sent,
        "echoed": echoed,
        "rounds": rounds.to_dict(),
    }


def value_array_part() -> shape.ValueArrayPart:
    n = SLOTS
    array = multiprocessing.Array("q", n)  # 64-bit ints in shared memory
    counter = multiprocessing.Value("i", 0)
    children = [
        multiprocessing.Process(target=fill, args=(array, counter, 0, n // 2)),
        multiprocessing.Process(target=fill, args=(array, counter, n // 2, n)),
    ]
    for child in children:
        child.start()
    for child in children:
        child.join()
    return {
        "slots": n,
        "children_pids": sorted({child.pid for child in children}),
        "sum": sum(array),
        "expected": sum(i * i for i in range(n)),
        "counter": counter.value,
    }


def manager_part() -> shape.ManagerPart:
    with multiprocessing.Manager() as manager:  # a server process; stops at exit
        shared = manager.dict()
        for key in ("first", "second"):
            in_child(record, shared, key)
        got = dict(shared)
        proxy = type(shared).__name__  # a proxy: the real dict lives in the manager
    return {
        "parent_pid": os.getpid(),
        "keys": sorted(got),
        "writer_pids": sorted(set(got.values())),
        "proxy": proxy,
    }


def shared_memory_part() -> shape.SharedMemoryPart:
    segment = shared_memory.SharedMemory(create=True, size=SEGMENT_SIZE)
    try:
        text = b"written by the child, read by the parent"
        in_child(write_segment, segment.name, text)
        got = bytes(segment.buf[: len(text)])
        on_disk = (SHM_DIR / segment.name.lstrip("/")).exists()
    finally:
        segment.close()  # every process closes its own mapping...
        segment.unlink()  # ...and exactly one (the creator) unlinks the name
    gone = not (SHM_DIR / segment.name.lstrip("/")).exists()
    return {
        "name": segment.name,
        "sent": text.decode(),
        "got": got.decode(),
        "dev_shm": SHM_DIR.is_dir(),  # only Linux keeps segments there
        "visible_in_dev_shm": on_disk,
        "gone_after_unlink": gone,
    }


def shareable_list_part() -> shape.ShareableListPart:
    before = [41, 2.5, " " * 32]  # room for 32 characters
    items = shared_memory.ShareableList(before)
    try:
        in_child(bump_list, items.shm.name)
        got = list(items)
        on_disk = (SHM_DIR / items.shm.name.lstrip("/")).exists()
    finally:
        items.shm.close()
        items.shm.unlink()
    gone = not (SHM_DIR / items.shm.name.lstrip("/")).exists()
    return {
        "name": items.shm.name,
        "before": before,
        "got": got,
        "visible_in_dev_shm": on_disk,
        "gone_after_unlink": gone,
    }


def main() -> None:
    print(f"start method: {multiprocessing.get_start_method()}")
    q = queue_part()
    print(f"Queue: parent {q['parent_pid']} got {q['got']} from child {q['child_pid']}")
    p = pipe_part()
    batch = stats.timing(p["rounds"], "round trips")  # seconds per ROUND_TRIPS
    print(
        f"Pipe: {ROUND_TRIPS:,} round trips to a child and back, "
        f"{batch.estimate / ROUND_TRIPS * 1e6:.0f} µs each "
        f"(median of {ROUNDS} rounds, interval "
        f"{batch.low / ROUND_TRIPS * 1e6:.0f}–{batch.high / ROUND_TRIPS * 1e6:.0f} µs)"
    )
    va = value_array_part()
    print(
        f"Value/Array: two children filled halves of a shared array; parent sums "
        f"{va['sum']:,} (expected {va['expected']:,}); counter = {va['counter']:,}"
    )
    m = manager_part()
    print(
        f"Manager: dict keys {m['keys']} written by {len(m['writer_pids'])} different "
        f"processes through a {m['proxy']} to the manager's process"
    )
    s = shared_memory_part()
    print(
        f"SharedMemory {s['name']}: parent read {s['got']!r}; in /dev/shm "
        f"while open: {s['visible_in_dev_shm']}; "
        f"gone after unlink(): {s['gone_after_unlink']}"
    )
    sl = shareable_list_part()
    print(
        f"ShareableList {sl['name']}: after the child ran: {sl['got']}; in "
        f"/dev/shm while open: {sl['visible_in_dev_shm']}; "
        f"gone after unlink(): {sl['gone_after_unlink']}"
    )
    result: shape.SharingDemo = {
        "experiment": "sharing_demo",
        "queue": q,
        "pipe": p,
        "value_array": va,
        "manager": m,
        "shared_memory": s,
        "shareable_list": sl,
        "segments": [s["name"], sl["name"]],
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
