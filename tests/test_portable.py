"""The runner's process and leftovers code, and measure's machine description, work
where Linux's tools are missing (macOS, Windows): here on Linux, with the platform
faked (sys.platform, a deleted os.killpg / os.getsid, a /proc path that does not
exist), on real processes.

And a source rule (test_linux_only_calls_are_behind_a_platform_test): in runner.py,
processes.py and measure.py every use of /proc, /dev/shm, killpg or prctl sits
behind a platform test, so nothing reaches them on a system without them.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

from measured.run import measure, processes, runner

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="fakes other systems from a real Linux"
)


def gone(pid: int) -> bool:
    """Ended (a zombie waiting to be reaped counts as ended)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def start_tree(child: str) -> tuple[subprocess.Popen[str], int]:
    """A python in a session of its own that starts ``child`` (a python program),
    which prints one line; then it sleeps. Returns it and that line as a number."""
    parent = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {child!r}])\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", parent],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


SLEEPER = (
    "import subprocess, sys\n"
    "s = subprocess.Popen(['sleep', '60'])\n"
    "print(s.pid, flush=True)\n"
    "s.wait()\n"
)
LISTENER = (
    "import os, socket, time\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', 0))\n"
    "s.listen()\n"
    "print(s.getsockname()[1], flush=True)\n"
    "time.sleep(60)\n"
)


def test_tree_kill_without_killpg_ends_child_and_grandchild(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows' path: no process groups, the tree psutil saw is ended."""
    monkeypatch.delattr(os, "killpg")
    proc, sleep_pid = start_tree(SLEEPER)
    tree = [proc.pid, *(p.pid for p in psutil.Process(proc.pid).children(True))]
    assert sleep_pid in tree and len(tree) == 3  # python, python, sleep
    t0 = time.monotonic()
    processes.kill_tree(proc)
    proc.wait(timeout=5)
    assert all(gone(pid) for pid in tree), [p for p in tree if not gone(p)]
    assert time.monotonic() - t0 < processes.GRACE_SECONDS  # terminate was enough
    assert proc.stdout is not None
    proc.stdout.close()


@pytest.mark.parametrize("system", ["darwin", "win32"])
def test_leftovers_elsewhere_say_shared_memory_was_not_checked(
    system: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS keeps sessions; Windows has neither sessions nor killpg. Either way the
    process and its port are found, and shared memory is "not checked", not "none"."""
    monkeypatch.setattr(sys, "platform", system)
    if system == "win32":
        monkeypatch.delattr(os, "killpg")
        monkeypatch.delattr(os, "getsid")
    before, started = processes.descendants(), time.time()
    shm_before = processes.shm_entries()
    assert shm_before is None, "POSIX shared memory is not listable there"
    proc, port = start_tree(LISTENER)
    try:
        listener = next(p.pid for p in psutil.Process(proc.pid).children())
        if system == "win32":  # its parent chain leads back to the script
            assert listener in processes._relatives(proc.pid, started)
        record, found = processes.leftovers(
            proc.pid, before, shm_before, started, "x leaked y\n", grace=0.1
        )
    finally:
        processes.kill_tree(proc)
        proc.wait(timeout=5)
        assert proc.stdout is not None
        proc.stdout.close()
    assert {p.pid for p in found} == {proc.pid, listener}
    assert any(item.startswith(f"pid {listener}: ") for item in record["processes"])
    assert f"127.0.0.1:{port} (pid {listener})" in record["ports"]
    assert record["shared_memory"] == []
    assert record[processes.NOT_CHECKED] == [
        f"shared_memory: POSIX shared memory cannot be listed on {system}"
    ]
    assert record["leak_warnings"] == ["x leaked y"]
    assert gone(listener)
    # The runner keeps the note, and never counts it as something left behind.
    execution = runner.Execution.from_dict(
        {"result": {}, "stdout": "", "stderr": "", "seconds": 0.0, "leftovers": record}
    )
    assert execution.leftovers == record
    assert any(
        line.startswith(f"processes: pid {listener}: ")
        for line in execution.left_behind()
    )
    assert not any("not_checked" in line for line in execution.left_behind())


def test_a_linux_record_has_no_not_checked_note() -> None:
    shm, before = processes.shm_entries(), processes.descendants()
    assert shm is not None, "/dev/shm is listed on Linux"
    record, _ = processes.leftovers(os.getpid(), before, shm, time.time(), "", grace=0)
    assert set(record) == set(runner.LEFTOVER_KINDS)


def test_group_members_are_told_apart_without_proc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """macOS: no /proc, psutil and os.getpgid say whether a group still runs."""
    monkeypatch.setattr(sys, "platform", "darwin")
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    assert processes.live_members(proc.pid) is True
    assert processes.group_alive(proc.pid) is True
    processes.kill_tree(proc)
    assert proc.wait(timeout=5) is not None
    assert processes.live_members(proc.pid) is False
    monkeypatch.delattr(os, "getpgid")  # Windows: no groups at all
    assert processes.live_members(proc.pid) is None


def test_windows_starts_the_script_in_a_new_process_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert processes.group_options() == {"start_new_session": True}
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    assert processes.group_options() == {"creationflags": 0x200}


def test_nothing_linux_only_runs_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    for name in ("killpg", "getsid", "getpgid"):
        monkeypatch.delattr(os, name)
    assert processes.become_subreaper.__wrapped__() is False
    assert processes.new_shm(set(), 0.0) == []
    assert processes.mapped_elsewhere(["psm_x"], set()) == set()
    assert processes.unlink_shm(["psm_x"]) == []
    assert processes.remove_leaked_shm(None, 0.0) == []
    processes.reap_orphans(os.getpid())  # no groups: returns at once
    assert processes.group_alive(os.getpid()) is False


def test_offspring_follows_parent_ids_past_a_dead_parent() -> None:
    """Windows keeps a dead parent's id in its children: 10 exited, 11 and 12 remain."""
    parents = {11: 10, 12: 11, 13: 1, 14: 13, 10: 10}
    assert processes.offspring(10, parents) == {11, 12}
    assert processes.offspring(99, parents) == set()


@pytest.mark.parametrize("system", ["linux", "darwin", "win32", "freebsd14"])
def test_the_machine_is_described_without_proc(
    system: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(measure, "CPUINFO", tmp_path / "no-proc" / "cpuinfo")
    monkeypatch.setattr(measure, "CGROUPS", tmp_path / "no-proc" / "cgroup")
    monkeypatch.setattr(sys, "platform", system)
    env = measure.Environment.here()
    assert env.cpu
    assert env.cgroup_cpus is None and env.cores >= 1


def test_the_cpu_model_is_read_where_each_system_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\n")
    monkeypatch.setattr(measure, "CPUINFO", cpuinfo)
    assert measure.cpu_model() == "Test CPU 9000"
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(measure, "_sysctl", lambda name: "Apple M9")
    assert measure.cpu_model() == "Apple M9"
    monkeypatch.setattr(sys, "platform", "win32")
    assert measure._registry_cpu() == ""  # no winreg here: the fallback answers
    assert measure.cpu_model() == (
        measure.platform.processor() or measure.platform.machine()
    )


# The rule. A use is the string "/proc" or "/dev/shm" (also inside an f-string), a
# name or attribute `killpg` / `prctl`, or a module-level name assigned a value
# containing such a string (SHM_DIR = Path("/dev/shm")). Naming a path at module
# level and docstrings are not uses. A use is guarded when it is
#   - in either branch of an `if` (or `x if ... else y`) whose test is a platform
#     test: it mentions sys.platform, os.name or hasattr(os, ...);
#   - after an earlier statement of the same block `if <platform test>: return`
#     (or raise);
#   - right of a platform test in an `and` / `or`.
FILES = ("runner.py", "processes.py", "measure.py")
LINUX_TEXT = ("/proc", "/dev/shm")
LINUX_NAMES = {"killpg", "prctl"}
PLATFORM_TESTS = ("sys.platform", "os.name", "hasattr(os, ")


def _has_linux_text(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and any(t in n.value for t in LINUX_TEXT)
        for n in ast.walk(node)
    )


def _platform_test(expr: ast.expr) -> bool:
    return any(t in ast.unparse(expr) for t in PLATFORM_TESTS)


def _exits(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.If)
        and _platform_test(stmt.test)
        and isinstance(stmt.body[-1], ast.Return | ast.Raise)
    )


def _guarded_by(parent: ast.AST, node: ast.AST) -> bool:
    """Whether ``parent`` puts a platform test before its child ``node``."""
    branch = isinstance(parent, ast.If | ast.IfExp) and node is not parent.test
    if branch and _platform_test(parent.test):
        return True
    if isinstance(parent, ast.BoolOp):
        return any(
            _platform_test(v) for v in parent.values[: parent.values.index(node)]
        )
    return any(
        isinstance(block, list)
        and node in block
        and any(_exits(s) for s in block[: block.index(node)])
        for _, block in ast.iter_fields(parent)
    )


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        if _guarded_by(parents[node], node):
            return True
        node = parents[node]
    return False


def unguarded(source: str) -> list[str]:
    """Every use of a Linux-only path in ``source`` not behind a platform test."""
    tree = ast.parse(source)
    parents = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    names = set(LINUX_NAMES)
    naming: set[ast.AST] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and _has_linux_text(stmt):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
            naming |= set(ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        use = (
            (isinstance(node, ast.Constant) and _has_linux_text(node))
            or (isinstance(node, ast.Name) and node.id in names)
            or (isinstance(node, ast.Attribute) and node.attr in LINUX_NAMES)
        )
        docstring = isinstance(node, ast.Constant) and isinstance(
            parents.get(node), ast.Expr
        )
        if use and node not in naming and not docstring and not _guarded(node, parents):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_rule_tells_guarded_from_unguarded() -> None:
    bad = (
        'SHM = Path("/dev/shm")\n'
        "def f(pid):\n"
        "    os.killpg(pid, 9)\n"
        "    return Path(f'/proc/{pid}/stat'), list(SHM.iterdir())\n"
    )
    assert len(unguarded(bad)) == 3
    good = (
        'SHM = Path("/dev/shm")\n'
        "def f(pid):\n"
        '    """Reads /proc."""\n'
        '    if not hasattr(os, "killpg"):\n'
        "        return None\n"
        "    os.killpg(pid, 9)\n"
        '    if sys.platform == "linux" and SHM.is_dir():\n'
        "        return Path(f'/proc/{pid}/stat')\n"
        '    return SHM if os.name == "posix" else None\n'
    )
    assert unguarded(good) == []


@pytest.mark.parametrize("name", FILES)
def test_linux_only_calls_are_behind_a_platform_test(name: str) -> None:
    source = (ROOT / "measured" / "run" / name).read_text()
    assert unguarded(source) == []
