"""An experiment's process tree, and what it leaves behind, on Linux, macOS and Windows.

The runner starts each script in a group of its own so a timeout ends it and every
process it started. psutil does the portable part (children, parents, listening
ports, ending a list of processes); the rest depends on the system:

- Linux: the group is killed with ``killpg``, /proc tells a live member from a
  zombie, the runner adopts orphans (``prctl`` subreaper) and /dev/shm lists POSIX
  shared memory;
- macOS: process groups and sessions too (psutil tells live from zombie), no
  subreaper, and POSIX shared memory is not in the file system: it cannot be
  listed, and the leftovers record says so (NOT_CHECKED) instead of "none";
- Windows: no sessions and no ``killpg``: the tree psutil saw before the kill is
  ended, and an orphan is found through its parent id, which Windows keeps.

Every such path is behind a platform test (tests/test_portable.py holds it to that).
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil

# How long processes get to exit after SIGTERM (terminate) before SIGKILL (kill).
GRACE_SECONDS = 3.0
PROC = Path("/proc")
SHM_DIR = Path("/dev/shm")
# Name prefixes multiprocessing uses for shared memory and named semaphores.
SHM_PREFIXES = ("psm_", "wnsm_", "sem.mp-")
PR_SET_CHILD_SUBREAPER = 36  # prctl(2), Linux 3.4+

# What a run left behind when its script exited (Execution.leftovers), by kind:
# - "processes": still running after the runner's grace, from the script's session
#   or among the runner's new descendants (on Linux the runner adopts orphans, so a
#   process that left the session is still found; on Windows, with no sessions, the
#   processes whose parent chain leads back to the script);
# - "ports": TCP ports those processes were listening on;
# - "shared_memory": segments and named semaphores (SHM_PREFIXES) created during the
#   run and still in /dev/shm, mapped by no process outside the run (Linux only);
# - "leak_warnings": stderr lines reporting a leak, e.g. multiprocessing's resource
#   tracker cleaning up segments or semaphores the script did not.
# The runner then ends those processes and unlinks those segments; the record stays.
LEFTOVER_KINDS = ("processes", "ports", "shared_memory", "leak_warnings")
# The kinds this system gives no way to check, one line each; present only when
# some kind could not be checked (never on Linux), so a record never says "none"
# for what nobody could look at.
NOT_CHECKED = "not_checked"
LEAK_WORD = re.compile(r"\bleaked\b")


def group_options() -> dict[str, Any]:
    """Popen keywords that start the script in a group of its own.

    POSIX: a new session (its group id is its pid, and the terminal's Ctrl-C does
    not reach it). Windows has no sessions: a new process group keeps the console's
    Ctrl-C off it the same way.
    """
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def alive(process: psutil.Process) -> bool:
    """Still running: not ended, not a zombie, and not a new process reusing its pid."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False  # it ended while we looked


def live_members(pgid: int) -> bool | None:
    """Whether a process of group ``pgid`` is still running (None: no way to tell).

    Zombies do not count: they have exited and hold nothing but a process id.
    A helper whose parent exited first (multiprocessing's fork server, resource
    tracker) stays a zombie until PID 1 reaps it, and some inits here take
    seconds to do that.
    """
    if sys.platform == "linux" and PROC.is_dir():
        # /proc at once: one read per process, where psutil makes several.
        for stat in PROC.glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                state, group = fields[0], int(fields[2])
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we looked
            if group == pgid and state != "Z":
                return True
        return False
    if not hasattr(os, "getpgid"):
        return None  # Windows: no process groups
    unknown = False
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and alive(process):
                return True
        except ProcessLookupError:
            continue  # it ended while we looked
        except OSError:
            unknown = True  # POSIX allows refusing another session's group id
    return None if unknown else False


def group_alive(pgid: int) -> bool:
    """Whether group ``pgid`` still has a running member (POSIX)."""
    if not hasattr(os, "killpg"):
        return bool(live_members(pgid))
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return live_members(pgid) is not False


def kill_tree(proc: subprocess.Popen[str]) -> None:
    """End the script and every process it started: terminate, a grace, then kill.

    The tree is read before anything is ended: once a parent is gone its children
    are nobody's (Windows) or PID 1's. Where there are process groups (Linux, macOS)
    the whole group is killed first, as before: it also holds what left the tree.
    """
    tree = _tree(proc)
    if hasattr(os, "killpg"):
        _kill_group(proc)
    end(tree)


def _tree(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """The script and its descendants, while it runs ([] once it has exited)."""
    if proc.poll() is not None:
        return []  # exited and reaped: its pid may already be another program's
    try:
        root = psutil.Process(proc.pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the whole group, wait, then SIGKILL what is left (POSIX).

    SIGTERM first: multiprocessing's resource tracker ignores it, outlives the
    workers and unlinks the shared memory they leaked. SIGKILL only for the stubborn.
    """
    if not hasattr(os, "killpg"):
        return
    pgid = proc.pid  # start_new_session=True: the group id is the leader's pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline:
            if proc.poll() is not None and not group_alive(pgid):
                return
            time.sleep(0.02)


def end(processes: list[psutil.Process]) -> None:
    """terminate (SIGTERM), up to GRACE_SECONDS, then kill what is left."""
    for sig in ("terminate", "kill"):
        for process in processes:
            try:
                getattr(process, sig)()
            except psutil.Error:
                continue
        processes = _still_running(processes, GRACE_SECONDS)
        if not processes:
            return


def _still_running(processes: list[psutil.Process], seconds: float) -> list:
    """Those of ``processes`` still running after up to ``seconds``.

    wait_procs reaps those that are this process's children; a zombie that is not
    counts as gone (PID 1 may take seconds to reap it, and it holds nothing).
    """
    deadline = time.monotonic() + seconds
    while processes:
        psutil.wait_procs(processes, timeout=0.02)
        processes = [p for p in processes if alive(p)]
        if time.monotonic() > deadline:
            break
    return processes


@functools.cache
def become_subreaper() -> bool:
    """Adopt the experiments' orphans instead of leaving them to PID 1 (Linux).

    multiprocessing's fork server and resource tracker outlive the script that
    started them; their parent gone, the kernel hands them to the nearest
    "subreaper" ancestor. With this process as one, reap_orphans collects them at
    once (some inits take seconds), and their CPU time, with that of the workers
    they waited for, lands in this process's RUSAGE_CHILDREN: measured.load then
    counts it as the experiment's own work, not as another program's load.
    """
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(pgid: int) -> None:
    """Wait for every adopted member of the experiment's process group (POSIX)."""
    if not hasattr(os, "killpg"):
        return  # Windows: no groups, and nothing to reap
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        try:
            pid, _ = os.waitpid(-pgid, os.WNOHANG)
        except ChildProcessError:
            return  # no child of ours is left in that group
        if pid == 0:  # one is still running (it was just killed): give it a moment
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)


def reap(proc: subprocess.Popen[str]) -> None:
    """Collect a killed script's exit status and close its pipes."""
    try:
        proc.communicate(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:  # a grandchild that left the group holds a pipe
        proc.kill()


def descendants() -> set[int]:
    """Process ids of this process's descendants now."""
    try:
        return {p.pid for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        return set()


def offspring(root: int, parents: Mapping[int, int]) -> set[int]:
    """Every pid descended from ``root`` in ``parents`` (pid -> parent pid)."""
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {
            pid
            for pid, parent in parents.items()
            if parent in frontier and pid not in found and pid != root
        }
        found |= frontier
    return found


def _relatives(script: int, since: float) -> set[int]:
    """The run's processes by session (POSIX) or by parent chain (Windows)."""
    if hasattr(os, "getsid"):
        found = set()
        for pid in psutil.pids():
            with suppress(OSError):
                if os.getsid(pid) == script:  # the session id is the script's pid
                    found.add(pid)
        return found
    # Windows keeps a dead parent's id in its children: follow it from the script,
    # keeping only processes younger than the run (a pid can be reused).
    parents = {p.pid: p.info["ppid"] for p in psutil.process_iter(["ppid"])}
    found = set()
    for pid in offspring(script, parents):
        with suppress(psutil.Error):
            if psutil.Process(pid).create_time() >= since - 1:
                found.add(pid)
    return found


def run_processes(script: int, before: set[int], since: float) -> list[psutil.Process]:
    """Live processes of one run: its session's (or tree's) and our new descendants.

    Descendants catch a process that left the session (``setsid``): on Linux the
    runner is a subreaper (become_subreaper), so such an orphan becomes its child.
    ``before`` holds this process's descendants from before the run (not the run's).
    """
    found: dict[int, psutil.Process] = {}
    with suppress(psutil.Error):
        found.update((p.pid, p) for p in psutil.Process().children(recursive=True))
    for pid in _relatives(script, since) - found.keys():
        with suppress(psutil.Error):
            found[pid] = psutil.Process(pid)
    return [
        p
        for pid, p in sorted(found.items())
        if pid not in before and pid != os.getpid() and alive(p)
    ]


def describe(process: psutil.Process) -> str:
    try:
        command = " ".join(process.cmdline()) or process.name()
    except psutil.Error:
        command = "(ended while the runner looked)"
    return f"pid {process.pid}: {command[:200]}"


def listening(processes: list[psutil.Process]) -> list[str]:
    """TCP ports ``processes`` listen on, as "address:port (pid N)"."""
    ports = []
    for process in processes:
        try:
            connections = process.net_connections(kind="inet")
        except psutil.Error:
            continue
        ports += [
            f"{c.laddr.ip}:{c.laddr.port} (pid {process.pid})"
            for c in connections
            if c.status == psutil.CONN_LISTEN
        ]
    return ports


def shm_entries() -> set[str] | None:
    """Shared memory of multiprocessing now (names in /dev/shm); None: not listable.

    Only Linux keeps POSIX shared memory in the file system; macOS and Windows
    give no way to list it.
    """
    if sys.platform != "linux":
        return None
    try:
        return {p.name for p in SHM_DIR.iterdir() if p.name.startswith(SHM_PREFIXES)}
    except OSError:
        return None


def new_shm(before: set[str] | None, since: float) -> list[str]:
    """Segments and named semaphores of this user created since ``since``."""
    if sys.platform != "linux" or before is None:
        return []
    now = shm_entries() or set()
    found = []
    me = os.getuid()
    for name in sorted(now - before):
        try:
            st = (SHM_DIR / name).stat()
        except OSError:
            continue
        if st.st_uid == me and st.st_mtime >= since - 1:
            found.append(name)
    return found


def mapped_elsewhere(names: list[str], ours: set[int]) -> set[str]:
    """Which of ``names`` a process outside the run maps (another program's)."""
    if sys.platform != "linux" or not names:
        return set()
    mapped = set()
    for pid in psutil.pids():
        if pid in ours:
            continue
        try:
            text = (PROC / str(pid) / "maps").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if "/dev/shm/" in line:
                mapped.add(line.split("/dev/shm/", 1)[1].split()[0])
    return mapped & set(names)


def unlink_shm(names: list[str]) -> list[str]:
    """Unlink ``names`` from SHM_DIR; the ones actually removed."""
    if sys.platform != "linux":
        return []
    removed = []
    for name in names:
        try:
            (SHM_DIR / name).unlink()
        except OSError:
            continue
        removed.append(name)
    return removed


def remove_leaked_shm(before: set[str] | None, since: float) -> list[str]:
    """Unlink segments this run created and left behind (after its group died)."""
    return unlink_shm(new_shm(before, since))


def leftovers(
    script: int,
    before: set[int],
    shm_before: set[str] | None,
    since: float,
    stderr: str,
    *,
    grace: float,
) -> tuple[dict[str, list[str]], list[psutil.Process]]:
    """What the run left behind once its script exited (LEFTOVER_KINDS).

    Helpers get ``grace`` seconds to exit by themselves; what still runs then is a
    leftover, and so is every port it listens on. ``shm_before`` is None where
    shared memory cannot be listed: the record then says so under NOT_CHECKED.
    Returns the record and the processes, for the caller to end.
    """
    deadline = time.monotonic() + grace
    while (found := run_processes(script, before, since)) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    shm = new_shm(shm_before, since)
    elsewhere = mapped_elsewhere(shm, {p.pid for p in found})
    record = {
        "processes": [describe(p) for p in found],
        "ports": listening(found),
        "shared_memory": [name for name in shm if name not in elsewhere],
        "leak_warnings": [
            line.strip() for line in stderr.splitlines() if LEAK_WORD.search(line)
        ],
    }
    if shm_before is None:
        record[NOT_CHECKED] = [
            f"shared_memory: POSIX shared memory cannot be listed on {sys.platform}"
        ]
    return record, found
