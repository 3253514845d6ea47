"""Syntax highlighting kept on disk by content: a warm build highlights nothing.

Pygments re-tokenises every code block on every build (about a tenth of a warm
rebuild: the experiment listings are long). pymdownx.highlight calls
``pygments.highlight(src, lexer, formatter)`` through its module global; this module
wraps that call. The key is everything the output depends on: the Pygments version,
the lexer's and the formatter's classes and options, and the source text. Options
whose text form is not stable (an object's address) are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygments
from pymdownx import highlight as pymdownx_highlight

from measured.run import project


def folder() -> Path:
    return project.cache_dir().parent / "highlight"


def _describe(obj: Any) -> str | None:
    """A stable text for a lexer or formatter (None: it has no stable text)."""
    kind = type(obj)
    text = f"{kind.__module__}.{kind.__qualname__}:{sorted(obj.options.items())!r}"
    return None if " at 0x" in text else text


def key(src: str, lexer: Any, formatter: Any) -> str | None:
    parts = [pygments.__version__, _describe(lexer), _describe(formatter)]
    if None in parts:
        return None
    digest = hashlib.sha256("\0".join([*map(str, parts), src]).encode())
    return digest.hexdigest()[:40]


def cached(highlight: Callable[[str, Any, Any], str]) -> Callable[[str, Any, Any], str]:
    """``highlight``, answered from disk when the same block was highlighted before."""

    def highlight_or_load(src: str, lexer: Any, formatter: Any) -> str:
        name = key(src, lexer, formatter)
        if name is None:
            return highlight(src, lexer, formatter)
        stored = folder() / f"{name}.html"
        with contextlib.suppress(OSError):
            return stored.read_text()
        html = highlight(src, lexer, formatter)
        with contextlib.suppress(OSError):  # a read-only checkout still builds
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(html)
            tmp.replace(stored)  # atomic: a concurrent build never reads half a block
        return html

    highlight_or_load.__wrapped__ = highlight  # type: ignore[attr-defined]
    return highlight_or_load


def install() -> None:
    """Route pymdownx.highlight's Pygments calls through the disk cache (once)."""
    current = pymdownx_highlight.highlight
    if not hasattr(current, "__wrapped__"):
        pymdownx_highlight.highlight = cached(current)
