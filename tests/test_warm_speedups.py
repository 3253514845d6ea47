"""What a warm rebuild skips, and that skipping it changes nothing it shows.

Three things are kept on disk by content or left unimported: the names each
experiment imports (measured/run/cache.py), highlighted code blocks
(measured/web/highlighting.py) and mkdocs-jupyter's converter
(measured/web/notebooks.py). Each test here says the kept answer is the fresh one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pygments
import pytest
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from measured.run import cache
from measured.web import highlighting

CODE = "def f(x):\n    return x + 1  # one\n"


def test_imported_names_are_kept_on_disk_by_source(project: Path) -> None:
    source = "import json\nfrom . import stats\n"
    cache._imported_names.cache_clear()
    first = cache._imported_names(source, "pkg")
    kept = list((project / ".cache" / "imports").glob("*.json"))
    assert first == {"json", "pkg", "pkg.stats"} and len(kept) == 1
    cache._imported_names.cache_clear()
    assert cache._imported_names(source, "pkg") == first  # read back, same names
    cache._imported_names.cache_clear()
    # An edited source is another key: parsed again, never served the old names.
    assert cache._imported_names(source + "import csv\n", "pkg") == first | {"csv"}
    assert len(list((project / ".cache" / "imports").glob("*.json"))) == 2


def test_an_edited_import_still_invalidates_the_run(project: Path) -> None:
    helper = project / "snippets" / "helper2.py"
    helper.write_text("X = 1\n")
    script = project / "snippets" / "top2.py"
    script.write_text("import json\n")
    assert cache.local_imports(script) == []
    script.write_text("import json\nimport helper2\n")
    cache._imported_names.cache_clear()
    assert cache.local_imports(script) == [helper.resolve()]


def _highlight(code: str, **options: object) -> tuple[str, str]:
    lexer = get_lexer_by_name("python")
    formatter = HtmlFormatter(**options)
    wrapped = highlighting.cached(pygments.highlight)
    return wrapped(code, lexer, formatter), pygments.highlight(code, lexer, formatter)


def test_a_kept_block_is_the_block_pygments_makes(project: Path) -> None:
    first, fresh = _highlight(CODE, linenos="inline")
    assert first == fresh
    assert len(list(highlighting.folder().glob("*.html"))) == 1
    again, _ = _highlight(CODE, linenos="inline")
    assert again == fresh  # read back from disk


def test_other_options_or_source_are_other_blocks(project: Path) -> None:
    _highlight(CODE)
    _highlight(CODE, hl_lines=[2])
    _highlight(CODE + "# two\n")
    assert len(list(highlighting.folder().glob("*.html"))) == 3


def test_an_option_without_a_stable_text_is_never_kept(project: Path) -> None:
    out, fresh = _highlight(CODE, title=object())
    assert out == fresh
    assert not highlighting.folder().exists()


def test_install_wraps_pymdownx_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from pymdownx import highlight as pymdownx_highlight

    monkeypatch.setattr(pymdownx_highlight, "highlight", pygments.highlight)
    highlighting.install()
    highlighting.install()
    assert pymdownx_highlight.highlight.__wrapped__ is pygments.highlight


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def test_the_notebook_plugin_loads_without_its_converter() -> None:
    out = _python(
        """
        import sys
        from measured.web.notebooks import Notebooks
        from mkdocs_jupyter.plugin import Plugin
        print(issubclass(Notebooks, Plugin), "nbconvert" in sys.modules)
        """
    )
    assert out == "True False"


def test_the_converter_is_imported_on_first_use() -> None:
    out = _python(
        """
        import sys
        import measured.web.notebooks
        from mkdocs_jupyter import convert, plugin
        nb2html = plugin.convert.nb2html
        real = sys.modules["mkdocs_jupyter.convert"]
        print(callable(nb2html), "nbconvert" in sys.modules, real.nb2html is nb2html)
        """
    )
    assert out == "True True True"


# Three executed blocks: headings that reach the page's table of contents, a
# footnote and an abbreviation (extension state a reset must clear), and a block
# whose output holds another executed block (converted while its parent's
# converter is still in use).
PAGE = """\
# Top

```python exec="1"
print("## From block one\\n\\nSome *one*[^a].\\n\\n[^a]: A note.")
```

```python exec="1"
print("## From block two\\n\\nThe GIL.\\n\\n*[GIL]: global interpreter lock")
```

```python exec="1"
print('```python exec="1"\\nprint(\\'### Nested\\\\n\\\\nInner.\\')\\n```')
```

After the GIL.
"""


def _render(page: str) -> tuple[str, str]:
    import re

    import markdown
    from markdown_exec import formatter, validator
    from markdown_exec._internal.rendering import markdown_config

    fence = {"name": "python", "class": "python", "validator": validator}
    names = ["toc", "footnotes", "abbr", "attr_list", "pymdownx.superfences"]
    configs = {
        "pymdownx.superfences": {"custom_fences": [{**fence, "format": formatter}]}
    }
    # As markdown-exec's MkDocs plugin does: inner converters are made from the
    # names and configuration of the site's extensions (new instances each).
    markdown_config.save(names, configs)
    try:
        md = markdown.Markdown(extensions=names, extension_configs=configs)
        html = md.convert(page)
    finally:
        markdown_config.reset()
    # markdown-exec numbers its blocks' id prefixes across the whole process.
    toc = md.toc  # type: ignore[attr-defined]
    return re.sub(r"exec-\d+--", "exec-N--", html), re.sub(r"exec-\d+--", "", toc)


def test_a_reused_inner_converter_renders_what_a_new_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from markdown_exec._internal import rendering

    from measured.web import inner_markdown

    fresh = _render(PAGE)
    monkeypatch.setattr(rendering, "_mimic", rendering._mimic)
    inner_markdown.forget()
    inner_markdown.install()
    assert getattr(rendering._mimic, "reusing", False)
    reused, again = _render(PAGE), _render(PAGE)
    assert reused == fresh and again == fresh
    html, toc = fresh
    assert "From block two" in toc and "Nested</h3>" in html and "A note." in html
    assert html.count('title="global interpreter lock"') == 1  # only block two's
    inner_markdown.forget()
