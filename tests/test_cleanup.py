"""Experiments that start processes, servers or shared memory leave nothing behind.

Each script runs the way a reader runs it, but in a session of its own. After it
exits, the test checks that:

- no process of that session is still alive (no orphaned worker, client, server or
  resource tracker);
- the server port the script reported no longer listens;
- no shared-memory segment it created is left in /dev/shm, and the resource tracker
  did not have to clean one up for it (it warns on stderr when it does).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from leftovers import listening_ports, session_processes

from measured.run import runner

# The experiments of the "Sharing and coordination" pages that start child
# processes, a server or shared memory (pure-thread ones end with their process).
EXPERIMENTS = (
    "sharing_demo",
    "ipc_throughput",
    "shared_array",
    "race_processes",
    "lock_cost",
    "futures_api",
    "broken_pool",
    "futures_compare",
    "asyncio_blocking",
    "many_connections",
)
SHM = Path("/dev/shm")
GRACE_SECONDS = 5.0  # a resource tracker may take a moment to exit after its parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs Linux /proc"
)


def shm_segments() -> dict[str, float]:
    """Shared-memory entries multiprocessing creates, with their change times."""
    found = {}
    for path in SHM.glob("*"):
        if path.name.startswith(runner.SHM_PREFIXES):
            try:
                found[path.name] = path.stat().st_mtime
            except OSError:
                continue
    return found


def mapped_segments() -> set[str]:
    """Segments some live process still has mapped (another test's, say)."""
    names = set()
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            text = maps.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if "/dev/shm/" in line:
                names.add(line.split("/dev/shm/", 1)[1].split()[0])
    return names


def run_in_own_session(
    name: str, result_file: Path
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the script to its end; return how it went and its session id."""
    script = ROOT / "snippets" / f"{name}.py"
    env = {
        **os.environ,
        "MEASURED_RESULT_FILE": str(result_file),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the session id is proc.pid: children keep it
    )
    try:
        out, err = proc.communicate(
            timeout=runner.declared_timeout(script) or runner.DEFAULT_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{name} timed out")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), proc.pid


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_leaves_nothing_behind(name: str, tmp_path: Path) -> None:
    result_file = tmp_path / "result.json"
    segments_before, started = shm_segments(), time.time()
    done, sid = run_in_own_session(name, result_file)
    assert done.returncode == 0, done.stderr[-3000:]

    # 1. No orphan: every process the script started has exited.
    deadline = time.monotonic() + GRACE_SECONDS
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        os.killpg(sid, signal.SIGKILL)  # don't leave them to the next test
    assert not left, f"{name} left processes running: {left}"

    result = json.loads(result_file.read_text())
    # 2. No listening port: the server the script started is gone.
    if "port" in result:
        assert result["port"] not in listening_ports(), (
            f"{name}: port {result['port']} still listens"
        )
    # 3. No shared memory left, and none cleaned up behind the script's back.
    for segment in result.get("segments", []):
        assert not (SHM / segment.lstrip("/")).exists(), f"{name} leaked {segment}"
    new = {
        n
        for n, mtime in shm_segments().items()
        if n not in segments_before and mtime >= started - 1
    }
    leaked = new - mapped_segments()
    assert not leaked, f"{name} left shared memory behind: {sorted(leaked)}"
    assert "leaked" not in done.stderr, done.stderr[-3000:]


def test_the_checks_catch_what_they_look_for() -> None:
    """A leftover process, a listening socket and an unlinked segment are all seen."""
    import socket
    from multiprocessing import shared_memory

    # A script that exits while its child sleeps on: the child is an orphan.
    orphan_maker = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", orphan_maker], start_new_session=True
    )
    proc.wait(timeout=30)
    try:
        assert session_processes(proc.pid), "an orphan went unnoticed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)

    with socket.create_server(("127.0.0.1", 0)) as server:
        assert server.getsockname()[1] in listening_ports()

    segment = shared_memory.SharedMemory(create=True, size=4096)
    try:
        name = segment.name.lstrip("/")
        assert name in shm_segments() and name in mapped_segments()
        segment.close()  # closed but not unlinked: a leak
        assert name in shm_segments() and name not in mapped_segments()
    finally:
        segment.unlink()
    assert name not in shm_segments()
