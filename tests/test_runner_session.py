"""The runner's bookkeeping for the results file, and Ctrl-C in the middle of a run."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import hanging_script, pid_alive

from measured.run import runner


def test_a_run_remembers_every_page_that_showed_it(project: Path) -> None:
    (project / "snippets" / "exp.py").write_text(
        "from measured.run import measure\nmeasure.emit({})\n"
    )
    first = runner.run("exp", page="a.md")
    assert runner.run("exp", page="b.md") is first
    runner.run("exp", page="a.md")
    runner.run("exp")  # not from a page: a test, or the reproduce example
    assert first.pages == ["a.md", "b.md"]
    assert runner.this_build() == [first]
    runner.reset()
    assert runner.this_build() == []


def test_ctrl_c_kills_the_group_frees_shared_memory_and_reraises(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    report = tmp_path_factory.mktemp("hang") / "report.json"
    (project / "snippets" / "hang.py").write_text(hanging_script(report))

    def press_ctrl_c() -> None:  # once the experiment is up, as a user would
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if report.exists() and report.read_text():
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.05)

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run("hang")
    finally:
        presser.join()
    info = json.loads(report.read_text())
    survivors = [pid for pid in info["pids"] if pid_alive(pid)]
    assert survivors == [], f"the worker or grandchild survived Ctrl-C: {survivors}"
    assert not (Path("/dev/shm") / info["shm"].lstrip("/")).exists()
    assert runner.counters["interrupted"] == 1
    assert runner.this_build() == [], "an interrupted run is not a result"
