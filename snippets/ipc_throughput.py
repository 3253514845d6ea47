"""How fast data moves between processes: Queue vs Pipe vs shared memory.

A parent sends a batch of equal messages to a child, for payloads from 100 bytes to
4 MB, and waits until the child confirms it has every byte. Three channels:

- Queue:         ``q.put(payload)`` / ``q.get()`` (pickled, a feeder thread, a pipe);
- Pipe:          ``conn.send(payload)`` / ``conn.recv()`` (pickled, one pipe);
- shared memory: the parent copies the payload into a free slot of a ring in one
                 ``SharedMemory`` segment and sends only the slot number through a
                 Pipe; the child copies the slot out and frees it (a Semaphore).

In every channel the child ends up with its own copy of each payload, so the
comparison is fair. Children start before timing; the channels take turns.

Run it yourself from a clone:  python snippets/ipc_throughput.py
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from typing import Any

from measured import measure

TIMEOUT = 90
SIZES = (100, 10_000, 100_000, 1_000_000, 4_000_000)  # bytes per message
MAX_MESSAGES = 5_000  # per batch, for small payloads
BATCH_BYTES = 48_000_000  # per batch, for large payloads
MIN_MESSAGES = 8
SLOTS = 4  # ring slots in the shared segment (each as large as the largest payload)
END = "end"


def messages_for(size: int) -> int:
    return max(MIN_MESSAGES, min(MAX_MESSAGES, BATCH_BYTES // size))


# Children: receive until END, then report how many bytes they got.
def queue_child(inbox: Any, outbox: Any) -> None:
    received = 0
    while (message := inbox.get()) is not None:
        if message == END:
            outbox.put(received)
            received = 0
        else:
            received += len(message)


def pipe_child(conn: Connection) -> None:
    received = 0
    while (message := conn.recv()) is not None:
        if message == END:
            conn.send(received)
            received = 0
        else:
            received += len(message)


def shm_child(conn: Connection, name: str, slot_size: int, free: Any) -> None:
    segment = shared_memory.SharedMemory(name=name)
    received = 0
    try:
        while (message := conn.recv()) is not None:
            if message == END:
                conn.send(received)
                received = 0
                continue
            slot, length = message
            start = slot * slot_size
            payload = bytes(segment.buf[start : start + length])  # our own copy
            free.release()  # the parent may reuse the slot now
            received += len(payload)
    finally:
        segment.close()


class QueueChannel:
    def __init__(self) -> None:
        self.inbox: Any = multiprocessing.Queue()
        self.outbox: Any = multiprocessing.Queue()
        self.child = multiprocessing.Process(
            target=queue_child, args=(self.inbox, self.outbox)
        )
        self.child.start()

    def send_batch(self, payload: bytes, count: int) -> int:
        for _ in range(count):
            self.inbox.put(payload)
        self.inbox.put(END)
        return self.outbox.get(timeout=30)

    def close(self) -> None:
        self.inbox.put(None)
        self.child.join(timeout=10)
        for q in (self.inbox, self.outbox):
            q.close()
            q.join_thread()


class PipeChannel:
    def __init__(self) -> None:
        self.conn, child_end = multiprocessing.Pipe()
        self.child = multiprocessing.Process(target=pipe_child, args=(child_end,))
        self.child.start()
        child_end.close()

    def send_batch(self, payload: bytes, count: int) -> int:
        for _ in range(count):
            self.conn.send(payload)
        self.conn.send(END)
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(None)
        self.child.join(timeout=10)
        self.conn.close()


class SharedMemoryChannel:
    def __init__(self, slot_size: int) -> None:
        self.slot_size = slot_size
        self.segment = shared_memory.SharedMemory(create=True, size=SLOTS * slot_size)
        self.free = multiprocessing.Semaphore(SLOTS)
        self.conn, child_end = multiprocessing.Pipe()
        self.child = multiprocessing.Process(
            target=shm_child,
            args=(child_end, self.segment.name, slot_size, self.free),
        )
        self.child.start()
        child_end.close()
        self.next_slot = 0

    def send_batch(self, payload: bytes, count: int) -> int:
        length = len(payload)
        for _ in range(count):
            self.free.acquire()  # wait for a slot the child has finished reading
            start = self.next_slot * self.slot_size
            self.segment.buf[start : start + length] = payload
            self.conn.send((self.next_slot, length))
            self.next_slot = (self.next_slot + 1) % SLOTS
        self.conn.send(END)
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(None)
        self.child.join(timeout=10)
        self.conn.close()
        self.segment.close()
        self.segment.unlink()


def main() -> None:
    channels: dict[str, Any] = {}
    try:
        channels["Queue"] = QueueChannel()
        channels["Pipe"] = PipeChannel()
        channels["shared memory"] = SharedMemoryChannel(max(SIZES))
        segment = channels["shared memory"].segment.name
        print(
            f"payloads {', '.join(f'{s:,}' for s in SIZES)} bytes; "
            f"start method {multiprocessing.get_start_method()}; median of 3 rounds"
        )
        rows = []
        for size in SIZES:
            payload = b"x" * size
            count = messages_for(size)
            expected = size * count

            def batch(
                channel: Any, payload: bytes = payload, count: int = count
            ) -> None:
                got = channel.send_batch(payload, count)
                assert got == len(payload) * count, f"the child got only {got} bytes"

            timings = measure.time_interleaved(
                {name: (lambda c=c: batch(c)) for name, c in channels.items()},
                repeats=3,
            )
            for name, timing in timings.items():
                seconds = timing.median
                rows.append(
                    {
                        "channel": name,
                        "size": size,
                        "messages": count,
                        "messages_per_s": count / seconds,
                        "mb_per_s": expected / seconds / 1e6,
                        "timing": timing.to_dict(),
                    }
                )
                print(
                    f"{size:>9,} B  {name:<13} {count:>5} msgs  "
                    f"{count / seconds:>9,.0f} msg/s  "
                    f"{expected / seconds / 1e6:>7,.0f} MB/s"
                )
    finally:
        for channel in channels.values():
            channel.close()
    measure.emit(
        {
            "experiment": "ipc_throughput",
            "sizes": list(SIZES),
            "slots": SLOTS,
            "rows": rows,
            "segments": [segment],
        }
    )


if __name__ == "__main__":
    main()
