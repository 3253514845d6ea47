"""The measurement helper: repeats, warm-up, interleaving, ratios."""

from __future__ import annotations

import pytest

from measured.run import measure


def test_efficiency_is_speedup_per_usable_worker() -> None:
    assert measure.efficiency(2.0, workers=4, cores=2) == 1.0
    assert measure.efficiency(1.8, workers=3, cores=2) == 0.9


def test_cgroup_quota_caps_usable_cores(tmp_path, monkeypatch) -> None:
    """A --cpus=2 container on a 64-CPU host gets 2 usable cores, not 64."""
    (tmp_path / "box").mkdir()
    (tmp_path / "cpu.max").write_text("max 100000\n")
    (tmp_path / "box" / "cpu.max").write_text("200000 100000\n")
    monkeypatch.setattr(measure, "_cgroup_paths", lambda: [("", "/box")])
    assert measure.cgroup_cpu_limit(tmp_path) == 2.0
    monkeypatch.setattr(measure, "_cpus_allowed", lambda: 64)
    monkeypatch.setattr(measure, "cgroup_cpu_limit", lambda: 2.0)
    assert measure.usable_cores() == 2
    monkeypatch.setattr(measure, "cgroup_cpu_limit", lambda: 0.5)
    assert measure.usable_cores() == 1
    monkeypatch.setattr(measure, "cgroup_cpu_limit", lambda: None)
    assert measure.usable_cores() == 64


def test_cgroup_v1_quota(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "cpu" / "job"
    folder.mkdir(parents=True)
    (folder / "cpu.cfs_quota_us").write_text("150000\n")
    (folder / "cpu.cfs_period_us").write_text("100000\n")
    monkeypatch.setattr(measure, "_cgroup_paths", lambda: [("cpu,cpuacct", "/job")])
    assert measure.cgroup_cpu_limit(tmp_path) == 1.5


def test_task_counts_divide_evenly_for_every_core_count() -> None:
    for cores in range(1, 65):
        tasks = measure.tasks_for(2 * cores, 2)
        assert tasks % cores == 0 and tasks % (2 * cores) == 0


def test_prestart_starts_every_worker_before_timing() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        assert measure.prestart(pool, 3, hold=0.05) == 3
        assert len(pool._threads) == 3


class _LateWorkerPool:
    """Two workers answer at once; the third only from round ``late_round`` on.

    It plays a spawned worker that is still starting while the started ones take
    every task (a CI run saw 24 of 25 answer within ten short rounds).
    """

    def __init__(self, late_round: int | None) -> None:
        self.late_round = late_round
        self.submitted = 0
        self.holds: list[float] = []

    def submit(self, fn, hold):  # an Executor's signature
        from concurrent.futures import Future

        round_ = self.submitted // 3
        self.submitted += 1
        self.holds.append(hold)
        late = self.late_round is not None and round_ >= self.late_round
        future: Future = Future()
        future.set_result(
            "c" if late and self.submitted % 3 == 0 else "ab"[self.submitted % 2]
        )
        return future


def test_prestart_waits_for_a_worker_that_starts_late() -> None:
    pool = _LateWorkerPool(late_round=14)  # later than any fixed count of ten rounds
    assert measure.prestart(pool, 3, hold=0.001) == 3  # type: ignore[arg-type]
    assert pool.holds[-1] > pool.holds[0]  # the hold grew, leaving late workers a task
    assert max(pool.holds) <= 1.0


def test_prestart_gives_up_on_a_worker_that_never_answers() -> None:
    pool = _LateWorkerPool(late_round=None)
    with pytest.raises(RuntimeError, match="only 2 of 3 workers answered"):
        measure.prestart(pool, 3, hold=0.0, patience=0.05)  # type: ignore[arg-type]


def test_settle_runs_untimed_before_every_call() -> None:
    """A pause before each timed call: it runs every time and is never timed."""
    import time

    calls: list[str] = []
    rounds = measure.time_rounds(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        rounds=6,
        warmup=1,
        settle=lambda: (calls.append("settle"), time.sleep(0.01)),
    )
    # Every call, warm-up included, comes right after its own pause.
    assert calls[0::2] == ["settle"] * 14 and sorted(set(calls[1::2])) == ["a", "b"]
    assert max(max(v) for v in rounds.samples.values()) < 0.005
