"""``python -m measured check`` reads a submitted file as data and refuses bad input.

Every case exits 2 with exactly one line on stderr that names the problem, and no
traceback. The checks run in this process (``main``), so an exception escaping
the command fails the test; one case also runs as a real command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import minimal_results
import pytest
from conftest import ROOT

from measured.cli import check, main
from measured.web import results, validate


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal_results.register(monkeypatch)


def refused(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one stderr line of `check PATH`, which must exit 2."""
    status = main.main(["check", str(path)])
    out, err = capsys.readouterr()
    assert status == check.EXIT_BAD_FILE, out + err
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and str(path) in lines[0]
    return lines[0]


def test_the_minimal_file_passes(tmp_path: Path) -> None:
    path = minimal_results.write(tmp_path / "r.json", minimal_results.document())
    assert main.main(["check", str(path)]) == check.EXIT_OK


def test_truncated_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(minimal_results.document())
    (path := tmp_path / "cut.json").write_text(text[: len(text) // 2])
    assert "ends before its JSON does (truncated" in refused(path, capsys)


def test_every_cut_of_a_file_reads_as_truncated() -> None:
    """Cut in a string, an escape, a word such as null or a number: all truncated."""
    text = json.dumps(minimal_results.document(), indent=1, ensure_ascii=True)
    for end in range(1, len(text) - 1):
        with pytest.raises(results.ResultsError, match="truncated"):
            validate.parse(text[:end], "cut.json")


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"experiments: cpu_bound\n", "is not valid JSON: Expecting value"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
        (b"   \n", "is empty"),
        (b"[1, 2, 3]", "not a JSON object"),
    ],
    ids=["text", "binary", "empty", "a list"],
)
def test_not_json_or_not_an_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, named: str
) -> None:
    (path := tmp_path / "other.json").write_bytes(content)
    assert named in refused(path, capsys)


def _drop_stdout(data: dict[str, Any]) -> None:
    del data["experiments"][0]["runs"][0]["stdout"]


def _cores_as_text(data: dict[str, Any]) -> None:
    data["experiments"][0]["runs"][0]["result"]["env"]["cores"] = "2"


def _holds_as_text(data: dict[str, Any]) -> None:
    data["experiments"][0]["claims"][0]["holds"] = "yes"


def _seconds_as_bool(data: dict[str, Any]) -> None:
    data["experiments"][0]["seconds"] = True


def _no_runs(data: dict[str, Any]) -> None:
    data["experiments"][0]["runs"] = []


def _unknown_kind(data: dict[str, Any]) -> None:
    data["kind"] = "mine"


def _extra_machine_key(data: dict[str, Any]) -> None:
    data["machine"] = {"cpu": "x", "os": "y", "pythons": [], "cores": 1, "host": "h"}


SCHEMA: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_drop_stdout, 'run 1 has no "stdout"'),
    (_cores_as_text, '"cores" is a string, expected an integer'),
    (_holds_as_text, '"holds" is a string, expected true/false or null'),
    (_seconds_as_bool, '"seconds" is true/false, expected an integer or a number'),
    (_no_runs, "has no runs"),
    (_unknown_kind, "\"kind\" is 'mine'"),
    (_extra_machine_key, "keys this format does not have: host"),
]


@pytest.mark.parametrize(
    ("edit", "named"), SCHEMA, ids=lambda e: getattr(e, "__name__", "")
)
def test_wrong_schema(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, Any]], None],
    named: str,
) -> None:
    data = minimal_results.document()
    edit(data)
    path = minimal_results.write(tmp_path / "r.json", data)
    assert named in refused(path, capsys)


def test_a_huge_file_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(4 * 2**30)  # 4 GiB, sparse: only MAX_BYTES + 1 may be read
    assert "larger than 20 MiB" in refused(path, capsys)
    assert validate.MAX_BYTES == 20 * 2**20  # the limit CONTRIBUTING.md states


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], number: str
) -> None:
    text = json.dumps(minimal_results.document())
    text = text.replace('"seconds": 3.6', f'"seconds": {number}', 1)
    (path := tmp_path / "r.json").write_text(text)
    line = refused(path, capsys)
    assert f"holds {number}" in line and "finite" in line


@pytest.mark.parametrize("levels", [100, 200_000])
def test_deeply_nested_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], levels: int
) -> None:
    data = minimal_results.document()
    data["experiments"][0]["runs"][0]["result"]["deep"] = "HOLE"
    text = json.dumps(data).replace('"HOLE"', "[" * levels + "]" * levels)
    (path := tmp_path / "deep.json").write_text(text)
    line = refused(path, capsys)
    assert f"nests {levels + 6} levels deep, more than the 64" in line


def test_the_depth_scan_reads_each_character_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unterminated string of escaped quotes: a scan that retried from every
    quote took minutes on this file (quadratic); it must take milliseconds."""
    (path := tmp_path / "quotes.json").write_text('["' + '\\"' * 100_000)
    assert "truncated" in refused(path, capsys)


def test_deep_nesting_as_a_real_command(tmp_path: Path) -> None:
    """Python's json parser alone would raise RecursionError here."""
    (path := tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    proc = subprocess.run(
        [sys.executable, "-m", "measured", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"error: {path} nests 100000 levels deep, more than the 64 a results file may"
    ]


MARKUP = [
    (("runs", 0, "result", "env", "cpu"), "<script>alert(1)</script>"),
    (("claims", 0, "statement"), 'fast <img src=x onerror="alert(1)">'),
    (("interpreter", "version"), "3.12</td><td>"),
    (("pages", 0), "<!-- hidden -->"),
    (("provenance",), "[click](javascript:alert(1))"),
]


@pytest.mark.parametrize(("where", "text"), MARKUP, ids=lambda x: str(x)[:30])
def test_html_or_script_in_a_rendered_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: tuple[str | int, ...],
    text: str,
) -> None:
    data = minimal_results.document()
    target = data["experiments"][0]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = text
    path = minimal_results.write(tmp_path / "r.json", data)
    line = refused(path, capsys)
    shown = "/".join(str(k + 1 if isinstance(k, int) else k) for k in where)
    assert f"experiments/1/{shown} holds markup" in line
    assert "may not carry HTML or script in a field a page shows" in line


def test_what_python_printed_may_quote_angle_brackets(tmp_path: Path) -> None:
    """Raw output (never rendered from a file) and "a < b" in prose are not markup."""
    data = minimal_results.document()
    one = data["experiments"][0]["runs"][0]
    one["stdout"] += 'File "x.py", line 3 in <module>\n<Future pending>\n'
    one["result"]["error"] = "Can't pickle <function <lambda> at 0x7f>"
    data["experiments"][0]["stopped_because"] = "the interval was < 25% wide, a<=b"
    path = minimal_results.write(tmp_path / "r.json", data)
    assert main.main(["check", str(path)]) == check.EXIT_OK


@pytest.mark.parametrize("version", [results.FORMAT + 1, 99])
def test_a_newer_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: int
) -> None:
    # A newer writer may change anything else too: the version is read first.
    data = {"format": version, "kind": "something new", "machines": {}}
    path = minimal_results.write(tmp_path / "new.json", data)
    line = refused(path, capsys)
    assert f"made by a newer version (format {version}" in line and "update" in line
