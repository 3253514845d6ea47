"""The interpreter matrix: settings, discovery, probing failures, install hints."""

from __future__ import annotations

import stat
import sys
import textwrap
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
    assert set(missing) == set(matrix.EXPECTED) - {here}
    hint = missing["3.14t"].how_to_install
    assert "uv python install 3.14t" in hint
    assert 'python-version: "3.14t"' in hint
    table = across.interpreter_table()
    assert "| 3.14t | **not measured in this build**" in table
    note = across.not_measured(["3.14t", here], "reason")
    assert "Python 3.14t: not measured in this build" in note
    assert f"Python {here}:" not in note


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
          versions) printf '2.7.18\\n3.10.1\\n3.13.5\\nsystem\\n' ;;
          prefix) echo "{tmp_path}/versions/$2" ;;
        esac
        """,
    )
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    assert list(matrix.pyenv_candidates()) == [str(prefix / "bin" / "python3.13")]


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
    assert "not found: install with `uv python install 3.14t`" in out
    assert "error  no-such-python-here (from MEASURED_PYTHONS)" in out
