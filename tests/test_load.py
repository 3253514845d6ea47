"""How busy the machine was: other programs' CPU time, not the experiment's own."""

from __future__ import annotations

import subprocess
import sys
import time

from measured.run import load

SPIN = "import time\nend = time.time() + {s}\nwhile time.time() < end: pass\n"


def test_a_quiet_short_window_is_not_busy() -> None:
    """Tick rounding over a tenth of a second must not look like another program."""
    meter = load.Meter()
    time.sleep(0.1)
    seen = meter.stop()
    assert seen.foreign_cores < 0.5 and seen.free_cores > seen.cores - 0.5


def test_the_experiment_s_own_children_are_not_foreign() -> None:
    meter = load.Meter()
    subprocess.run([sys.executable, "-c", SPIN.format(s=0.5)], check=True)
    seen = meter.stop()
    assert seen.foreign_cores < 0.3, seen


def test_another_program_spinning_is_foreign_load() -> None:
    hog = subprocess.Popen([sys.executable, "-c", SPIN.format(s=3)])
    try:
        time.sleep(0.3)  # let it start
        seen = load.sample(1.0)
    finally:
        hog.kill()
        hog.wait()
    assert seen.foreign_cores > 0.7, seen
    assert seen.free_cores < seen.cores - 0.5
