"""markdown-exec's inner Markdown converters, built once per page instead of per block.

markdown-exec renders each executed block's output with a new ``Markdown`` object
that registers every extension of the page again (``_mimic``): about a tenth of a
warm rebuild, with some 300 blocks. Here the converter made for a page's Markdown
object is kept and ``reset()`` between blocks, which clears what a conversion
leaves behind (the HTML stash, references, each extension's state); only the
processor that reports a block's headings to the page's table of contents is
replaced, since it holds the list of the block being converted.

A converter that is in use (a block whose output holds another executed block) is
never handed out again: the nested block gets a new one, as before.
"""

from __future__ import annotations

import functools
from typing import Any

from markdown import Markdown
from markdown_exec._internal import rendering

_made: dict[tuple[int, bool], tuple[Markdown, Markdown]] = {}
_busy: set[int] = set()


def _reused(
    original: Any, md: Markdown, headings: list[Any], *, update_toc: bool = True
) -> Markdown:
    key = (id(md), update_toc)
    kept = _made.get(key)
    if kept is None or kept[0] is not md or id(kept[1]) in _busy:
        inner = original(md, headings, update_toc=update_toc)
        _made[key] = (md, _guarded(inner))
        return inner
    inner = kept[1]
    inner.reset()
    if update_toc:
        inner.treeprocessors.register(
            rendering.HeadingReportingTreeprocessor(inner, headings),
            rendering.HeadingReportingTreeprocessor.name,
            priority=1,  # as _mimic registers it
        )
    return inner


def _guarded(inner: Markdown) -> Markdown:
    """``inner`` whose ``convert`` marks it busy while it runs."""
    convert = inner.convert

    @functools.wraps(convert)
    def marked(source: str) -> str:
        _busy.add(id(inner))
        try:
            return convert(source)
        finally:
            _busy.discard(id(inner))

    inner.convert = marked  # type: ignore[method-assign]
    return inner


def install() -> None:
    """Route markdown-exec's converter construction through :func:`_reused`."""
    current = rendering._mimic
    if getattr(current, "reusing", False):
        return
    patched = functools.partial(_reused, current)
    patched.reusing = True  # type: ignore[attr-defined]
    rendering._mimic = patched  # type: ignore[assignment]


def forget() -> None:
    """Drop the kept converters (a new build makes new page objects)."""
    _made.clear()
