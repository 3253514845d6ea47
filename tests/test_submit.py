"""``python -m measured submit``: what a reader may share, and nothing else.

A host name, a user name, a home folder and IP addresses are planted both in the
environment (the calls submit asks) and inside the input file (interpreter command,
environment entries, printed output, error text, dictionary keys); none of them may
appear anywhere in the bytes written, and the file must pass ``measured check``.
"""

from __future__ import annotations

import getpass
import json
import platform
import socket
from pathlib import Path
from typing import Any

import minimal_results
import pytest

from measured.cli import check, main, scrub, submit
from measured.web import validate

HOST = "zorblax-laptop"
FQDN = f"{HOST}.example.lan"
USER = "qwibbleton"
IP = "192.168.77.31"
IPV6 = "fe80::1c2d:3e4f:5a6b:7c8d"


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine named HOST with user USER: returns the home folder."""
    home = tmp_path / "home" / USER
    (home / "guide").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USER", USER)
    monkeypatch.setattr(getpass, "getuser", lambda: USER)
    monkeypatch.setattr(socket, "gethostname", lambda: FQDN)
    monkeypatch.setattr(platform, "node", lambda: HOST)
    monkeypatch.chdir(home / "guide")
    minimal_results.register(monkeypatch)
    return home


def leaky(home: Path) -> dict[str, Any]:
    data = minimal_results.document()
    entry = data["experiments"][0]
    entry["interpreter"]["command"] = f"{home}/.pyenv/versions/3.12.1/bin/python3.12"
    entry["script"] = f"{home}/guide/snippets/timed.py"
    entry["provenance"] += f" · on {HOST}"
    one = entry["runs"][0]
    one["stdout"] += (
        f'File "{home}/guide/snippets/timed.py", line 9, in <module>\n'
        f'File "/opt/{USER}/lib/python3.12/threading.py", line 1, in run\n'
        f"served on {IP}:8000 and [{IPV6}]:8000 by {USER}@{FQDN}\n"
        f"C:\\Users\\{USER}\\guide\\snippets\\timed.py\n"
    )
    env = one["result"]["env"]
    env |= {"hostname": HOST, "user": USER, "home": str(home), "cwd": str(Path.cwd())}
    one["result"]["seen_by"] = {USER.upper(): f"{HOST} at {IP}"}
    one["result"]["timeout"] = "Timeout (0:00:00.300000)! served on 127.0.0.1"
    data["failed"] = [{"experiment": "other", "python": "3.12.1", "error": USER}]
    data["against"] = f"{home}/guide/site/results.json"
    return data


def submitted(tmp_path: Path, data: dict[str, Any]) -> Path:
    tmp_path.mkdir(exist_ok=True)
    source = minimal_results.write(tmp_path / "mine.json", data)
    out = tmp_path / "out"
    assert main.main(["submit", "--from", str(source), "--out", str(out)]) == 0
    (written,) = out.glob("*.json")
    return written


def test_no_host_user_path_or_ip_in_the_output(planted: Path, tmp_path: Path) -> None:
    written = submitted(tmp_path, leaky(planted))
    content = written.read_bytes().lower()
    for secret in (HOST, USER, str(planted), str(tmp_path), "/opt/", IP, "fe80"):
        assert secret.lower().encode() not in content, secret
    assert b"c:\\\\users" not in content
    assert USER not in written.name and HOST not in written.name


def test_what_is_kept(planted: Path, tmp_path: Path) -> None:
    written = submitted(tmp_path, leaky(planted))
    data = json.loads(written.read_text())
    env = minimal_results.ENV
    assert data["machine"]["cpu"] == env["cpu"] and data["machine"]["os"] == env["os"]
    assert data["machine"]["pythons"] == ["CPython 3.12.1"]
    assert data["machine"]["cores"] == 2 and data["machine"]["physical_cores"] == 2
    assert "memory_gib" in data["machine"]  # None: measured on another machine
    entry = data["experiments"][0]
    assert entry["interpreter"]["command"] == "python3.12"
    assert entry["script"] == "timed.py"
    one = entry["runs"][0]
    assert one["result"]["env"] == env  # the allow-list drops hostname, user, ...
    assert one["result"]["cmp"] == minimal_results.run()["result"]["cmp"]
    assert (
        ".../threading.py" in one["stdout"] and "line 9, in <module>" in one["stdout"]
    )
    assert "0:00:00.300000" in one["result"]["timeout"]  # a time is not an address
    assert "127.0.0.1" in one["result"]["timeout"]  # loopback names nobody
    assert [c["verdict"] for c in entry["claims"]] == ["holds"]
    assert data["failed"] == [{"experiment": "other", "python": "3.12.1"}]
    assert "against" not in data and "rows" not in data
    assert written.name.startswith("linux-example-cpu-3000-py3.12.1-")


def test_the_output_passes_check(
    planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = submitted(tmp_path, leaky(planted))
    validate.load(str(written))  # raises on any problem
    capsys.readouterr()
    assert main.main(["check", str(written)]) == check.EXIT_OK
    assert "0 failed the check" in capsys.readouterr().out


def test_the_slug_changes_with_the_content(planted: Path, tmp_path: Path) -> None:
    first = submitted(tmp_path / "a", minimal_results.document())
    data = minimal_results.document()
    data["experiments"][0]["runs"][0]["result"]["cmp"]["samples"]["slow"][0] = 0.21
    second = submitted(tmp_path / "b", data)
    assert first.name != second.name
    assert first.name.rsplit("-", 1)[0] == second.name.rsplit("-", 1)[0]


def test_memory_is_kept_for_runs_made_here(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = submit.measure.Environment.here()
    monkeypatch.setitem(minimal_results.ENV, "cpu", here.cpu)
    monkeypatch.setitem(minimal_results.ENV, "os", here.os)
    monkeypatch.setitem(minimal_results.ENV, "logical_cpus", here.logical_cpus)
    written = submitted(tmp_path, minimal_results.document())
    memory = json.loads(written.read_text())["machine"]["memory_gib"]
    assert isinstance(memory, float) and memory > 0


def test_a_bad_input_file_is_one_line_and_exit_2(
    planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source := tmp_path / "cut.json").write_text('{"format": 2, "kind": "repro')
    status = main.main(["submit", "--from", str(source), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == submit.EXIT_BAD_INPUT and len(err.splitlines()) == 1
    assert "truncated" in err and not list(tmp_path.glob("*-*.json"))


def test_scrub_text_on_its_own() -> None:
    private = scrub.Private(
        folders=(("/home/ann/guide", "."), ("/home/ann", "~")),
        names=(("ann", scrub.USER), ("annbox", scrub.HOST)),
    )
    assert scrub.text("/home/ann/guide/snippets/x.py", private) == "./snippets/x.py"
    assert scrub.text("/home/ann/.cache/y.py", private) == ".../y.py"
    assert scrub.text("/usr/lib/python3.12/threading.py", private) == (
        ".../threading.py"
    )
    assert scrub.text("see https://example.org/a/b/ now", private) == (
        "see https://example.org/a/b/ now"
    )
    assert scrub.text("serial / processes 2, 3/4 done", private) == (
        "serial / processes 2, 3/4 done"
    )
    assert scrub.text("ANNBOX 10.1.2.3 ::1", private) == "[host] [ip] ::1"


def test_without_from_it_runs_reproduce_first(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Any] = []

    def reproduce(args: Any) -> int:  # stands in for running every experiment
        asked.append(args)
        minimal_results.write(args.json, minimal_results.document())
        return submit.reproduce.EXIT_FAILED  # one experiment failed: still submitted

    monkeypatch.setattr(submit.reproduce, "main", reproduce)
    assert main.main(["submit", "--out", str(tmp_path)]) == submit.EXIT_OK
    (args,) = asked
    assert args.against == "none" and not args.only and not args.cached
    assert len(list(tmp_path.glob("linux-*.json"))) == 1


def test_a_note_says_what_the_runs_were_and_is_scrubbed_and_bounded(
    planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = minimal_results.write(tmp_path / "mine.json", minimal_results.document())
    out = tmp_path / "out"
    note = f"taskset -c 0, by {USER} on {HOST}"
    argv = ["submit", "--from", str(source), "--out", str(out), "--note", note]
    assert main.main(argv) == 0
    (written,) = out.glob("*.json")
    kept = json.loads(written.read_text())["machine"]["note"]
    assert kept == "taskset -c 0, by [user] on [host]"
    long = ["submit", "--from", str(source), "--out", str(tmp_path / "x")]
    assert main.main([*long, "--note", "x" * 121]) == submit.EXIT_BAD_INPUT
    assert "--note is longer than 120 characters" in capsys.readouterr().err
    data = json.loads(written.read_text())
    data["machine"]["note"] = "<script>alert(1)</script>"
    assert validate.check(data), "markup in a note is refused"
    data["machine"]["note"] = "y" * 121
    assert "longer than 120" in (validate.check(data) or "")
