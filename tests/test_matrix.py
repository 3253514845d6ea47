"""The interpreter matrix: settings, discovery, probing failures, install hints."""

from __future__ import annotations

import re
import stat
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from measured.run import backport, matrix
from measured.run.interpreter import Interpreter, InterpreterError, probe
from measured.web import across


@pytest.fixture(autouse=True)
def fresh_probes(monkeypatch: pytest.MonkeyPatch):
    """Every test starts from an empty probe cache and no configured Pythons."""
    monkeypatch.delenv(matrix.PYTHONS_ENV, raising=False)
    matrix.reset()
    yield
    matrix.reset()


def executable(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    """A pyenv-like shim for a version that is installed but not selected."""
    return executable(
        tmp_path / "python3.12",
        """\
        echo "pyenv: python3.12: command not found" >&2
        exit 127
        """,
    )


def test_probe_reports_what_the_build_needs() -> None:
    here = probe()
    assert here.version.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert here.start_method in ("fork", "spawn", "forkserver")
    assert here.label == ".".join(here.version.split(".")[:2]) + (
        "t" if here.free_threaded_build else ""
    )


def test_failing_command_is_an_error_with_its_message(shim: Path) -> None:
    with pytest.raises(InterpreterError, match=r"status 127: pyenv: python3\.12"):
        probe(str(shim))
    with pytest.raises(InterpreterError, match="does not start"):
        probe("no-such-python-anywhere")


def test_failing_configured_interpreter_is_reported_not_fatal(
    shim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(matrix.PYTHONS_ENV, f"no-such-python {shim}")
    monkeypatch.setenv(matrix.DISCOVER_ENV, "0")
    found = matrix.current()
    assert [f.source for f in found.found] == ["this build"]
    failed = {f.command: f for f in found.failed}
    assert failed["no-such-python"].source == matrix.PYTHONS_ENV
    assert "command not found" in failed[str(shim)].error
    table = across.interpreter_table()
    assert "no-such-python" in table and "command not found" in table


def test_missing_labels_come_with_install_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(matrix.DISCOVER_ENV, "0")
    found = matrix.current()
    here = probe().label
    missing = {m.label: m for m in found.missing}
    assert here not in missing
    assert set(missing) == set(found.expected) - {here}
    newest_free = f"3.{found.newest}t"  # never this build: the .venv has the GIL
    hint = missing[newest_free].how_to_install
    assert f"uv python install {newest_free}" in hint
    assert f'python-version: "{newest_free}"' in hint
    table = across.interpreter_table()
    assert f"| {newest_free} | **not measured in this build**" in table
    note = across.not_measured([newest_free, here], "reason")
    assert f"Python {newest_free}: not measured in this build" in note
    assert f"Python {here}:" not in note


@pytest.mark.parametrize(
    ("today", "newest"),
    [
        (date(2024, 9, 30), 12),
        (date(2024, 10, 7), 13),  # 3.13.0's release day
        (date(2025, 10, 1), 14),
        (date(2026, 9, 30), 14),
        (date(2026, 12, 2), 15),
        (date(2027, 10, 1), 16),
    ],
)
def test_the_newest_version_follows_the_october_calendar(
    today: date, newest: int
) -> None:
    """PEP 602: a feature version every October, 3.9.0 in October 2020."""
    assert matrix.scheduled_minor(today) == newest
    assert matrix.Matrix(today=today).newest == newest


def test_expected_labels_are_derived_from_the_newest_version() -> None:
    """3.11 up to the newest, and the free-threaded builds of the two newest
    (none before 3.13, PEP 703)."""
    assert matrix.expected_labels(15) == [
        "3.11", "3.12", "3.13", "3.14", "3.14t", "3.15", "3.15t"
    ]  # fmt: skip
    assert matrix.expected_labels(14) == [
        "3.11", "3.12", "3.13", "3.13t", "3.14", "3.14t"
    ]  # fmt: skip
    assert matrix.expected_labels(13) == ["3.11", "3.12", "3.13", "3.13t"]


def fake(version: str, *, free: bool = False) -> matrix.Found:
    interpreter = Interpreter(
        command=f"python{version}",
        executable=f"/fake/python{version}",
        version=version,
        implementation="CPython",
        build=version,
        free_threaded_build=free,
        gil_enabled=not free,
        start_method="forkserver",
        subinterpreters="",
    )
    return matrix.Found(interpreter, "PATH")


def test_a_newer_release_found_extends_the_matrix_a_prerelease_does_not() -> None:
    december = date(2026, 12, 2)  # the calendar's newest: 3.15
    release = matrix.Matrix([fake("3.16.0")], today=december)
    assert release.newest == 16
    assert release.expected[-4:] == ["3.15", "3.15t", "3.16", "3.16t"]
    assert "3.14t" not in release.expected
    assert {m.label for m in release.missing} >= {"3.15", "3.16t"}
    for version in ("3.16.0a2", "3.16.0rc1", "3.16.0+"):
        early = matrix.Matrix([fake(version)], today=december)
        assert early.newest == 15, version
        assert early.labels == ["3.16"]  # found and measured, never expected
        assert "3.16" not in early.expected


def test_discovery_looks_one_version_past_the_calendar() -> None:
    minors = matrix.discovery_minors(date(2026, 12, 2))
    assert list(minors) == [11, 12, 13, 14, 15, 16]
    names = matrix.candidate_names(minors)
    assert names[:2] == ["python3.11", "python3.11t"]
    assert names[-2:] == ["python3.16", "python3.16t"]


def test_no_interpreter_path_or_version_list_is_written_down() -> None:
    """The matrix derives what it looks for: no absolute path, no version tuple."""
    source = Path(matrix.__file__).read_text()
    assert not re.search(r"[\"'](/usr|/opt|/root|/home|~)", source)
    assert not re.search(r"[\"']3\.1\d", source)


def test_same_interpreter_twice_is_measured_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(matrix.PYTHONS_ENV, f"{sys.executable} {sys.executable}")
    monkeypatch.setenv(matrix.DISCOVER_ENV, "0")
    assert len(matrix.current().found) == 1


def test_mkdocs_extra_is_read_despite_env_tags(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: t
            site_url: !ENV [SITE_URL, "http://x/"]
            extra:
              measured_pythons: [python3.99t, other-python]
            """
        )
    )
    assert list(matrix.configured_commands(tmp_path)) == [
        ("python3.99t", "mkdocs.yml"),
        ("other-python", "mkdocs.yml"),
    ]


def test_pyenv_versions_are_found_through_pyenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "versions" / "3.13.5"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python3.13").symlink_to(sys.executable)
    tools = tmp_path / "tools"
    tools.mkdir()
    executable(
        tools / "pyenv",
        f"""\
        case "$1" in
          versions) printf '2.7.18\\n3.10.1\\n3.13.5\\n3.15.0a1\\nsystem\\n' ;;
          prefix) echo "{tmp_path}/versions/$2" ;;
        esac
        """,
    )
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    # 2.7 and 3.10 are too old, 3.15.0a1 is no release, "system" is no version.
    assert list(matrix.pyenv_candidates(range(11, 17))) == [
        str(prefix / "bin" / "python3.13")
    ]


def test_discovery_can_be_switched_off(
    shim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{shim.parent}:/usr/bin:/bin")
    monkeypatch.setenv(matrix.DISCOVER_ENV, "0")
    assert matrix.current().failed == []
    matrix.reset()
    monkeypatch.setenv(matrix.DISCOVER_ENV, "1")
    # A discovered shim that does not run is reported (its label was not found).
    assert [f.command for f in matrix.current().failed] == ["python3.12"]


def test_cache_identity_keeps_old_keys_and_separates_the_backport() -> None:
    fields = {
        "command": "python3.13",
        "executable": "/x/python3.13",
        "version": "3.13.0",
        "implementation": "CPython",
        "build": "3.13.0 (main) [GCC]",
        "free_threaded_build": False,
        "gil_enabled": True,
        "start_method": "fork",
        "subinterpreters": "",
    }
    plain = Interpreter(**fields)
    # The key format from before subinterpreters were probed: caches stay valid.
    assert plain.identity() == "CPython|3.13.0 (main) [GCC]|False|True"
    venv = Interpreter(**{**fields, "subinterpreters": "interpreters_backport"})
    assert venv.identity() != plain.identity()
    assert venv.label == "3.13"
    assert Interpreter(**{**fields, "free_threaded_build": True}).label == "3.13t"


def test_backport_pin_comes_from_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "dask==1\ninterpreters-pep-734==0.5.0 ; python_full_version == '3.13.*'\n"
    )
    assert backport.pinned(lock) == "interpreters-pep-734==0.5.0"
    lock.write_text("dask==1\n")
    with pytest.raises(backport.BackportUnavailable, match="not pinned"):
        backport.pinned(lock)


def test_backport_refuses_other_versions() -> None:
    here = probe()
    if here.label.rstrip("t") in backport.VERSIONS:
        pytest.skip("this interpreter is one the backport supports")
    with pytest.raises(backport.BackportUnavailable, match=r"is for 3\.13"):
        backport.with_backport(here)


def test_cli_lists_found_missing_and_failing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from measured.cli.main import main

    monkeypatch.setenv(matrix.PYTHONS_ENV, "no-such-python-here")
    monkeypatch.setenv(matrix.DISCOVER_ENV, "0")
    assert main(["pythons"]) == 0
    out = capsys.readouterr().out
    assert "this build" in out
    newest_free = f"3.{matrix.current().newest}t"
    assert f"not found: install with `uv python install {newest_free}`" in out
    assert "error  no-such-python-here (from MEASURED_PYTHONS)" in out
