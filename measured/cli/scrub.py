"""What a submitted results file may share, and nothing else.

Two layers, because either alone leaks. An **allow-list** rebuilds the file from
the fields a reader may share (the machine: CPU model, core counts, memory, OS,
Python build; each experiment's raw runs and verdicts); a field this list does not
name is dropped, so a field added later is never published by accident. Then
**every string** left, keys included, goes through :func:`text`, because the raw
runs quote what Python printed (thread dumps, tracebacks, error messages), and
those name paths, the user and the host:

- this machine's home folder, working folder and checkout become ``~`` and ``.``;
- the folders of any other absolute path (POSIX, ``C:\\``, ``\\\\server``) become
  ``.../``, keeping the file name (``.../selectors.py``, line numbers intact);
- the user name (``getpass.getuser()``, ``$USER``, ``$USERNAME``) and host name
  (``socket.gethostname()``, ``platform.node()``) become ``[user]`` and ``[host]``
  wherever they appear, case-insensitively (a name shorter than 3 characters only
  as a whole word, so a user "a" does not rewrite every "a");
- an IP address other than loopback or unspecified becomes ``[ip]``.
"""

from __future__ import annotations

import functools
import getpass
import ipaddress
import os
import platform
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from measured.run import project

USER, HOST, IP, FOLDERS = "[user]", "[host]", "[ip]", ".../"
# The folders of an absolute path: POSIX or ~/..., a Windows drive, a UNC share.
_SEGMENT = r"[^\s/\\\"'<>|:*?,;()\[\]{}]+"
_FOLDERS = re.compile(
    rf"(?:~|(?<![\w.~/\\-]))/(?:{_SEGMENT}/)+"
    rf"|(?<![\w])[A-Za-z]:[\\/](?:{_SEGMENT}[\\/])*"
    rf"|\\\\(?:{_SEGMENT}\\)+"
)
_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"
_IPV6 = r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])"
_IP = re.compile(f"{_IPV4}|{_IPV6}")


@dataclass(frozen=True)
class Private:
    """What names this machine or its user: looked up once, then removed."""

    folders: tuple[tuple[str, str], ...]  # (path, what replaces it), longest first
    names: tuple[tuple[str, str], ...]  # (user or host name, placeholder)

    @classmethod
    def here(cls) -> Private:
        folders = [(p, ".") for p in _spellings(Path.cwd(), project.root())]
        folders += [(p, "~") for p in _spellings(Path.home())]
        users = [_user(), *(os.environ.get(v) for v in ("USER", "USERNAME"))]
        hosts = [socket.gethostname(), platform.node()]
        hosts += [h.split(".")[0] for h in hosts if h]  # "alice-mbp" of ".local"
        names = [(n, USER) for n in users if n] + [(n, HOST) for n in hosts if n]
        return cls(tuple(set(folders)), tuple(set(names)))


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (a container): nothing to remove
        return ""


def _spellings(*paths: Path) -> list[str]:
    """A folder as given and resolved (/tmp vs /private/tmp), never a bare root."""
    found = []
    for path in paths:
        for spelling in {str(path), str(path.resolve())}:
            if PurePath(spelling).parent != PurePath(spelling):
                found.append(spelling.rstrip("/\\"))
    return found


def text(value: str, private: Private) -> str:
    """``value`` with this machine's paths, user, host and IP addresses removed."""
    for folder, replacement in _longest_first(private.folders):
        value = folder_pattern(folder).sub(replacement, value)
    value = _FOLDERS.sub(FOLDERS, value)
    for name, placeholder in _longest_first(private.names):
        value = name_pattern(name).sub(placeholder, value)
    return _IP.sub(_ip, value)


def _longest_first(pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """/home/ann/guide before /home/ann, "annbox" before "ann"."""
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@functools.cache
def folder_pattern(folder: str) -> re.Pattern[str]:
    """The folder as a whole path: "/work" in "/work/x", not in "/workers"."""
    return re.compile(rf"(?<![\w./\\-]){re.escape(folder)}(?![\w.-])")


@functools.cache
def name_pattern(name: str) -> re.Pattern[str]:
    pattern = re.escape(name)
    if len(name) < 3:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    return re.compile(pattern, re.IGNORECASE)


def _ip(match: re.Match[str]) -> str:
    try:
        address = ipaddress.ip_address(match.group())
    except ValueError:  # a time ("0:00:00"), a version: not an address
        return match.group()
    return match.group() if address.is_loopback or address.is_unspecified else IP


def deep(value: Any, private: Private) -> Any:
    """Every string in a JSON value scrubbed, dictionary keys included."""
    if isinstance(value, str):
        return text(value, private)
    if isinstance(value, list):
        return [deep(item, private) for item in value]
    if isinstance(value, dict):
        return {text(k, private): deep(v, private) for k, v in value.items()}
    return value


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, dictionary keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)


def only(record: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The allowed keys of ``record`` that it has, in the allow-list's order."""
    return {key: record[key] for key in keys if key in record}


def file_name(path: str) -> str:
    """The last part of a path, POSIX or Windows (an interpreter command's name)."""
    return re.split(r"[\\/]", path)[-1]
