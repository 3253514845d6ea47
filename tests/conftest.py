"""Shared fixtures: the project root, one strict build of the site per test session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from measured.run import cache, runner
from measured.web import results

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


@dataclass(frozen=True)
class Build:
    site: Path
    returncode: int
    log: str


def mkdocs_build(
    site: Path, *, config: Path = ROOT / "mkdocs.yml", env: dict[str, str] | None = None
) -> Build:
    proc = subprocess.run(
        [*MKDOCS, "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=600,
    )
    return Build(site, proc.returncode, proc.stdout + proc.stderr)


def scratch_project(
    root: Path,
    pages: dict[str, str],
    snippets: dict[str, str] | None = None,
    *,
    site_url: str = "",
) -> Path:
    """A throwaway project that uses our hooks: its pages, snippets and mkdocs.yml."""
    (root / "snippets").mkdir(parents=True)
    (root / "requirements.lock").write_text("x==1\n")
    for name, body in (snippets or {}).items():
        (root / "snippets" / name).write_text(textwrap.dedent(body))
    for name, body in {"index.md": "# Home\n", **pages}.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(textwrap.dedent(body))
    url = f"site_url: {site_url}\n" if site_url else ""
    (root / "mkdocs.yml").write_text(
        f"site_name: scratch\n{url}strict: true\n"
        f"hooks:\n  - {ROOT / 'measured' / 'web' / 'hooks.py'}\n"
        "plugins:\n  - markdown-exec\n"
        "markdown_extensions:\n  - md_in_html\n  - pymdownx.superfences\n"
    )
    return root


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real site, built strictly (experiments from the cache when unchanged)."""
    build = mkdocs_build(tmp_path_factory.mktemp("site"))
    assert build.returncode == 0, build.log[-5000:]
    return build


@pytest.fixture(scope="session")
def build_results(site_build: Build) -> results.Published:
    """The session build's results file: every run it made or served from the cache,
    with its result, stdout and what it left behind (the runner's record)."""
    return results.load(str(site_build.site / results.FILENAME))


def snippet_names() -> list[str]:
    """Every experiment in snippets/, by name: tests never list them by hand."""
    return sorted(p.stem for p in (ROOT / "snippets").glob("*.py"))


def nav_pages(*titles: str) -> list[str]:
    """Pages of mkdocs.yml's nav under the top-level entries titled ``titles`` (a
    page or a section), in nav order, as site paths without slashes ("cpu-bound")."""
    from mkdocs.utils.yaml import yaml_load

    nav = yaml_load((ROOT / "mkdocs.yml").read_text())["nav"]

    def files(entry: object) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, list):
            return [f for item in entry for f in files(item)]
        if isinstance(entry, dict):
            return [f for value in entry.values() for f in files(value)]
        return []

    chosen = [e for e in nav if isinstance(e, dict) and set(e) & set(titles)]
    assert len(chosen) == len(titles), f"not all of {titles} are in the nav"
    return [Path(f).with_suffix("").as_posix() for f in files(chosen)]


def hanging_script(report: Path, *, timeout: float | None = None) -> str:
    """An experiment that starts a worker process, a grandchild and a shared memory
    segment, writes their ids to ``report`` ({"pids": [...], "shm": name}), then
    hangs: for tests that the runner ends all of it (timeout, Ctrl-C)."""
    declared = f"TIMEOUT = {timeout:g}\n" if timeout is not None else ""
    return (
        "import json, multiprocessing, subprocess, sys, time\n"
        "from multiprocessing import shared_memory\n"
        f"{declared}\n"
        "def sleeper():\n"
        "    time.sleep(600)\n\n"
        'if __name__ == "__main__":\n'
        "    shm = shared_memory.SharedMemory(create=True, size=4096)\n"
        "    worker = multiprocessing.Process(target=sleeper)\n"
        "    worker.start()\n"
        '    sleep = "import time; time.sleep(600)"\n'
        '    grandchild = subprocess.Popen([sys.executable, "-c", sleep])\n'
        f"    with open({str(report)!r}, 'w') as f:\n"
        "        pids = [worker.pid, grandchild.pid]\n"
        '        json.dump({"pids": pids, "shm": shm.name}, f)\n'
        '    print("about to hang", file=sys.stderr)\n'
        "    time.sleep(600)\n"
    )


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project: mkdocs.yml, snippets/, a lock file, its own cache."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    (tmp_path / "requirements.lock").write_text("example==1.0\n")
    (tmp_path / "snippets").mkdir()
    monkeypatch.setenv("MEASURED_ROOT", str(tmp_path))
    monkeypatch.delenv(cache.FRESH_ENV, raising=False)
    runner.reset()
    yield tmp_path
    runner.reset()


def pytest_configure(config: pytest.Config) -> None:
    # A suite started as a background job of a script (`make test &`) inherits
    # SIGINT ignored, and Python keeps it ignored, in this process and in every
    # child: the tests that press Ctrl-C (on this process, on a reproduce child, on
    # an experiment's children) would never be heard. Hear it, as a terminal would.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Leave the spawn_all test out unless ``-m`` names it: it runs every
    experiment (minutes), and ``-m 'not browser'`` alone must not pull it in."""
    if "spawn_all" in (config.option.markexpr or ""):
        return
    slow = [item for item in items if item.get_closest_marker("spawn_all")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item not in slow]


# Figures worth reading after a run (largest page, browser test time): tests append
# lines here and pytest prints them in a "measured" section at the end.
REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("measured")
        for line in REPORT:
            terminalreporter.write_line(line)
