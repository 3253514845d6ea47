"""Who unlinks a shared-memory segment: the resource tracker, and track=False.

The script runs small, separate Python programs (started with subprocess, not by
multiprocessing, so each one starts a resource tracker of its own) and looks, once
each program and its tracker have exited, whether the segment is still there:

- attach:          this script creates a segment; a program attaches to it with
                   the default SharedMemory(name=...), closes it and exits; then
                   this script, the creator, reads its own mapping and calls
                   unlink();
- attach, untracked (3.13+): the same with SharedMemory(name=..., track=False);
- forgotten:       a program creates a segment and exits without unlink();
- forgotten, untracked (3.13+): the same, created with track=False.

Every segment still there at the end is unlinked in a finally block: the script
leaves nothing in /dev/shm. POSIX only: on Windows the operating system frees a
segment when its last handle closes, and there is no resource tracker for it.

Run it yourself from a clone:  python snippets/shm_tracking.py
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from multiprocessing import resource_tracker, shared_memory
from typing import TYPE_CHECKING, Any

from measured.run import measure

if TYPE_CHECKING:  # the result's declared shape, for type checkers only
    from measured.run.shapes import lifecycle as shape

TIMEOUT = 60
SIZE = 64  # bytes: the size does not matter here
SHM_DIR = "/dev/shm"  # where Linux keeps POSIX shared memory, one file a segment
HAS_TRACK = sys.version_info >= (3, 13)  # SharedMemory(track=...), gh-82300

# A program that only attaches: it never unlinks, the creator owns the segment.
ATTACH = """
import sys
from multiprocessing import shared_memory
untracked = {"track": False} if sys.argv[2] == "untracked" else {}
segment = shared_memory.SharedMemory(name=sys.argv[1], **untracked)
segment.close()
"""

# A program that creates a segment and forgets unlink().
FORGET = """
import sys
from multiprocessing import shared_memory
untracked = {"track": False} if sys.argv[1] == "untracked" else {}
segment = shared_memory.SharedMemory(create=True, size=64, **untracked)
print(segment.name, flush=True)
segment.close()
"""


def run_program(code: str, *args: str) -> tuple[str, str]:
    """stdout and stderr of a separate Python program.

    Reading its output to the end also waits for its resource tracker: the
    tracker inherits the program's stderr and holds it open until it has
    cleaned up and exited.
    """
    before = psm_names()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except subprocess.TimeoutExpired:
        # The program was killed before it, or its tracker, could clean up: remove
        # what it created, so that a hung case leaves nothing in /dev/shm.
        for name in psm_names() - before:
            unlink_name(name)
        raise
    return done.stdout.strip(), done.stderr


def psm_names() -> set[str]:
    """The segments in /dev/shm that SharedMemory named (psm_...), if it exists."""
    try:
        return {name for name in os.listdir(SHM_DIR) if name.startswith("psm_")}
    except FileNotFoundError:
        return set()


def unlink_name(name: str) -> None:
    """Remove a segment by name, without telling any tracker (it is not ours)."""
    with contextlib.suppress(FileNotFoundError):  # its tracker may have been faster
        os.unlink(os.path.join(SHM_DIR, name))


def warning_in(stderr: str) -> str:
    """The resource tracker's leak warning, if the program's stderr has one."""
    lines = [line for line in stderr.splitlines() if "leaked" in line]
    # From "resource_tracker:" on: the file path before it differs per install.
    return lines[0][lines[0].find("resource_tracker:") :].strip() if lines else ""


class Segments:
    """The segments this script opened, each unlinked at the end if still there."""

    def __init__(self) -> None:
        self.opened: list[tuple[shared_memory.SharedMemory, bool]] = []
        self.unlinked: set[str] = set()  # names this script already unlinked

    def unlink(self, segment: shared_memory.SharedMemory) -> str:
        """The creator's unlink(): "none", or the name of the exception it raised."""
        try:
            segment.unlink()
        except OSError as error:
            return type(error).__name__
        self.unlinked.add(segment.name)
        return "none"

    def create(self) -> shared_memory.SharedMemory:
        segment = shared_memory.SharedMemory(create=True, size=SIZE)
        self.opened.append((segment, True))
        return segment

    def exists(self, name: str) -> bool:
        """Attach to check; the handle is kept so that cleanup can unlink it."""
        untracked: dict[str, Any] = {"track": False} if HAS_TRACK else {}
        try:
            segment = shared_memory.SharedMemory(name=name, **untracked)
        except FileNotFoundError:
            return False
        self.opened.append((segment, not HAS_TRACK))
        return True

    def cleanup(self) -> None:
        """close() every handle, then unlink() every segment once if still there."""
        for segment, _ in self.opened:
            segment.close()
        for name in dict.fromkeys(segment.name for segment, _ in self.opened):
            if name in self.unlinked:
                continue  # unlinked and unregistered already: again would fail
            handles = [(s, tracked) for s, tracked in self.opened if s.name == name]
            handles.sort(key=lambda handle: not handle[1])  # a tracked one first
            try:
                handles[0][0].unlink()  # also tells our tracker, if it was told
            except FileNotFoundError:
                # Another program's tracker unlinked it, so unlink() failed before
                # telling ours: tell it here (once), or ours warns at exit.
                if any(tracked for _, tracked in handles):
                    resource_tracker.unregister(f"/{name}", "shared_memory")


def attach_case(segments: Segments, mode: str) -> shape.TrackingCase:
    """This script creates; a separate program attaches, closes and exits."""
    segment = segments.create()
    segment.buf[:5] = b"hello"
    _, stderr = run_program(ATTACH, segment.name, mode)
    there = segments.exists(segment.name)
    # The creator's own mapping outlives the name: only the name is removed.
    reads = bytes(segment.buf[:5]) == b"hello"
    return {
        "exists_after": there,
        "warning": warning_in(stderr),
        "creator_still_reads": reads,
        "creator_unlink_error": segments.unlink(segment),
    }


def forgotten_case(segments: Segments, mode: str) -> shape.TrackingCase:
    """A separate program creates a segment and exits without unlink()."""
    name, stderr = run_program(FORGET, mode)
    return {
        "exists_after": segments.exists(name),
        "warning": warning_in(stderr),
        "creator_still_reads": None,  # the creator was the program, gone now
        "creator_unlink_error": None,
    }


def main() -> None:
    if sys.platform == "win32":
        raise SystemExit("POSIX only: Windows frees a segment with its last handle")
    segments = Segments()
    try:
        attach = attach_case(segments, "tracked")
        forgotten = forgotten_case(segments, "tracked")
        attach_untracked = attach_case(segments, "untracked") if HAS_TRACK else None
        forgotten_untracked = (
            forgotten_case(segments, "untracked") if HAS_TRACK else None
        )
    finally:
        segments.cleanup()

    def show(label: str, case: shape.TrackingCase | None) -> None:
        if case is None:
            print(f"{label:<36} needs Python 3.13+ (no track parameter here)")
            return
        there = "still there" if case["exists_after"] else "gone"
        warned = f"; its tracker: {case['warning']}" if case["warning"] else ""
        print(f"{label:<36} segment {there}{warned}")
        if case["creator_unlink_error"] is not None:
            print(
                f"{'':<36} the creator's mapping still reads: "
                f"{case['creator_still_reads']}; its unlink() raised: "
                f"{case['creator_unlink_error']}"
            )

    print(f"Python {sys.version.split()[0]}: after the program and its tracker exit")
    show("attach (default track=True)", attach)
    show("attach with track=False", attach_untracked)
    show("create, forget unlink()", forgotten)
    show("create with track=False, forget", forgotten_untracked)
    print("every segment still there was then unlinked by this script")

    result: shape.ShmTracking = {
        "experiment": "shm_tracking",
        "has_track": HAS_TRACK,
        "attach": attach,
        "attach_untracked": attach_untracked,
        "forgotten": forgotten,
        "forgotten_untracked": forgotten_untracked,
    }
    measure.emit(result)


if __name__ == "__main__":
    main()
