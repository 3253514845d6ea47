"""The runner records what each run left behind, on tiny purpose-made scripts.

The cleanup tests (tests/test_cleanup.py) assert on these records for every run of
the build; here each kind of leftover is planted once to show the runner sees it:
a process still running (in the script's session, or one that left it), a port it
listens on, a shared-memory segment and a named semaphore nobody removed, and the
resource tracker's warning when it had to clean up for the script.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import pid_alive

from measured.run import cache, runner
from measured.web import results

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs Linux /proc and /dev/shm"
)

EMIT = "from measured.run import measure\n"
# kind -> items, as Execution.leftovers records them (runner.LEFTOVER_KINDS)
Leftovers = dict[str, list[str]]


@pytest.fixture(autouse=True)
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leftovers are waited for before they count: not 5 s in these tests."""
    monkeypatch.setattr(runner, "LEFTOVER_GRACE", 0.5)


def write(project: Path, name: str, body: str) -> None:
    (project / "snippets" / f"{name}.py").write_text(EMIT + textwrap.dedent(body))


def run_script(project: Path, name: str, body: str) -> tuple[runner.Run, Leftovers]:
    """Run ``body`` as experiment ``name``; the run and what it left behind."""
    write(project, name, body)
    run = runner.run(name)
    assert run.first.leftovers is not None, "the runner looked for leftovers"
    return run, run.first.leftovers


def test_a_clean_run_leaves_nothing_and_the_record_says_so(project: Path) -> None:
    write(
        project,
        "clean",
        """\
        import multiprocessing
        from multiprocessing import shared_memory

        if __name__ == "__main__":
            segment = shared_memory.SharedMemory(create=True, size=4096)
            segment.close()
            segment.unlink()
            with multiprocessing.Pool(2) as pool:
                pool.map(abs, range(4))
            measure.emit({})
        """,
    )
    run = runner.run("clean")
    assert run.first.leftovers == {kind: [] for kind in runner.LEFTOVER_KINDS}
    assert run.first.left_behind() == []


PROCESSES = """\
    import subprocess, sys

    SLEEP = "import time; time.sleep(60)"
    LISTEN = (
        "import socket, time; s = socket.create_server(('127.0.0.1', 0)); "
        "print(s.getsockname()[1], flush=True); time.sleep(60)"
    )
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    orphan = subprocess.Popen([sys.executable, "-c", SLEEP], **quiet)
    escaped = subprocess.Popen(
        [sys.executable, "-c", SLEEP], start_new_session=True, **quiet
    )
    server = subprocess.Popen(
        [sys.executable, "-c", LISTEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    port = int(server.stdout.readline())
    server.stdout.close()
    measure.emit({"pids": [orphan.pid, escaped.pid, server.pid], "port": port})
    """


def test_processes_still_running_and_their_ports_are_recorded_then_ended(
    project: Path,
) -> None:
    run, left = run_script(project, "leaves_processes", PROCESSES)
    pids, port = run.result["pids"], run.result["port"]
    recorded = {
        int(line.split(":")[0].removeprefix("pid ")) for line in left["processes"]
    }
    # in the session, out of it (setsid), and the server
    assert set(pids) <= recorded, left["processes"]
    assert any("time.sleep(60)" in line for line in left["processes"])
    assert left["ports"] == [f"127.0.0.1:{port} (pid {pids[2]})"]
    assert [p for p in pids if pid_alive(p)] == [], "the runner ends what it found"
    assert left["shared_memory"] == [] and left["leak_warnings"] == []


SHARED = """\
    import _multiprocessing, os
    from multiprocessing import resource_tracker, shared_memory

    segment = shared_memory.SharedMemory(create=True, size=4096)
    # Out of the resource tracker's sight: nothing will clean it up.
    resource_tracker.unregister(segment._name, "shared_memory")
    segment.close()
    semaphore = f"/mp-leftover-{os.getpid()}"
    _multiprocessing.SemLock(1, 1, 1, semaphore, False)  # never unlinked
    measure.emit({"segment": segment.name, "semaphore": semaphore})
    """


def test_shared_memory_and_named_semaphores_left_are_recorded_then_freed(
    project: Path,
) -> None:
    run, left = run_script(project, "leaves_shared_memory", SHARED)
    segment, semaphore = run.result["segment"], run.result["semaphore"]
    assert sorted(left["shared_memory"]) == sorted(
        [segment.lstrip("/"), "sem." + semaphore.lstrip("/")]
    )
    for name in left["shared_memory"]:
        assert not (runner.SHM_DIR / name).exists(), f"{name} was not freed"
    assert left["processes"] == [] and left["ports"] == []


TRACKED = """\
    from multiprocessing import shared_memory

    segment = shared_memory.SharedMemory(create=True, size=4096)
    segment.close()  # never unlinked: the resource tracker cleans up and warns
    measure.emit({"segment": segment.name})
    """


def test_a_leak_the_resource_tracker_cleaned_up_is_recorded(project: Path) -> None:
    run, left = run_script(project, "tracker_cleans_up", TRACKED)
    warnings = left["leak_warnings"]
    assert warnings and "leaked shared_memory" in warnings[0], run.stderr
    assert not (runner.SHM_DIR / run.result["segment"].lstrip("/")).exists()


def test_leftovers_are_kept_in_the_cache_and_the_results_file(project: Path) -> None:
    fresh, _ = run_script(project, "leaves_processes", PROCESSES)
    runner.reset()
    cached = runner.run("leaves_processes")
    assert cached.cached and cached.first.leftovers == fresh.first.leftovers
    entry = results.record(cached, strict=False)
    assert entry["runs"][0]["leftovers"] == fresh.first.leftovers
    assert json.loads(json.dumps(entry))["runs"][0]["leftovers"]["processes"]


def test_a_record_from_before_leftovers_were_recorded_is_measured_again(
    project: Path,
) -> None:
    write(project, "exp", "measure.emit({})\n")
    first = runner.run("exp")
    store = cache.Store()
    key = cache.key(first.script, first.interpreter)
    old = {**first.first.to_dict(), "leftovers": []}  # what the old runner stored
    store.save("exp", key, {"executions": [old]})
    runner.reset()
    again = runner.run("exp")
    assert not again.cached and again.first.leftovers is not None
    runner.reset()
    assert runner.run("exp").cached  # the new record is served
