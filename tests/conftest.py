"""Shared fixtures: the project root, one strict build of the site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from measured.run import cache, runner

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


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real site, built strictly (experiments from the cache when unchanged)."""
    build = mkdocs_build(tmp_path_factory.mktemp("site"))
    assert build.returncode == 0, build.log[-5000:]
    return build


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


# Figures worth reading after a run (largest page, browser test time): tests append
# lines here and pytest prints them in a "measured" section at the end.
REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("measured")
        for line in REPORT:
            terminalreporter.write_line(line)
