"""Large inline stylesheets move to one shared file; small ones stay inline."""

from __future__ import annotations

from pathlib import Path

from measured.web import assets


def test_large_inline_style_becomes_a_shared_stylesheet(tmp_path: Path) -> None:
    big = ".jp-Cell { color: red; }\n" * 4000  # ~100 KB, like JupyterLab's CSS
    html = f'<p class="jp-Cell">a</p><style>{big}</style><style>.small {{}}</style>'
    out = assets.externalize_large_styles(html, "guide/notebook/", str(tmp_path))
    assert big not in out
    assert "<style>.small {}</style>" in out
    files = list((tmp_path / "assets" / "stylesheets").glob("extracted-*.css"))
    assert len(files) == 1 and files[0].read_text() == assets.prune(big, {"jp-Cell"})
    assert files[0].read_text().startswith(".jp-Cell{")
    href = f"../../assets/stylesheets/{files[0].name}"
    assert f'<link rel="stylesheet" href="{href}">' in out
    # A second page with the same CSS links the same file.
    again = assets.externalize_large_styles(html, "", str(tmp_path))
    assert f'href="assets/stylesheets/{files[0].name}"' in again
    assert len(list(files[0].parent.iterdir())) == 1


JUPYTER_CSS = """@charset "UTF-8";
.jupyter-wrapper .jp-Cell, .jupyter-wrapper .jp-Widget-slider { color: red; }
.jupyter-wrapper .jp-Widget-slider { color: blue; }
.jupyter-wrapper :is(.jp-Cell, .jp-Nope) > p { margin: 0; }
.jupyter-wrapper .jp-Cell:not(.jp-mod-hidden) { border: 0; }
.jupyter-wrapper .jp-Nope:not(.jp-Cell) { border: 1px; }
[data-md-color-scheme="slate"] .jupyter-wrapper { --x: 1; }
@keyframes spin { from { opacity: 0; } to { opacity: 1; } }
@media (max-width: 10em) { .jupyter-wrapper .jp-Cell { padding: 0; }
  .jp-Toolbar { display: none; } }
@media print { .jp-Toolbar { display: none; } }
"""


def test_prune_keeps_only_rules_a_used_class_can_match() -> None:
    pruned = assets.prune(JUPYTER_CSS, {"jupyter-wrapper", "jp-Cell"})
    assert pruned.startswith('@charset "UTF-8";')
    # one selector of a list kept, the other dropped; a rule for unused classes gone
    assert ".jupyter-wrapper .jp-Cell{ color: red; }" in pruned
    assert "jp-Widget-slider" not in pruned and "blue" not in pruned
    # a comma inside :is() is not a selector boundary, and classes inside (...)
    # need not be used (".a:not(.b)" matches more when b is unused)
    assert ".jupyter-wrapper :is(.jp-Cell, .jp-Nope) > p{ margin: 0; }" in pruned
    assert ".jupyter-wrapper .jp-Cell:not(.jp-mod-hidden){ border: 0; }" in pruned
    assert "border: 1px" not in pruned
    assert '[data-md-color-scheme="slate"] .jupyter-wrapper{ --x: 1; }' in pruned
    assert "@keyframes spin{ from { opacity: 0; } to { opacity: 1; } }" in pruned
    # a media block keeps its used rules and loses the rest; an empty one goes
    assert (
        "@media (max-width: 10em){.jupyter-wrapper .jp-Cell{ padding: 0; }}" in pruned
    )
    assert "@media print" not in pruned and "jp-Toolbar" not in pruned


def test_classes_reads_every_class_attribute() -> None:
    html = '<div class="a  b"><p class="c">x</p><span class="">y</span></div>'
    assert assets.classes(html) == {"a", "b", "c"}
