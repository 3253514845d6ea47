"""Sentences whose truth depends on the Python version or platform are rendered
from the interpreter that was measured. Each rule is run here for versions and
platforms this machine does not have (3.14, 3.15, macOS, Windows): the "not
measured here" paths."""

from __future__ import annotations

from typing import Any

import pytest

from measured import claims  # noqa: F401  (registers every claim module)
from measured.claims import modern, part1

LINUX = "linux"


# The documented default start method, as a table: a platform per row (as
# sys.platform or platform.system() spells it), a Python version per column.
DEFAULTS = """
platform        3.7   3.8    3.11   3.12   3.13   3.14         3.15
linux           fork  fork   fork   fork   fork   forkserver   forkserver
Linux_6.1.0     fork  fork   fork   fork   fork   forkserver   forkserver
FreeBSD_14.1    fork  fork   fork   fork   fork   forkserver   forkserver
darwin          fork  spawn  spawn  spawn  spawn  spawn        spawn
Darwin_24.0     fork  spawn  spawn  spawn  spawn  spawn        spawn
win32           spawn spawn  spawn  spawn  spawn  spawn        spawn
Windows_11      spawn spawn  spawn  spawn  spawn  spawn        spawn
"""


def _defaults() -> list[tuple[tuple[int, int], str, str]]:
    header, *rows = (line.split() for line in DEFAULTS.strip().splitlines())
    versions = [tuple(int(n) for n in v.split(".")) for v in header[1:]]
    return [
        ((version[0], version[1]), row[0].replace("_", " "), method)
        for row in rows
        for version, method in zip(versions, row[1:], strict=True)
    ]


@pytest.mark.parametrize(("version", "system", "expected"), _defaults())
def test_default_start_method_per_version_and_platform(
    version: tuple[int, int], system: str, expected: str
) -> None:
    """Lib/multiprocessing/context.py: fork up to 3.13 on POSIX but macOS,
    forkserver from 3.14 where handles can be sent, spawn on macOS (3.8+) and
    Windows."""
    assert modern.documented_default(system, version) == expected


def test_without_fd_passing_314_defaults_to_spawn() -> None:
    """3.14 falls back to spawn where forkserver is unavailable
    (no `reduction.HAVE_SEND_HANDLE`)."""
    assert modern.documented_default(LINUX, (3, 14), ["fork", "spawn"]) == "spawn"
    assert modern.documented_default(LINUX, (3, 13), ["fork", "spawn"]) == "fork"


def test_default_here_names_the_measured_interpreter_and_the_newer_default() -> None:
    before = modern.default_here("3.12.1", "Linux 6.1.0", "fork")
    assert "Python 3.12.1 (Linux)" in before and "is `fork`" in before
    assert "on Python 3.14 and later on Linux it is `forkserver`" in before
    after = modern.default_here("3.15.0", "Linux 6.1.0", "forkserver")
    assert "is `forkserver`" in after and "3.14 and later" not in after
    assert "NOT" not in after
    mac = modern.default_here("3.14.2", "Darwin 24.0", "spawn")
    assert "is `spawn`" in mac and "3.14 and later" not in mac
    windows = modern.default_here("3.12.1", "Windows 11", "spawn")
    assert "3.14 and later" not in windows


def test_default_here_flags_an_undocumented_default() -> None:
    """A measured default that disagrees with the rule is said, not hidden."""
    odd = modern.default_here("3.14.0", "Linux 6.1.0", "fork")
    assert "NOT `forkserver` as documented" in odd


def test_the_rule_is_stated_for_every_platform() -> None:
    rule = modern.DEFAULT_START_RULE
    for word in ("`fork`", "`forkserver`", "`spawn`", "macOS", "Windows", "3.14"):
        assert word in rule


@pytest.mark.parametrize(
    ("python", "server_imports_once"),
    [
        ("3.12.1", False),
        ("3.13.0", False),
        ("3.13.8", True),
        ("3.14.0", False),
        ("3.14.1", True),
        ("3.15.0", True),
    ],
)
def test_main_reimport_sentence_per_version(
    python: str, server_imports_once: bool
) -> None:
    """GH-135295 (3.13.8, 3.14.1): the sentence follows the measured version and
    states the rule for the others."""
    text = part1.main_reimport_sentence(python)
    assert f"Python {python}" in text
    assert "3.13.8 and 3.14.1" in text
    assert text.startswith("Under spawn, the child imports your main script")
    assert "guard is still needed" in text  # under every start method but fork
    assert "python -m" in text  # the preload covers a script run from a file only
    if server_imports_once:
        assert (
            "the fork server imports it once instead of each forkserver child" in text
        )
    else:
        assert "a forkserver child imports it too" in text


@pytest.mark.parametrize(
    ("python", "note"),
    [("3.11.7", True), ("3.12.1", True), ("3.13.0", False), ("3.14.0", False)],
)
def test_cpu_count_note_only_where_the_interpreter_lacks_it(
    python: str, note: bool
) -> None:
    """os.process_cpu_count(), PYTHON_CPU_COUNT and -X cpu_count are 3.13+: an
    older build interpreter says what 3.13+ does and that it ran an older one."""
    text = part1.cpu_count_note(python)
    if not note:
        assert text == ""
        return
    assert f"this build ran Python {python}" in text
    for name in ("os.process_cpu_count()", "PYTHON_CPU_COUNT", "-X cpu_count"):
        assert name in text
    assert "From Python 3.13" in text
    assert "n/a" not in text


def test_default_here_on_a_posix_platform_without_forkserver() -> None:
    """Where forkserver is not offered, 3.14+ falls back to spawn, and so does the
    sentence for a reader on 3.14+."""
    text = modern.default_here("3.13.0", "Linux 6.1.0", "fork", ["fork", "spawn"])
    assert "on Python 3.14 and later on Linux it is `spawn`" in text


def relabelled(monkeypatch: pytest.MonkeyPatch, python: str, **result: object) -> None:
    """Every page's evidence relabelled as measured on ``python`` (a version this
    machine lacks), with ``result`` fields replaced."""
    from contradictions import each_result, with_env

    from measured.web import render

    real = render.evidence

    def evidence(run: Any) -> Any:
        return each_result(
            with_env(real(run), python=python),
            lambda r: r.update(result),
        )

    monkeypatch.setattr(render, "evidence", evidence)


def test_start_methods_page_words_forkserver_for_an_unmeasured_314(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from measured.web.pages import start_methods

    relabelled(monkeypatch, "3.14.1")
    children = start_methods.children()
    assert "on Python 3.14.1 the fork server imports it once" in children
    assert "imports it too" not in children
    assert "the fork server imports it once instead of each forkserver child" in (
        start_methods.reimport()
    )


def test_startup_cost_page_on_an_unmeasured_315(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from measured.web.pages import startup_cost

    relabelled(monkeypatch, "3.15.0", default_method="forkserver")
    text = startup_cost.default_method()
    assert text.startswith("The default on Python 3.15.0 (Linux)")
    assert "is `forkserver`" in text and "NOT" not in text
    assert "3.14 and later" not in text
    assert "In general, the default start method is `fork`" in text


def test_pool_sizing_page_on_an_unmeasured_314(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from measured.web.pages import pool_sizing

    counts = {
        "os.cpu_count()": 2,
        "os.process_cpu_count()": 2,
        "len(os.sched_getaffinity(0))": 2,
    }
    relabelled(monkeypatch, "3.14.0", cpu_counts=counts)
    table = pool_sizing.defaults_table()
    assert "Not measured here" not in table
    assert "`os.process_cpu_count()` = 2" in table
