"""How many cores the machine delivered during a run, from a probe no claim judges.

The load meter (measured.run.load) reads the kernel's CPU-time counters. On a
virtual machine whose host takes a core away without reporting steal time (or
whose two "cores" are SMT siblings, or slow down together), those counters still
show two busy cores while work runs at the pace of one and a bit: a shared CI
machine once gave a process pool 1.2x with every core "free".

So an experiment that times a parallel speedup also times, in the same rounds
(as two more alternatives of measure.time_rounds, shuffled with the others), a
probe: per round, this process does WORKERS pieces of fixed C-level work (SHA-256
over a buffer) one after another, and WORKERS plain processes do one piece each
at the same time. Python's own costs (a pool's
dispatch, pickling, the GIL) are not in it: the processes are started once, get
one byte through a pipe per round and hash in C. The per-round ratio alone /
together is the cores the machine delivered; the run's figure is its median.

No claim judges the probe, and the decision uses the probe alone: a run whose
probe got fewer than stats.FREE_SHARE of the cores the experiment needs counts
as busy, like a run the load meter saw busy (the runner adds a run; a timed
verdict rests on the other runs, or is not shown). The probe cannot excuse a
pool that is slow for Python's own reasons (dispatch, pickling, the GIL): the
machine then delivers every core to the probe, and the pool's speedup is judged
as measured. One path remains: pool processes of the same experiment burning CPU
while idle would slow the probe too, and the load meter does not count them.

Standard library only: experiments import it on any interpreter.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import statistics
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

FIELD = "delivered_cores"
ALONE, TOGETHER = "probe alone", "probe together"
# One piece of probe work: about 60 ms of hashing in C on the build machine, as
# long as a headline pool call. A 10 ms piece waited mostly for two sleeping
# processes to wake: on a quiet machine a third of the runs read as busy.
PROBE_BYTES = 1 << 20
PROBE_PASSES = 96
_BUFFER = bytes(range(256)) * (PROBE_BYTES // 256)


def work() -> str:
    """The probe's piece of work: C-level hashing, the same on every interpreter."""
    digest = hashlib.sha256()
    for _ in range(PROBE_PASSES):
        digest.update(_BUFFER)
    return digest.hexdigest()


def _serve(conn: Connection) -> None:
    """A probe process: one piece of work per byte received, until b"" arrives."""
    while conn.recv_bytes():
        work()
        conn.send_bytes(b"1")
    conn.close()


class Probe:
    """``workers`` plain processes that hash on request; start it before any
    thread or pool exists (it forks where fork is the default), close it after."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._conns: list[Connection] = []
        self._procs = []
        for _ in range(workers):
            ours, theirs = multiprocessing.Pipe()
            proc = multiprocessing.Process(target=_serve, args=(theirs,), daemon=True)
            proc.start()
            theirs.close()
            self._conns.append(ours)
            self._procs.append(proc)
        self.together()  # every process answered once: started and warm

    def alone(self) -> None:
        """The work done ``workers`` times, one after another, by this process."""
        for _ in range(self.workers):
            work()

    def together(self) -> None:
        """The same work, once in each probe process, all at once."""
        for conn in self._conns:
            conn.send_bytes(b"1")
        for conn in self._conns:
            conn.recv_bytes()

    def alternatives(self) -> dict[str, Any]:
        """The two probe alternatives, for measure.time_rounds."""
        return {ALONE: self.alone, TOGETHER: self.together}

    def close(self) -> None:
        for conn in self._conns:
            conn.send_bytes(b"")
            conn.close()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def __enter__(self) -> Probe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def record(rounds: Mapping[str, Any], workers: int) -> dict[str, Any]:
    """The result's ``delivered_cores`` entry, from a rounds record that timed the
    probe (measure.Rounds.to_dict()): per round alone / together, and its median."""
    samples = rounds["samples"]
    per_round = [a / t for a, t in zip(samples[ALONE], samples[TOGETHER], strict=True)]
    return {
        "method": "probe",  # C-level hashing alone vs in plain processes at once
        "cores": round(min(float(workers), statistics.median(per_round)), 3),
        "per_round": [round(value, 3) for value in per_round],
        "workers": workers,
    }


def delivered(result: Mapping[str, Any]) -> float | None:
    """The run's delivered cores, if its experiment probed them."""
    entry = result.get(FIELD)
    if isinstance(entry, Mapping) and isinstance(entry.get("cores"), int | float):
        return float(entry["cores"])
    return None


def free_cores(machine: Mapping[str, Any], result: Mapping[str, Any]) -> float | None:
    """Free cores during a run: the fewer of the meter's and the probe's."""
    known = [
        float(v)
        for v in (machine.get("free_cores"), delivered(result))
        if isinstance(v, int | float)
    ]
    return min(known) if known else None
